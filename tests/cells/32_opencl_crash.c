%timeline off
//---
%%opencl --platform pocl
// A crash in a GPU session: the session carries on without its OpenCL
// state, and every use of it says so instead of hanging in the driver.
kernel void inc(global int *x) { x[get_global_id(0)] += 1; }
//---
int h[4] = {0};
parc_cl_buf *d = parc_cl_buffer(sizeof h, h);
parc_cl_run(parc_cl_kernel("inc"), 4, d);
parc_cl_read(d, h, sizeof h);
printf("%d\n", h[0]);
//---
*(volatile int *)0 = 1;
//---
fprintf(stderr, "%d\n", parc_cl_run(parc_cl_kernel("inc"), 4, d));
fprintf(stderr, "%d\n", parc_cl_read(d, h, sizeof h));
//---
%%opencl
kernel void again(global int *x) { }
//---
h[0]
