/* The stepper's kernels in float and double, and the entry points that pick one by the model's precision. */
#include "CStepper.h"
#include <stdlib.h>

#define R float
#define FN(name) name##_f32
#include "stepper_kernels.h"
#undef R
#undef FN

#define R double
#define FN(name) name##_f64
#include "stepper_kernels.h"
#undef R
#undef FN

#define DISPATCH(name, ...) \
    do { if (m->precision == 4) name##_f32(__VA_ARGS__); else name##_f64(__VA_ARGS__); } while (0)

void fd_oc_density(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_density, m, j0, j1); }
void fd_oc_diagnostics(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_diagnostics, m, j0, j1); }
void fd_oc_tendencies(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_tendencies, m, j0, j1); }
void fd_oc_momentum(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_momentum, m, j0, j1); }
void fd_oc_barotropic_eta(const fd_ocean *m, int j0, int j1, double dts) { DISPATCH(fd_oc_barotropic_eta, m, j0, j1, dts); }
void fd_oc_barotropic_u(const fd_ocean *m, int j0, int j1, double dts) { DISPATCH(fd_oc_barotropic_u, m, j0, j1, dts); }
void fd_oc_barotropic_v(const fd_ocean *m, int j0, int j1, double dts) { DISPATCH(fd_oc_barotropic_v, m, j0, j1, dts); }
void fd_oc_velocity(const fd_ocean *m, int j0, int j1, int substeps) { DISPATCH(fd_oc_velocity, m, j0, j1, substeps); }
void fd_oc_vertical_velocity(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_vertical_velocity, m, j0, j1); }
void fd_oc_tracers(const fd_ocean *m, int j0, int j1) { DISPATCH(fd_oc_tracers, m, j0, j1); }
void fd_oc_accumulate(const fd_ocean *m, int j0, int j1, double *thetao, double *so, double *uo, double *vo, double *zos) {
    DISPATCH(fd_oc_accumulate, m, j0, j1, thetao, so, uo, vo, zos);
}
void fd_oc_check(const fd_ocean *m, int j0, int j1, double *out) { DISPATCH(fd_oc_check, m, j0, j1, out); }
void fd_oc_get(const fd_ocean *m, const void *field, int levels, double *out) { DISPATCH(fd_oc_get, m, field, levels, out); }
void fd_oc_set(const fd_ocean *m, void *field, int levels, const double *in) { DISPATCH(fd_oc_set, m, field, levels, in); }
void fd_oc_halo(const fd_ocean *m, void *field, int levels, int j0, int j1) {
    if (m->precision == 4) halo_f32(m, field, levels, j0, j1); else halo_f64(m, field, levels, j0, j1);
}
