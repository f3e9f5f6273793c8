int cube[2][3][4];
for (int i = 0; i < 24; i++)
    cube[i / 12][i / 4 % 3][i % 4] = i;
cube
//---
float f3[2][2][2] = {{{0.5f, 1}, {1.5f, 2}}, {{2.5f, 3}, {3.5f, 4}}};
f3
//---
double d4[2][1][2][2] = {{{{0.25, 1}, {2, 3}}}, {{{4, 5}, {6, 7.125}}}};
d4
//---
char names3[2][2][6] = {{"ada", "bob"}, {"cy", "dee"}};
names3
//---
short wide[11][1][12] = {[0][0][9] = 7, [9][0][0] = 9, [10][0][0] = 5};
wide
//---
typedef struct { int r, g; } px;
px frames[2][1][2] = {{{{1, 2}, {3, 4}}}, {{{5, 6}, {7, 8}}}};
frames
//---
struct grid {
    int pair[2];
    double cells[2][2][2];
    char label[8];
    px corner[1][2];
} g = {{10, 20}, {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}, "grid", {{{1, 1}, {2, 2}}}};
g
//---
cube[1]
//---
cube[1][2]
//---
g.pair
//---
g.cells[1]
//---
g.corner[0][1]
//---
frames[1][0]
//---
%whos
//---
double big3[12][12][12];
for (int i = 0; i < 12; i++)
    for (int j = 0; j < 12; j++)
        for (int k = 0; k < 12; k++)
            big3[i][j][k] = i * 100 + j + k / 100.0;
big3
//---
struct tall { int a[20][20]; int b[5]; const char *s[2]; int c; } tl = {.b = {1, 2}, .s = {"x", "y"}, .c = 3};
tl
//---
int deep[2][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1][1] = {{{{{{{{{{{{{{{{{{5}}}}}}}}}}}}}}}}}};
deep
//---
struct flex { int n; double d[]; } fx = {3};
fx
//---
struct flex *pfx = &fx;
pfx
//---
1 + 1
//---
int rows2[2][3] = {{1, 2, 3}, {4, 5, 6}};
int (*prow)[3] = rows2;
prow[1]
//---
int (*fns[2])(int) = {0};
fns[1]
//---
typedef int row3[3];
typedef int *intp;
row3 one3 = {7, 8, 9}, two3[2] = {{1, 2, 3}, {4, 5, 6}};
intp ip3 = &one3[1];
one3
//---
two3[1]
//---
ip3
//---
const char *const cwords[2][2] = {{"a", "b"}, {"c", NULL}};
int *const cptrs[2] = {0};
cwords
//---
cptrs
//---
int twice3(int x) { return 2 * x; }
int (*fp3)(int) = twice3;
fp3
