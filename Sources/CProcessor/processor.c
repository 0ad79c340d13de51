#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <sched.h>
#include "CProcessor.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FD_X86 1
#endif

// Every function here is compiled for baseline x86-64 so that it runs, and can report a mismatch,
// on a processor older than the one the rest of the build targets.
#if FD_X86
#define FD_PORTABLE __attribute__((target("arch=x86-64")))
#else
#define FD_PORTABLE
#endif

FD_PORTABLE void fd_enable_flush_to_zero(void) {
#if FD_X86
    _mm_setcsr(_mm_getcsr() | 0x8040);
#endif
}

FD_PORTABLE int fd_flush_to_zero_enabled(void) {
#if FD_X86
    return (_mm_getcsr() & 0x8040) == 0x8040;
#else
    return 0;
#endif
}

FD_PORTABLE void fd_cpu_relax(void) {
#if FD_X86
    _mm_pause();
#endif
}

FD_PORTABLE fd_cpu_features fd_running_cpu_features(void) {
    fd_cpu_features f = {0, 0, 0};
#if FD_X86
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    f.fma = __builtin_cpu_supports("fma") ? 1 : 0;
    f.avx512f = __builtin_cpu_supports("avx512f") ? 1 : 0;
#endif
    return f;
}

FD_PORTABLE fd_cpu_features fd_build_cpu_features(void) {
    fd_cpu_features f = {0, 0, 0};
#ifdef __AVX2__
    f.avx2 = 1;
#endif
#ifdef __FMA__
    f.fma = 1;
#endif
#ifdef __AVX512F__
    f.avx512f = 1;
#endif
    return f;
}

FD_PORTABLE int fd_allowed_cpus(int *cpus, int capacity) {
#ifdef __linux__
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
    int n = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && n < capacity; cpu++) {
        if (CPU_ISSET(cpu, &set)) cpus[n++] = cpu;
    }
    return n;
#else
    (void)cpus; (void)capacity;
    return -1;
#endif
}

int fd_die_with_parent(void) {
    pid_t parent = getppid();
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return -1;
    return getppid() == parent ? 0 : -1;
}
