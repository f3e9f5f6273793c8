int kept = 1;
//---
int lost = 2;
int y = undefined_thing + 1;
//---
lost
//---
kept
//---
int f(int x) {
    return x +;
}
//---
printf("%d\n", kept)
  ;
int broken = "text" * 2;
//---
}
//---
int g(void) { return kept; }
g()
//---
printf("abc
//---
int q = 1;
//---
printf("%d\n,
       q);
//---
char c = 'a;
//---
int missing = ;
//---
int twice(int v) { return 2 * v; }
twice(3, )
//---
q = 4 * ;
//---
q
