#define _GNU_SOURCE
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <sched.h>
#include <sys/syscall.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif
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

#if FD_X86
/// XCR0: which register states the operating system saves (0 without OSXSAVE).
FD_PORTABLE static unsigned long long fd_xcr0(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27))) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif

FD_PORTABLE fd_cpu_features fd_running_cpu_features(void) {
    fd_cpu_features f = {0};
#if FD_X86
    __builtin_cpu_init();
    f.avx2 = __builtin_cpu_supports("avx2") ? 1 : 0;
    f.fma = __builtin_cpu_supports("fma") ? 1 : 0;
    f.avx512f = __builtin_cpu_supports("avx512f") ? 1 : 0;
    unsigned long long xcr0 = fd_xcr0();
    unsigned a, b, c, d;
    int avx512_state = (xcr0 & 0xe6) == 0xe6;
    int tile_state = (xcr0 & (3ull << 17)) == (3ull << 17);
    if (__get_cpuid_count(7, 1, &a, &b, &c, &d)) f.avx512bf16 = f.avx512f && avx512_state && (a & (1u << 5)) ? 1 : 0;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        f.amx_tile = tile_state && (d & (1u << 24)) ? 1 : 0;
        f.amx_bf16 = tile_state && (d & (1u << 22)) ? 1 : 0;
    }
#endif
    return f;
}

FD_PORTABLE int fd_request_amx_permission(void) {
#if defined(__linux__) && defined(__x86_64__)
    return syscall(SYS_arch_prctl, 0x1023 /* ARCH_REQ_XCOMP_PERM */, 18 /* XFEATURE_XTILEDATA */) == 0 ? 1 : 0;
#else
    return 0;
#endif
}

FD_PORTABLE fd_cpu_features fd_build_cpu_features(void) {
    fd_cpu_features f = {0};
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
