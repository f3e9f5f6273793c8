%cc
//---
%%c --cc clang -O2
int twice(int x) { return 2 * x; }
double g = 1.5;
//---
twice(21) + (int)(2 * g)
//---
int tadd(int a) { return a + 100; }
int tg = 7;
//---
%%c --cc gcc -O1
int r = tadd(tg) + twice(1);
r
//---
tadd(r)
//---
%cc clang -O2
//---
%cc
//---
typedef struct { int x, y; } point;
point p = {3, 4};
p
//---
void hello(void) { printf("hello from clang\n"); }
//---
%cc tcc
//---
hello();
p.x + twice(p.y)
//---
%ldflags
%ldflags -lm
%ldflags
//---
%%c --cc clang
int bad = y + 1;
//---
%%c --cc gcc
int bad2 = z + 1;
//---
%%c --cc clang
int w = 1;
int unused_warning(void) { int v; return 0; }
w
//---
%%c --cc no-such-compiler
int q = 1;
//---
%%c --cc clang --frobnicate
//---
%%c --cc gcc --remarks
//---
%cc clang-999
