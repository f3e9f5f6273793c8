42
//---
3.14159
//---
M_PI
//---
1.0f / 3
//---
const char *s = "hi";
s
//---
"a\tquoted \"string\"\n"
//---
'a'
//---
char c = 'z';
c
//---
bool yes = true;
yes
//---
1 == 1
//---
unsigned u = 4000000000u;
u
//---
uint8_t small = 200;
small
//---
int64_t big = -9000000000;
big
//---
size_t sz = sizeof(double);
sz
//---
int a[5] = {1, 2, 3, 4, 5};
a
//---
double d3[3] = {0.5, 1.5, 2.5};
d3
//---
int many[12] = {0};
many
//---
char word[8] = "parc";
word
//---
int *null_ptr = NULL;
null_ptr
//---
typedef struct { int id; double score; char name[8]; } rec;
rec r = { 7, 9.5, "ada" };
r
//---
struct pair { int a, b; };
struct pair pr = { 1, 2 };
pr
//---
rec rs[2] = { {1, 1.0, "x"}, {2, 2.0, "y"} };
rs
//---
typedef struct { struct pair inner; int k; } outer;
outer o = { {3, 4}, 5 };
o
//---
free(NULL)
//---
(long)sizeof(rec) * 2
//---
-7 / 2
//---
(short)-3
//---
(unsigned char)255
