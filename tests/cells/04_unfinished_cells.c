int base = 40;
//---
int v = base +
//---
int *
//---
double avg = (base + 2) /   // the divisor is missing
//---
#define TWICE(x) 2 *
TWICE(base) 1 + 2 +
    base
//---
int w = base ==
    40;
w
