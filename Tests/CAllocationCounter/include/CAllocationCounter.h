#ifndef FORECASTD_CALLOCATIONCOUNTER_H
#define FORECASTD_CALLOCATIONCOUNTER_H
/// Counts heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc, memalign) made by
/// threads that enabled counting. Linked into the test binary only: it interposes the C allocator.

/// Starts or stops counting allocations made by the calling thread.
void fd_count_allocations_on_this_thread(int enabled);

/// Allocations counted so far, all counting threads together.
long fd_counted_allocations(void);
#endif
