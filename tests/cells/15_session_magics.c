%who
//---
%whos
//---
int n = 5;
typedef struct { int x, y; } point;
point p = {3, 4};
point *pp = &p;
int arr[12] = {1, 2, 3};
const char *msg = "hello";
double ratio = 0.25;
char long_text[64] = "a text longer than the forty characters a value may take";
#define SCALE 10
#define SQ(x) ((x) * (x))
struct node { int v; struct node *next; };
enum color { RED, GREEN };
int square(int x) { return x * x; }
double area(double r);
//---
%who
//---
%who functions
//---
%who types
//---
%who things
//---
n = 6;
%whos
//---
%whos p
//---
%whos
%whos
//---
%history
//---
%history -n
//---
%history -x
//---
%limit time 50
%cflags -DFOO=7
//---
%reset
//---
n
//---
%reset -x
//---
%reset -f
FOO
//---
n
//---
%who
//---
%limit
//---
%history -n
//---
int again = 2;
%reset
//---
again
