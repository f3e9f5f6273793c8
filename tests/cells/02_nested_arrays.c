double mat[2][3] = {{1, 2, 3}, {4, 5, 6.5}};
mat
//---
int pairs[12][2] = {{1, 2}, {3, 4}};
pairs
//---
char words[2][4] = {"ab", "cde"};
const char *names[] = {"ada", "bob", "cy"};
int *ptrs[2] = {0, &pairs[1][1]};
*ptrs[1] + (int)(sizeof names / sizeof *names)
//---
words
//---
names
//---
typedef struct { int r, g; } px;
px img[2][2] = {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}};
img
//---
%whos
//---
const char *wild[3] = {"ok", (const char *)8, "after"};
wild
