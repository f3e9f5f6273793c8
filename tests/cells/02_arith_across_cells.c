int k = 42; double g = 1.5;
//---
k + g
//---
g + k
//---
k * g
//---
double h = 2.5; float f = 0.25f; long double L = 2;
//---
h + g
//---
h / g
//---
k - g < h
//---
g < h
//---
k + f
//---
f * g
//---
L + g
//---
double darr[3] = {0.5, 1.5, 2.5};
struct { double x; int n; } s = {4.0, 3};
//---
darr[1] + darr[2] * g
//---
s.x / s.n - g
//---
g += h;
g
//---
unsigned char uc = 200; short sh = -3;
//---
uc + sh
//---
uc * g
//---
double mean = (k + g + h) / 3;
printf("%.4f\n", mean);
