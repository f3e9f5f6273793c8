int v = 1;
int get(void) { return v; }
//---
int v = 2;
//---
v
//---
get()
//---
double v = 2.5;
v * 2
//---
typedef struct { int a; } T;
T t = { 1 };
//---
typedef struct { int a, b; } T;
T t = { 1, 2 };
t
