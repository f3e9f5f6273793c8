/* atomic.c — atomics for cells compiled by TinyCC (see parc.h). */
#include "parc.h"

long parc_atomic_add(long *p, long v)
{
    return __atomic_fetch_add(p, v, __ATOMIC_SEQ_CST);
}

int parc_atomic_cas(long *p, long expected, long desired)
{
    return __atomic_compare_exchange_n(p, &expected, desired, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

long parc_atomic_load(const long *p)
{
    return __atomic_load_n(p, __ATOMIC_SEQ_CST);
}

void parc_atomic_store(long *p, long v)
{
    __atomic_store_n(p, v, __ATOMIC_SEQ_CST);
}
