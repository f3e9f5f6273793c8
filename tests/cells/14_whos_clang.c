%%c --cc clang -O2
double cg = 2.5;
long cl_count = 42;
int cfun(int v) { return v * 3; }
typedef struct { int a, b; } pair;
pair cp = {1, 2};
//---
%%c --cc gcc -O1
unsigned short gs = 7;
//---
int from_tcc = 5;
//---
cg * cfun(2) + gs
//---
%whos
//---
__int128 big = (__int128)1 << 100;
-big
//---
unsigned __int128 all_ones = ~(unsigned __int128)0;
all_ones
//---
int ones(unsigned v) { return __builtin_popcount(v); }
ones(0xff) + __builtin_ctz(8)
