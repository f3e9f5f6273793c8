// OpenCL on PoCL (CPU): kernels built by a %%opencl cell, run from C cells
// through parc.h's helpers and the plain OpenCL API, checked against C.
%timeline off
//---
%%opencl --device 99
// No such device: the cell fails (before any device is open) and the
// session goes on without one.
kernel void k(global float *x) { }
//---
%%opencl --platform pocl
kernel void saxpy(float a, global const float *x, global float *y) {
    size_t i = get_global_id(0);
    y[i] = a * x[i] + y[i];
}
kernel void block_sums(global const int *x, global int *out, local int *tmp) {
    size_t l = get_local_id(0), n = get_local_size(0);
    tmp[l] = x[get_global_id(0)];
    for (size_t s = n / 2; s > 0; s /= 2) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (l < s)
            tmp[l] += tmp[l + s];
    }
    if (l == 0)
        out[get_group_id(0)] = tmp[0];
}
//---
enum { N = 100000 };
static float x[N], y[N], ref[N];
for (int i = 0; i < N; i++) { x[i] = i % 1000; y[i] = i % 7; ref[i] = 2.5f * x[i] + y[i]; }
parc_cl_buf *dx = parc_cl_buffer(sizeof x, x), *dy = parc_cl_buffer(sizeof y, y);
parc_cl_kern *saxpy = parc_cl_kernel("saxpy");
parc_cl_run(saxpy, N, 2.5f, dx, dy);
parc_cl_read(dy, y, sizeof y);
int bad = 0;
for (int i = 0; i < N; i++) bad += y[i] != ref[i];
printf("saxpy: %d of %d differ from C\n", bad, N);
//---
// The buffers and the kernel handle live on in later cells.
parc_cl_run(saxpy, N, 1.0f, dx, dy);
parc_cl_read(dy, y, sizeof y);
bad = 0;
for (int i = 0; i < N; i++) bad += y[i] != ref[i] + x[i];
printf("again: %d differ\n", bad);
//---
// Each kernel is also a C function cl_NAME(items, ARGS) with the kernel's
// argument types: the int 3 becomes the float 3.0f.
cl_saxpy(N, 3, dx, dy);
parc_cl_read(dy, y, sizeof y);
bad = 0;
for (int i = 0; i < N; i++) bad += y[i] != ref[i] + 4 * x[i];
printf("cl_saxpy: %d differ\n", bad);
%who functions
//---
// Local memory and an N-D range with a local size.
enum { M = 4096, B = 64 };
static int v[M], sums[M / B];
long long c_total = 0;
for (int i = 0; i < M; i++) { v[i] = (i * 37) % 101 - 50; c_total += v[i]; }
parc_cl_buf *dv = parc_cl_buffer(sizeof v, v), *ds = parc_cl_buffer(sizeof sums, NULL);
size_t global = M, local = B;
parc_cl_run_nd(parc_cl_kernel("block_sums"), 1, &global, &local, dv, ds, (size_t)(B * sizeof(int)));
parc_cl_read(ds, sums, sizeof sums);
long long cl_total = 0;
for (int i = 0; i < M / B; i++) cl_total += sums[i];
printf("block sums: %lld (C: %lld)\n", cl_total, c_total);
//---
// The plain OpenCL API on the session's objects.
#include <CL/cl.h>
float first[3];
cl_int err = clEnqueueReadBuffer(parc_cl_queue(), parc_cl_mem(dx), CL_TRUE, 0, sizeof first, first, 0, NULL, NULL);
printf("clEnqueueReadBuffer: %d, %g %g %g\n", err, first[0], first[1], first[2]);
//---
%%opencl
// Build errors name cell lines; the session goes on.
kernel void broken(global float *x) {
    x[get_global_id(0)] = undefined_name;
}
//---
%%opencl --device 9
kernel void k(global float *x) { }
//---
%%opencl --colour
//---
%%opencl
// A kernel redefined by a later cell: new lookups find the new one.
kernel void saxpy(float a, global const float *x, global float *y) {
    y[get_global_id(0)] = a;
}
//---
parc_cl_run(parc_cl_kernel("saxpy"), N, 7.0f, dx, dy);
parc_cl_read(dy, y, sizeof y);
printf("%g %g\n", y[0], y[N - 1]);
//---
// Misuse is reported, the cell goes on.
parc_cl_kern *none = parc_cl_kernel("no_such_kernel");
fprintf(stderr, "%d\n", parc_cl_run(none, 10));
parc_cl_free(dv);
fprintf(stderr, "%d\n", parc_cl_read(dv, v, sizeof v));
fprintf(stderr, "%d\n", parc_cl_read(dx, x, sizeof x + 4));
fprintf(stderr, "%d\n", parc_cl_run(saxpy, N, 2.0f, x, dy)); // a host array is no buffer
//---
// The timeline: a lane for the queue with the kernel (and its global size)
// and the copies (with their bandwidth).
parc_cl_run(saxpy, N, 2.0f, dx, dy);
parc_cl_read(dy, y, sizeof y);
//---
%timeline save /tmp/parc-test-opencl-timeline.json
!grep -o '"name":"OpenCL [^"]' /tmp/parc-test-opencl-timeline.json | sed 's/ .$/ DEVICE/'
!grep -o '"name":"\(saxpy global 100000\|read 400.0 kB, [0-9.]* GB/s\)"' /tmp/parc-test-opencl-timeline.json | sed 's/[0-9.]* GB/N GB/' | sort -u
!rm -f /tmp/parc-test-opencl-timeline.json
