#include "CAllocationCounter.h"
#include <errno.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static _Thread_local int counting;
static long counted;
static long countedLarge;

static inline void note(size_t size) {
    if (counting) {
        __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
        if (size > FD_SMALL_ALLOCATION) __atomic_add_fetch(&countedLarge, 1, __ATOMIC_RELAXED);
    }
}

void fd_count_allocations_on_this_thread(int enabled) { counting = enabled; }
long fd_counted_allocations(void) { return __atomic_load_n(&counted, __ATOMIC_RELAXED); }
long fd_counted_large_allocations(void) { return __atomic_load_n(&countedLarge, __ATOMIC_RELAXED); }

void *malloc(size_t size) { note(size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { note(n * size); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { note(size); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { note(size); return __libc_memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    note(size);
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
// Anonymous maps are allocations too (large tensors are mapped); glibc's own maps (malloc's, thread stacks) go
// through its internal call and are not counted twice.
void *mmap(void *address, size_t length, int protection, int flags, int descriptor, off_t offset) {
    if (flags & MAP_ANONYMOUS) note(length);
    return (void *)syscall(SYS_mmap, address, length, protection, flags, descriptor, offset);
}
