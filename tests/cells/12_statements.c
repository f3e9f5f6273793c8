int total = 0;
int twice(int x);
//---
int twice(int x) { return 2 * x; }
//---
for (int i = 0; i < 4; i++) total += twice(i);
if (total > 10) printf("big %d\n", total); else printf("small %d\n", total);
//---
int k = 0;
do { k++; } while (k < 3);
switch (k) { case 3: printf("three\n"); break; default: printf("other\n"); }
//---
static int hidden = 5;
static inline int inc(int v) { return v + 1; }
//---
inc(hidden)
//---
int base = 40;
int derived = base + 2;
derived
//---
typedef struct { int x, y; } pt;
pt q;
q = (pt){ 1, 2 };
q.x + q.y
//---
enum color { RED, GREEN, BLUE };
enum color col = BLUE;
col
//---
#define SQUARE(v) ((v) * (v))
//---
SQUARE(7)
//---
/* comment with { braces } and ; semicolons */
const char *msg = "a } b ; c";
msg
