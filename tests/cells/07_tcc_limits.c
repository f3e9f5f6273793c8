int counter = 0;
//---
_Atomic int ac = 0;
//---
__thread int tl = 0;
//---
#include <stdatomic.h>
//---
#pragma omp parallel for reduction(+:counter)
for (int i = 0; i < 4; i++) counter++;
//---
__int128 big = 1;
//---
long c = 0;
parc_atomic_add(&c, 5);
parc_atomic_cas(&c, 5, 9);
parc_atomic_load(&c)
//---
counter
