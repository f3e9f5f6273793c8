// %%cuda without a GPU (PARC_CUDA_DEVICE=none stands for a machine without
// one): cells still compile with nvcc or NVRTC, errors name cell lines, the
// cell says why no device is used, extern "C" host functions join the
// session both ways, nvcc runs again only when the text or flags change, and
// %%vectorize --target cuda builds its kernel.
// The session works in a new folder of its own (cache, nvcc's call log),
// removed at the end.
%env PARC_CUDA_DEVICE=none
%env PARC_CACHE_DIR=cache
%env PARC_NVCC=./nvcc.sh
#include <unistd.h>
char work_dir[] = "/tmp/parc-test-32-XXXXXX";
chdir(mkdtemp(work_dir));
//---
%%writefile nvcc.sh
#!/bin/sh
echo nvcc >> nvcc.log
exec /usr/local/cuda/bin/nvcc "$@"
//---
!chmod +x nvcc.sh
int offset = 100;
//---
%%cuda
extern "C" int offset;
__global__ void add_k(int *p, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        p[i] += 1;
}
extern "C" int add_offset(int x)
{
    return x + offset;
}
//---
add_offset(5)
//---
%%cuda
extern "C" int broken(int x)
{
    return x + missing_name;
}
//---
%%cuda
__global__ void k(float *x)
{
    x[0] = 1.0f
}
//---
%%cuda --nvrtc
__global__ void scale(float *x, float a, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        x[i] *= a;
}
//---
parc_cuda_launch("scale", 1, 32, NULL)
//---
%%cuda --nvrtc
extern "C" void host_code(void) {}
//---
!wc -l < nvcc.log
//---
%%cuda
extern "C" int offset;
__global__ void add_k(int *p, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        p[i] += 1;
}
extern "C" int add_offset(int x)
{
    return x + offset;
}
//---
!wc -l < nvcc.log
//---
%%cuda -DSTEP=2
extern "C" int offset;
extern "C" int add_offset(int x)
{
    return x + offset + STEP;
}
//---
!wc -l < nvcc.log
add_offset(5)
//---
%%vectorize --target cuda
#include <math.h>
float expon(float x, float y) { return expf(x) + expf(y); }
//---
float a[4] = {0, 1, 2, 3}, b[4] = {0}, r[4];
expon_cuda(a, b, r, 4);
expon(1, 0)
//---
%%vectorize --target cuda
float bad(float x) { return x + nope; }
//---
%%cuda --bogus
extern "C" int unused(void) { return 0; }
//---
chdir("/tmp");
char rm_cmd[64];
snprintf(rm_cmd, sizeof rm_cmd, "rm -rf '%s'", work_dir);
if (strncmp(work_dir, "/tmp/parc-test-32-", 18) == 0 && strlen(work_dir) == 24)
    system(rm_cmd);
