#include <math.h>
double sq(double x) { return x * x; }
int n = 10;
//---
n += 5; printf("%d %g\n", n, sq(n));
//---
typedef struct { double x, y; } point;
point p = { 3, 4 };
double *buf = malloc(1000 * sizeof *buf);
//---
sqrt(sq(p.x) + sq(p.y))
//---
for (int i = 0; i < 3; i++) printf("%d ", i);
//---
double sq(double x) { return 2 * x; }  sq(3)
//---
buf != NULL
//---
n
