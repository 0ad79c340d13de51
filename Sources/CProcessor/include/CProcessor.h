#ifndef FORECASTD_CPROCESSOR_H
#define FORECASTD_CPROCESSOR_H

/// Processor and process controls Swift has no API for: the floating-point environment of the calling thread,
/// a spin-wait hint, CPU feature detection, and tying a helper process's life to its parent's.

/// Sets flush-to-zero and denormals-are-zero (MXCSR bits 15 and 6) on the calling thread.
void fd_enable_flush_to_zero(void);

/// 1 when both flush-to-zero and denormals-are-zero are set on the calling thread.
int fd_flush_to_zero_enabled(void);

/// Asks the kernel to kill this process (SIGKILL) when the process that started it ends (Linux's
/// PR_SET_PDEATHSIG); returns 0, or -1 when that parent has already ended or the request failed.
int fd_die_with_parent(void);

/// A spin-wait hint (`pause` on x86).
void fd_cpu_relax(void);

/// Instruction-set features of the running processor.
typedef struct {
    int avx2;
    int fma;
    int avx512f;
    /// AVX512-BF16 (VDPBF16PS), with the operating system saving AVX-512 state.
    int avx512bf16;
    /// AMX-TILE and AMX-BF16, with the operating system saving tile state (XCR0 bits 17 and 18).
    int amx_tile;
    int amx_bf16;
} fd_cpu_features;

/// Asks Linux for permission to use AMX tile data in this process (arch_prctl ARCH_REQ_XCOMP_PERM,
/// XFEATURE_XTILEDATA); 1 when granted (or already), 0 otherwise.
int fd_request_amx_permission(void);

/// Writes the CPU numbers this process may run on (its affinity mask) to `cpus`, at most `capacity` of
/// them; returns how many, or -1 where the mask cannot be read.
int fd_allowed_cpus(int *cpus, int capacity);

/// Features of the processor this process runs on.
fd_cpu_features fd_running_cpu_features(void);

/// Features the kernels were compiled to assume (from the build's target CPU).
fd_cpu_features fd_build_cpu_features(void);

#endif
