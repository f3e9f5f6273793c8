__thread int tl = 5;
int get_tl(void) { return tl; }
int twice_tl(void) { return 2 * get_tl(); }
//---
get_tl() + twice_tl()
//---
_Thread_local int tl = 7;
int get_tl(void) { return tl * 10; }
//---
get_tl() + tl
//---
tl = 3;
get_tl()
//---
int from_tcc(void) { return get_tl() + 1; }
from_tcc()
//---
__thread int t2 = 1;
double rate = 1.5;
//---
int whole = 42;
whole + rate
