/* shm.c — memory shared by a cell and the processes it forks (see
 * parc.h): parc_shared_alloc for cells, shm_map for the runtime. Each
 * block is its own MAP_SHARED mapping, so no allocator state is shared
 * with any other process (a cell that crashes cannot leave it broken). */
#include "pool.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

unsigned rt_shm_gen;

/* Where every block starts: its size, before the user's bytes. */
struct shm_head {
    size_t size;  /* of the whole mapping */
    size_t magic;
    size_t pad[6]; /* keeps the user's bytes 64-byte aligned */
};

#define SHM_MAGIC ((size_t)0x70617263u << 16 | 0x5348)

void *shm_map(size_t size)
{
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void shm_unmap(void *p, size_t size)
{
    if (p)
        munmap(p, size);
}

void *parc_shared_alloc(size_t size)
{
    if (size == 0) {
        rt_error("parc_shared_alloc: size is 0");
        return NULL;
    }
    if (size > SIZE_MAX - sizeof(struct shm_head) - 4096) {
        rt_error("parc_shared_alloc: %zu bytes is too large", size);
        return NULL;
    }
    size_t total = (size + sizeof(struct shm_head) + 4095) & ~(size_t)4095;
    struct shm_head *h = shm_map(total);
    if (!h) {
        rt_error("parc_shared_alloc: cannot map %zu bytes: %s", size, strerror(errno));
        return NULL;
    }
    h->size = total;
    h->magic = SHM_MAGIC;
    rt_shm_gen++;
    return h + 1;
}

void parc_shared_free(void *p)
{
    if (!p)
        return;
    struct shm_head *h = (struct shm_head *)p - 1;
    if (((uintptr_t)h & 4095) || h->magic != SHM_MAGIC) {
        rt_error("parc_shared_free: %p was not returned by parc_shared_alloc", p);
        return;
    }
    h->magic = 0;
    munmap(h, h->size);
}
