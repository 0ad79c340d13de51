#ifndef FORECASTD_CALLOCATIONCOUNTER_H
#define FORECASTD_CALLOCATIONCOUNTER_H
/// Counts heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign, anonymous mmap)
/// made by threads that enabled counting. Linked into the test binary only: it interposes the C allocator.

/// Starts or stops counting allocations made by the calling thread.
void fd_count_allocations_on_this_thread(int enabled);

/// Allocations counted so far, all counting threads together.
long fd_counted_allocations(void);

/// Size above which an allocation counts as large: more than a closure context or a small box.
#define FD_SMALL_ALLOCATION 64

/// Allocations of more than FD_SMALL_ALLOCATION bytes counted so far.
long fd_counted_large_allocations(void);
#endif
