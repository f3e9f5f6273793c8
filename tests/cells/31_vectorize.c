%%vectorize
// A scalar function becomes an array function; the scalar one stays.
#include <math.h>
float expon(float x, float y) { return expf(x) + expf(y); }
//---
%%vectorize --target omp
double hyp(double a, int k) { return sqrt(a * a + k * k); }
//---
%timeline off
enum { N = 100000 };
static float x[N], y[N], out[N];
static double a[N], h[N];
static int k[N];
for (int i = 0; i < N; i++) { x[i] = (i % 100) / 25.0f; y[i] = (i % 7) / 3.0f; a[i] = i * 0.5; k[i] = i % 13; }
expon_cpu(x, y, out, N);
int bad = 0;
for (int i = 0; i < N; i++) bad += out[i] != expon(x[i], y[i]);
printf("expon_cpu: %d of %d differ from the C loop\n", bad, N);
hyp_omp(a, k, h, N);
bad = 0;
for (int i = 0; i < N; i++) bad += h[i] != hyp(a[i], k[i]);
printf("hyp_omp: %d differ\n", bad);
//---
%%opencl --platform pocl
// The session's OpenCL device: PoCL, so that the output is the same on every machine.
kernel void unused(global int *x) { }
//---
%%vectorize --target opencl --name expon_gpu
float expon(float x, float y) { return expf(x) + expf(y); }
//---
expon_gpu(x, y, out, N);
bad = 0;
for (int i = 0; i < N; i++) bad += fabsf(out[i] - expon(x[i], y[i])) > 1e-6f * fabsf(expon(x[i], y[i]));
printf("expon_gpu: %d differ by more than 1e-6 (relative)\n", bad);
//---
%%vectorize --target opencl
unsigned collatz_steps(unsigned v) { unsigned s = 0; while (v > 1) { v = v % 2 ? 3 * v + 1 : v / 2; s++; } return s; }
//---
static unsigned seeds[1000], steps[1000];
for (unsigned i = 0; i < 1000; i++) seeds[i] = i + 1;
collatz_steps_opencl(seeds, steps, 1000);
bad = 0;
for (int i = 0; i < 1000; i++) bad += steps[i] != collatz_steps(seeds[i]);
printf("collatz_steps_opencl: %d differ, steps(27) = %u\n", bad, steps[26]);
//---
%%vectorize --target opencl
// OpenCL C errors name the cell's lines.
float bad_fn(float x) { return x + not_declared; }
//---
%%vectorize --target opencl
float twice(float *x) { return 2 * *x; }
//---
%%vectorize --target cuda2
float f(float x) { return x; }
//---
%%vectorize
int counter;
