int primes[] = {2, 3, 5, 7};
//---
sizeof primes / sizeof primes[0]
//---
primes
//---
char msg[] = "hi" " \x41\n";
sizeof msg
//---
int seven(void) { return 7; }
int a[] = {seven(), 2, 3,};
//---
a
//---
int *B = &a[0], *C = &a[1];
int *BC[] = {B, C};
//---
*BC[0] + *BC[1] + (int)(sizeof BC / sizeof BC[0])
//---
int m[][2] = {{seven(), 1}, {2, 3}};
sizeof m / sizeof m[0]
//---
int d[] = {[2] = seven(), 8};
//---
d
//---
char *names[] = {"ada", "bob"};
char word[] = {"xyz"};
sizeof names / sizeof *names + sizeof word
//---
char sized[4] = {"ab"};
char rows[][4] = {"ab"};
char two[2][4] = {"ab"};
struct tagged { char tag[4]; };
struct tagged tg = {"abc"}, tgs[] = {"abc"};
sizeof sized + sizeof rows + sizeof two + sizeof tgs
//---
tg
