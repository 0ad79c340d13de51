#ifndef FD_STEPPER_H
#define FD_STEPPER_H

/*
 * The z-level primitive-equation ocean's kernels (forecastd's stepper), one function per phase of a time step.
 * Every phase works on a range of grid rows [j0, j1) and all levels, so the caller spreads rows over threads
 * and puts a barrier between phases. Fields live in one precision, chosen per model (`precision` 4: float,
 * 8: double), behind void pointers; the kernels are compiled once per precision.
 *
 * Layout: 3-D fields are [nz][ny + 4][nx + 4] with a halo of two cells on each horizontal side; pointers point
 * at the interior cell (k = 0, j = 0, i = 0), so cell (k, j, i) is p[k * sz + j * sy + i] for -2 <= i < nx + 2
 * and -2 <= j < ny + 2. 2-D fields use the same rows and columns. Row metrics are indexed by j with the same
 * halo. C-grid: u on the east face of its cell, v on the north face, vorticity on the north-east corner, w on
 * the top face (w[k] is the upward velocity through the top of layer k; w[0] is the free surface's rise).
 * Land halos hold zeros; with `periodic` set, the x halos copy the opposite edge.
 */

#include <stddef.h>

typedef struct fd_ocean {
    int precision;          /* 4 or 8: the element type of every field and metric below */
    int nx, ny, nz;
    long sy, sz;            /* row and level strides (elements) */
    int periodic;           /* 1: periodic in x */

    /* Row metrics [j]: cell width along the row (also the distance between u points), north-face length,
       cell area, corner (north-east) area and Coriolis parameter at the corner. Level thicknesses [k] and the
       reciprocal distance between centres of levels k - 1 and k [k] (0 for k = 0). */
    void *dx, *dxn, *area, *area_z, *f_z, *dz, *rdzw;
    double dy;

    /* Masks (1 wet, 0 land), 3-D; column depths at u and v faces (2-D) and their reciprocals (0 on land). */
    void *tmask, *umask, *vmask, *hu, *hv, *rhu, *rhv;

    /* Prognostic state: velocities, tracers, free surface, barotropic velocities (depth means). */
    void *u, *v, *t, *s, *eta, *ubt, *vbt;
    /* Momentum tendencies at the three latest steps (Adams-Bashforth 3): [0] newest. */
    void *gu[3], *gv[3];
    /* Work: advecting velocities (3-D, with w), density anomaly, hydrostatic pressure / rho0, relative vorticity
       for the Coriolis term and for viscosity, divergence, kinetic energy, new tracers, the free surface at the
       start of the step, the barotropic forcing and the sums of barotropic velocities over the substeps (the
       transports continuity and tracers use). */
    void *ua, *va, *w, *rho, *phi, *zeta, *zeta_v, *div, *ke, *tn, *sn, *eta_old, *fu, *fv, *ubt_sum, *vbt_sum;
    /* The free surface before the current substep's update. */
    void *eta_sub;
    /* Surface forcing at T points (2-D): wind stress (N/m2), net heat flux (W/m2, into the ocean), freshwater
       flux out of the ocean E - P (kg m-2 s-1) and the surface salinity to restore to. */
    void *taux, *tauy, *qnet, *fw, *sss_ref;

    /* Parameters (SI). ab[3]: Adams-Bashforth weights of gu[0], gu[1], gu[2]. */
    double dt, g, rho0, cp, alpha, beta, t0, s0, cabbeling;
    double ah, kh, av, kv, kconv, cd, noslip, ab[3], salt_ref, restore_rate;
} fd_ocean;

/* Density anomaly (kg/m3) and hydrostatic pressure divided by rho0 at T points, rows [j0, j1). */
void fd_oc_density(const fd_ocean *m, int j0, int j1);
/* Relative vorticity at corners, divergence and kinetic energy at T points, rows [j0, j1) (from -1 to ny). */
void fd_oc_diagnostics(const fd_ocean *m, int j0, int j1);
/* Slow momentum tendencies into gu[0] and gv[0], rows [j0, j1): energy-conserving vorticity term (less the
   Coriolis force on the barotropic flow, which the substeps carry), kinetic energy gradient, vertical
   advection, baroclinic pressure gradient, Laplacian viscosity, wind stress. */
void fd_oc_tendencies(const fd_ocean *m, int j0, int j1);
/* The Adams-Bashforth step to u* (written to ua and va), implicit vertical viscosity with quadratic bottom drag,
   and the barotropic forcing (depth mean of (u* - u) / dt), rows [j0, j1); also keeps eta as eta_old and
   clears the substep sums. */
void fd_oc_momentum(const fd_ocean *m, int j0, int j1);
/* The barotropic mode: M forward-backward substeps of dt / M. Each adds the current velocities to the sums
   (their mean is the transport continuity and tracers use: the new free surface is eta(n) - dt div(H U_mean),
   set in fd_oc_vertical_velocity, which is where the substeps end up, to rounding), moves the free surface
   forward, then the velocities with the Coriolis force (energy-conserving, the u and v updates alternating
   which goes first), the slow forcing and the gradient of a free surface weighted forward,
   (1 + theta) eta(m + 1) - theta eta(m) with theta = 0.2: that damps the fast waves the long step would
   otherwise alias into the Adams-Bashforth tendencies, and leaves the slow ones alone. */
void fd_oc_barotropic_eta(const fd_ocean *m, int j0, int j1, double dts);
void fd_oc_barotropic_u(const fd_ocean *m, int j0, int j1, double dts);
void fd_oc_barotropic_v(const fd_ocean *m, int j0, int j1, double dts);
/* Replaces the depth mean of u* by the barotropic solution (u at n + 1) and by the mean over the substeps
   (the advecting velocity ua), rows [j0, j1); `substeps` is the number of barotropic substeps. */
void fd_oc_velocity(const fd_ocean *m, int j0, int j1, int substeps);
/* Vertical velocity from the advecting velocities' divergence, bottom up, and the new free surface
   eta = eta_old + dt w(surface), rows [j0, j1). */
void fd_oc_vertical_velocity(const fd_ocean *m, int j0, int j1);
/* Tracers to tn and sn: flux-form advection with monotonized-central limited fluxes (forward in time, the same
   transports as continuity), Laplacian diffusion, surface fluxes and restoring, then implicit vertical
   diffusion with convective adjustment (kconv where the column is statically unstable), rows [j0, j1). */
void fd_oc_tracers(const fd_ocean *m, int j0, int j1);
/* Adds thetao, so, uo and vo (at T points), zos to the sums (double, [5][...] interior layout [nz][ny][nx]
   for the 3-D ones, [ny][nx] for zos), rows [j0, j1). */
void fd_oc_accumulate(const fd_ocean *m, int j0, int j1, double *thetao, double *so, double *uo, double *vo, double *zos);
/* Largest |u|, |v| and the first non-finite tracer, rows [j0, j1): out[0] max speed, out[1..3] its k, j, i;
   out[4] 1 if a tracer or the free surface is not finite, out[5..7] where, out[8] 0: thetao, 1: so, 2: zos. */
void fd_oc_check(const fd_ocean *m, int j0, int j1, double *out);
/* Copies a field's interior into / out of a contiguous double array of `levels` x ny x nx values. */
void fd_oc_get(const fd_ocean *m, const void *field, int levels, double *out);
void fd_oc_set(const fd_ocean *m, void *field, int levels, const double *in);
/* Fills the periodic x halos of a field with `levels` levels, rows [j0, j1). */
void fd_oc_halo(const fd_ocean *m, void *field, int levels, int j0, int j1);

#endif
