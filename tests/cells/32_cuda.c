// %%cuda without a GPU (PARC_CUDA_DEVICE=none stands for a machine without
// one): cells still compile with nvcc or NVRTC, errors name cell lines, the
// cell says why no device is used, extern "C" host functions join the
// session both ways, nvcc runs again only when the text or flags change, and
// %%vectorize --target cuda builds its kernel.
%env PARC_CUDA_DEVICE=none
%env PARC_CACHE_DIR=/tmp/parc-test-32-cuda-cache
!rm -rf /tmp/parc-test-32-cuda-cache /tmp/parc-test-32-nvcc.log
//---
%%writefile /tmp/parc-test-32-nvcc.sh
#!/bin/sh
echo nvcc >> /tmp/parc-test-32-nvcc.log
exec /usr/local/cuda/bin/nvcc "$@"
//---
!chmod +x /tmp/parc-test-32-nvcc.sh
%env PARC_NVCC=/tmp/parc-test-32-nvcc.sh
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
!wc -l < /tmp/parc-test-32-nvcc.log
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
!wc -l < /tmp/parc-test-32-nvcc.log
//---
%%cuda -DSTEP=2
extern "C" int offset;
extern "C" int add_offset(int x)
{
    return x + offset + STEP;
}
//---
!wc -l < /tmp/parc-test-32-nvcc.log
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
