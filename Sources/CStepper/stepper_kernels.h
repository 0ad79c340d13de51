/*
 * The stepper's kernels for one precision. stepper.c includes this file twice, with R defined as float and
 * then double and FN(name) adding the matching suffix; no include guard on purpose.
 */

#define F(field) ((R *)m->field)
/* Forward weight of the free surface in the barotropic velocity update (see CStepper.h). */
#define THETA ((R)0.2)

/* Monotonized-central limited slope from the upstream difference a and the local difference b: psi(a / b) b. */
static inline R FN(limited)(R a, R b) {
    R aa = a < 0 ? -a : a, bb = b < 0 ? -b : b;
    R l = 2 * aa < 2 * bb ? 2 * aa : 2 * bb;
    R c = (aa + bb) / 2;
    l = c < l ? c : l;
    l = a * b > 0 ? l : 0;
    return b > 0 ? l : -l;
}

/* The value carried through a face by a velocity of Courant number cr (positive from cell m to cell p), from the
   cells mm, m, p, pp along that direction and the masks of the faces mm|m, m|p, p|pp: upwind plus the
   Lax-Wendroff correction, limited. */
static inline R FN(face)(R cr, R tmm, R tm, R tp, R tpp, R mask_m, R mask0, R mask_p) {
    R d0 = (tp - tm) * mask0;
    R upwards = tm + (R)0.5 * (1 - cr) * FN(limited)((tm - tmm) * mask_m, d0);
    R downwards = tp - (R)0.5 * (1 + cr) * FN(limited)((tpp - tp) * mask_p, d0);
    return cr >= 0 ? upwards : downwards;
}

static inline R FN(density_of)(const fd_ocean *m, R t, R s) {
    R d = t - (R)m->t0;
    return (R)m->rho0 * (-(R)m->alpha * d - (R)(0.5 * m->cabbeling) * d * d + (R)m->beta * (s - (R)m->s0));
}

static void FN(halo)(const fd_ocean *m, R *f, int levels, int j0, int j1) {
    if (!m->periodic) return;
    int nx = m->nx;
    for (int k = 0; k < levels; k++) {
        for (int j = j0; j < j1; j++) {
            R *row = f + k * m->sz + j * m->sy;
            row[-2] = row[nx - 2];
            row[-1] = row[nx - 1];
            row[nx] = row[0];
            row[nx + 1] = row[1];
        }
    }
}

/* Solves, for every column i of one row, (h_k x_k - h_k d_k) = kap_{k+1} (x_{k+1} - x_k) - kap_k (x_k - x_{k-1})
   minus drag_k x_k, where x holds d on entry (level stride sz) and kap[k][i] couples levels k - 1 and k
   (already multiplied by dt and masked); h[k][i] is the layer thickness. cp is scratch of nz x nx. */
static void FN(implicit_columns)(const fd_ocean *m, R *x, const R *kap, const R *h, const R *drag, R *cp) {
    int nx = m->nx, nz = m->nz;
    for (int k = 0; k < nz; k++) {
        const R *ka = kap + (long)k * nx, *hk = h + (long)k * nx;
        const R *kb = k + 1 < nz ? kap + (long)(k + 1) * nx : NULL;
        R *xk = x + k * m->sz, *ck = cp + (long)k * nx;
        const R *xu = k > 0 ? x + (k - 1) * m->sz : NULL, *cu = k > 0 ? cp + (long)(k - 1) * nx : NULL;
        for (int i = 0; i < nx; i++) {
            R upper = kb ? kb[i] : 0;
            R lower = k > 0 ? ka[i] : 0;
            R diag = hk[i] + lower + upper + (drag ? drag[(long)k * nx + i] : 0);
            R a = -lower, c = -upper, rhs = hk[i] * xk[i];
            R prev_c = k > 0 ? cu[i] : 0, prev_x = k > 0 ? xu[i] : 0;
            R denominator = 1 / (diag - a * prev_c);
            ck[i] = c * denominator;
            xk[i] = (rhs - a * prev_x) * denominator;
        }
    }
    for (int k = nz - 2; k >= 0; k--) {
        R *xk = x + k * m->sz;
        const R *xb = x + (k + 1) * m->sz, *ck = cp + (long)k * nx;
        for (int i = 0; i < nx; i++) xk[i] -= ck[i] * xb[i];
    }
}

void FN(fd_oc_density)(const fd_ocean *m, int j0, int j1) {
    const R *t = F(t), *s = F(s), *dz = F(dz);
    R *rho = F(rho), *phi = F(phi);
    R g = (R)(m->g / m->rho0);
    for (int j = j0; j < j1; j++) {
        for (int k = 0; k < m->nz; k++) {
            long row = k * m->sz + j * m->sy;
            for (int i = -2; i < m->nx + 2; i++) {
                long c = row + i;
                R r = FN(density_of)(m, t[c], s[c]);
                rho[c] = r;
                phi[c] = k == 0 ? g * r * dz[0] / 2 : phi[c - m->sz] + g * (rho[c - m->sz] * dz[k - 1] + r * dz[k]) / 2;
            }
        }
    }
}

void FN(fd_oc_diagnostics)(const fd_ocean *m, int j0, int j1) {
    const R *u = F(u), *v = F(v), *tmask = F(tmask), *dx = F(dx), *dxn = F(dxn), *area = F(area), *area_z = F(area_z);
    R *zeta = F(zeta), *zeta_v = F(zeta_v), *div = F(div), *ke = F(ke);
    R dy = (R)m->dy, noslip = (R)m->noslip;
    long sy = m->sy;
    for (int j = j0; j < j1; j++) {
        for (int k = 0; k < m->nz; k++) {
            long row = k * m->sz + j * sy;
            for (int i = -1; i < m->nx + 1; i++) {
                long c = row + i;
                R circulation = (v[c + 1] - v[c]) * dy - u[c + sy] * dx[j + 1] + u[c] * dx[j];
                R z = circulation / area_z[j];
                R wet = tmask[c] * tmask[c + 1] * tmask[c + sy] * tmask[c + sy + 1];
                zeta[c] = z * wet;
                zeta_v[c] = wet > 0 ? z : noslip * z;
                div[c] = ((u[c] - u[c - 1]) * dy + v[c] * dxn[j] - v[c - sy] * dxn[j - 1]) / area[j];
                ke[c] = (R)0.25 * (u[c] * u[c] + u[c - 1] * u[c - 1] + v[c] * v[c] + v[c - sy] * v[c - sy]);
            }
        }
    }
}

/* The Coriolis force on the barotropic flow at the u face c of row j (f times the transports of the four
   surrounding v faces, the energy-conserving average) and at the v face. */
static inline R FN(coriolis_u)(const fd_ocean *m, long c, int j) {
    const R *vbt = F(vbt), *hv = F(hv), *f = F(f_z), *dxn = F(dxn);
    long sy = m->sy;
    R north = f[j] * (hv[c] * vbt[c] + hv[c + 1] * vbt[c + 1]) * dxn[j];
    R south = f[j - 1] * (hv[c - sy] * vbt[c - sy] + hv[c - sy + 1] * vbt[c - sy + 1]) * dxn[j - 1];
    return (R)0.25 * (north + south) * F(rhu)[c] / F(dx)[j];
}

static inline R FN(coriolis_v)(const fd_ocean *m, long c, int j) {
    const R *ubt = F(ubt), *hu = F(hu);
    long sy = m->sy;
    R west = hu[c - 1] * ubt[c - 1] + hu[c - 1 + sy] * ubt[c - 1 + sy], east = hu[c] * ubt[c] + hu[c + sy] * ubt[c + sy];
    return -(R)0.25 * F(f_z)[j] * (west + east) * F(rhv)[c];
}

/* The Coriolis force on the barotropic flow is taken out (fast_u, fast_v): the substeps carry it, and the
   Adams-Bashforth extrapolation of the fast waves it would otherwise see is unstable. */
void FN(fd_oc_tendencies)(const fd_ocean *m, int j0, int j1) {
    const R *u = F(u), *v = F(v), *w = F(w), *umask = F(umask), *vmask = F(vmask);
    const R *zeta = F(zeta), *zeta_v = F(zeta_v), *div = F(div), *ke = F(ke), *phi = F(phi);
    const R *dx = F(dx), *dxn = F(dxn), *f_z = F(f_z), *dz = F(dz), *rdzw = F(rdzw), *taux = F(taux), *tauy = F(tauy);
    R *gu = (R *)m->gu[0], *gv = (R *)m->gv[0];
    R dy = (R)m->dy, ah = (R)m->ah, rho0 = (R)m->rho0;
    long sy = m->sy, sz = m->sz;
    int nz = m->nz;
    for (int j = j0; j < j1; j++) {
        R rdx = 1 / dx[j], rdxn = 1 / dxn[j];
        for (int k = 0; k < nz; k++) {
            long row = k * sz + j * sy;
            R top = k > 0 ? (R)0.5 * rdzw[k] : 0, bottom = k + 1 < nz ? (R)0.5 * rdzw[k + 1] : 0;
            long up = k > 0 ? -sz : 0, down = k + 1 < nz ? sz : 0;
            R stress = k == 0 ? 1 / (2 * rho0 * dz[0]) : 0;
            for (int i = 0; i < m->nx; i++) {
                long c = row + i, c2 = j * sy + i;
                /* u on the east face */
                R qn = zeta[c] + f_z[j], qs = zeta[c - sy] + f_z[j - 1];
                R vorticity = (R)0.25 * (qn * (v[c] + v[c + 1]) * dxn[j] + qs * (v[c - sy] + v[c - sy + 1]) * dxn[j - 1]) * rdx;
                R gradient = (ke[c + 1] - ke[c] + phi[c + 1] - phi[c]) * rdx;
                R viscosity = ah * ((div[c + 1] - div[c]) * rdx - (zeta_v[c] - zeta_v[c - sy]) / dy);
                R wt = w[c] + w[c + 1], wb = k + 1 < nz ? w[c + sz] + w[c + sz + 1] : 0;
                R vertical = (R)0.5 * (wt * (u[c + up] - u[c]) * top + wb * (u[c] - u[c + down]) * umask[c + down] * bottom);
                R fast_u = FN(coriolis_u)(m, c2, j);
                gu[c] = (vorticity - fast_u - gradient + viscosity - vertical + stress * (taux[c2] + taux[c2 + 1])) * umask[c];
                /* v on the north face */
                R qw = zeta[c - 1] + f_z[j], qe = zeta[c] + f_z[j];
                R vorticity_v = -(R)0.25 * (qw * (u[c - 1] + u[c - 1 + sy]) + qe * (u[c] + u[c + sy]));
                R gradient_v = (ke[c + sy] - ke[c] + phi[c + sy] - phi[c]) / dy;
                R viscosity_v = ah * ((div[c + sy] - div[c]) / dy + (zeta_v[c] - zeta_v[c - 1]) * rdxn);
                R wt_v = w[c] + w[c + sy], wb_v = k + 1 < nz ? w[c + sz] + w[c + sz + sy] : 0;
                R vertical_v = (R)0.5 * (wt_v * (v[c + up] - v[c]) * top + wb_v * (v[c] - v[c + down]) * vmask[c + down] * bottom);
                R fast_v = FN(coriolis_v)(m, c2, j);
                gv[c] = (vorticity_v - fast_v - gradient_v + viscosity_v - vertical_v + stress * (tauy[c2] + tauy[c2 + sy])) * vmask[c];
            }
        }
    }
}

/* One velocity component: u* = u + dt (AB3 of g), implicit vertical viscosity and bottom drag, the barotropic
   forcing, for row j. The other component reaches this face as the mean of other[c], other[c + a],
   other[c + b] and other[c + a + b] (for the bottom drag's speed). */
static void FN(momentum_component)(const fd_ocean *m, int j, const R *u, R *ustar, R *const *g, const R *mask,
                                   const R *rh, R *force, const R *other, long a, long b, R *kap, R *h,
                                   R *drag, R *cp) {
    int nx = m->nx, nz = m->nz;
    long sz = m->sz, row2 = j * m->sy;
    const R *dz = F(dz), *rdzw = F(rdzw);
    R dt = (R)m->dt, a0 = (R)m->ab[0], a1 = (R)m->ab[1], a2 = (R)m->ab[2], av = (R)m->av, cd = (R)m->cd;
    for (int k = 0; k < nz; k++) {
        long row = k * sz + row2;
        for (int i = 0; i < nx; i++) {
            long c = row + i;
            ustar[c] = (u[c] + dt * (a0 * g[0][c] + a1 * g[1][c] + a2 * g[2][c])) * mask[c];
            kap[(long)k * nx + i] = k > 0 ? dt * av * rdzw[k] * mask[c] * mask[c - sz] : 0;
            h[(long)k * nx + i] = dz[k];
            R below = k + 1 < nz ? mask[c + sz] : 0;
            R o = (R)0.25 * (other[c] + other[c + a] + other[c + b] + other[c + a + b]);
            R speed = (R)__builtin_sqrt((double)(u[c] * u[c] + o * o));
            drag[(long)k * nx + i] = dt * cd * speed * mask[c] * (1 - below);
        }
    }
    FN(implicit_columns)(m, ustar + row2, kap, h, drag, cp);
    for (int i = 0; i < nx; i++) force[row2 + i] = 0;
    for (int k = 0; k < nz; k++) {
        long row = k * sz + row2;
        for (int i = 0; i < nx; i++) force[row2 + i] += (ustar[row + i] - u[row + i]) * dz[k];
    }
    for (int i = 0; i < nx; i++) force[row2 + i] *= rh[row2 + i] / dt;
}

void FN(fd_oc_momentum)(const fd_ocean *m, int j0, int j1) {
    int nx = m->nx, nz = m->nz;
    R *scratch = malloc(sizeof(R) * (size_t)nx * (size_t)nz * 4);
    R *kap = scratch, *h = scratch + (long)nx * nz, *drag = h + (long)nx * nz, *cp = drag + (long)nx * nz;
    R *gu[3] = {(R *)m->gu[0], (R *)m->gu[1], (R *)m->gu[2]}, *gv[3] = {(R *)m->gv[0], (R *)m->gv[1], (R *)m->gv[2]};
    long sy = m->sy;
    for (int j = j0; j < j1; j++) {
        /* v reaches the u face from (i, j), (i + 1, j), (i, j - 1), (i + 1, j - 1); u the v face from (i, j),
           (i - 1, j), (i, j + 1), (i - 1, j + 1). */
        FN(momentum_component)(m, j, F(u), F(ua), gu, F(umask), F(rhu), F(fu), F(v), 1, -sy, kap, h, drag, cp);
        FN(momentum_component)(m, j, F(v), F(va), gv, F(vmask), F(rhv), F(fv), F(u), -1, sy, kap, h, drag, cp);
        for (int i = 0; i < nx; i++) {
            long c2 = j * sy + i;
            F(eta_old)[c2] = F(eta)[c2];
            F(ubt_sum)[c2] = 0;
            F(vbt_sum)[c2] = 0;
        }
    }
    free(scratch);
}

void FN(fd_oc_barotropic_eta)(const fd_ocean *m, int j0, int j1, double dts_) {
    const R *ubt = F(ubt), *vbt = F(vbt), *hu = F(hu), *hv = F(hv), *dxn = F(dxn), *area = F(area);
    R *eta = F(eta), *us = F(ubt_sum), *vs = F(vbt_sum), *before = F(eta_sub);
    R dts = (R)dts_, dy = (R)m->dy;
    long sy = m->sy;
    for (int j = j0; j < j1; j++) {
        R scale = dts / area[j];
        for (int i = 0; i < m->nx; i++) {
            long c = j * sy + i;
            us[c] += ubt[c];
            vs[c] += vbt[c];
            before[c] = eta[c];
            eta[c] -= scale * ((hu[c] * ubt[c] - hu[c - 1] * ubt[c - 1]) * dy + hv[c] * vbt[c] * dxn[j] - hv[c - sy] * vbt[c - sy] * dxn[j - 1]);
        }
    }
    FN(halo)(m, eta, 1, j0, j1);
    FN(halo)(m, before, 1, j0, j1);
}

void FN(fd_oc_barotropic_u)(const fd_ocean *m, int j0, int j1, double dts_) {
    const R *eta = F(eta), *fu = F(fu), *umask = F(umask), *dx = F(dx);
    R *ubt = F(ubt);
    R dts = (R)dts_, g = (R)m->g;
    for (int j = j0; j < j1; j++) {
        R rdx = 1 / dx[j];
        for (int i = 0; i < m->nx; i++) {
            long c = j * m->sy + i;
            R gradient = (1 + THETA) * (eta[c + 1] - eta[c]) - THETA * (F(eta_sub)[c + 1] - F(eta_sub)[c]);
            ubt[c] = (ubt[c] + dts * (fu[c] + FN(coriolis_u)(m, c, j) - g * gradient * rdx)) * umask[c];
        }
    }
    FN(halo)(m, ubt, 1, j0, j1);
}

void FN(fd_oc_barotropic_v)(const fd_ocean *m, int j0, int j1, double dts_) {
    const R *eta = F(eta), *fv = F(fv), *vmask = F(vmask);
    R *vbt = F(vbt);
    R dts = (R)dts_, g = (R)m->g, dy = (R)m->dy;
    for (int j = j0; j < j1; j++) {
        for (int i = 0; i < m->nx; i++) {
            long c = j * m->sy + i;
            R gradient = (1 + THETA) * (eta[c + m->sy] - eta[c]) - THETA * (F(eta_sub)[c + m->sy] - F(eta_sub)[c]);
            vbt[c] = (vbt[c] + dts * (fv[c] + FN(coriolis_v)(m, c, j) - g * gradient / dy)) * vmask[c];
        }
    }
    FN(halo)(m, vbt, 1, j0, j1);
}

static void FN(replace_mean)(const fd_ocean *m, int j, R *vel, R *adv, const R *mask, const R *rh, const R *bt,
                             const R *sum, R rsub) {
    const R *dz = F(dz);
    long row2 = j * m->sy;
    for (int i = 0; i < m->nx; i++) {
        long c2 = row2 + i;
        R mean = 0;
        for (int k = 0; k < m->nz; k++) mean += adv[k * m->sz + c2] * dz[k];
        mean *= rh[c2];
        for (int k = 0; k < m->nz; k++) {
            long c = k * m->sz + c2;
            R baroclinic = adv[c] - mean;
            vel[c] = (baroclinic + bt[c2]) * mask[c];
            adv[c] = (baroclinic + sum[c2] * rsub) * mask[c];
        }
    }
}

void FN(fd_oc_velocity)(const fd_ocean *m, int j0, int j1, int substeps) {
    R rsub = (R)1 / (R)substeps;
    for (int j = j0; j < j1; j++) {
        FN(replace_mean)(m, j, F(u), F(ua), F(umask), F(rhu), F(ubt), F(ubt_sum), rsub);
        FN(replace_mean)(m, j, F(v), F(va), F(vmask), F(rhv), F(vbt), F(vbt_sum), rsub);
    }
    FN(halo)(m, F(u), m->nz, j0, j1);
    FN(halo)(m, F(v), m->nz, j0, j1);
    FN(halo)(m, F(ua), m->nz, j0, j1);
    FN(halo)(m, F(va), m->nz, j0, j1);
}

void FN(fd_oc_vertical_velocity)(const fd_ocean *m, int j0, int j1) {
    const R *ua = F(ua), *va = F(va), *dxn = F(dxn), *area = F(area), *dz = F(dz), *eta_old = F(eta_old), *tmask = F(tmask);
    R *w = F(w), *eta = F(eta);
    R dy = (R)m->dy, dt = (R)m->dt;
    long sy = m->sy, sz = m->sz;
    for (int j = j0; j < j1; j++) {
        R ra = 1 / area[j];
        for (int k = m->nz - 1; k >= 0; k--) {
            long row = k * sz + j * sy;
            for (int i = 0; i < m->nx; i++) {
                long c = row + i;
                R below = k + 1 < m->nz ? w[c + sz] : 0;
                R divergence = ((ua[c] - ua[c - 1]) * dy + va[c] * dxn[j] - va[c - sy] * dxn[j - 1]) * ra;
                w[c] = below - divergence * dz[k];
            }
        }
        for (int i = 0; i < m->nx; i++) eta[j * sy + i] = (eta_old[j * sy + i] + dt * w[j * sy + i]) * tmask[j * sy + i];
    }
    FN(halo)(m, w, m->nz, j0, j1);
    FN(halo)(m, eta, 1, j0, j1);
}

/* Vertical fluxes (tracer x volume per second, upward) through the top of level k of row j, k = 1 ... nz - 1. */
static void FN(vertical_fluxes)(const fd_ocean *m, const R *t, int j, int k, R *out) {
    const R *w = F(w), *tmask = F(tmask), *area = F(area), *rdzw = F(rdzw);
    long sz = m->sz, row = k * sz + j * m->sy;
    R dt = (R)m->dt, kv_rdzw = rdzw[k];
    long below = k + 1 < m->nz ? sz : 0, above2 = k >= 2 ? -2 * sz : -sz;
    R has_below = k + 1 < m->nz ? 1 : 0, has_above2 = k >= 2 ? 1 : 0;
    for (int i = 0; i < m->nx; i++) {
        long c = row + i;
        R cr = w[c] * dt * kv_rdzw;
        R mask0 = tmask[c] * tmask[c - sz];
        R value = FN(face)(cr, t[c + below], t[c], t[c - sz], t[c + above2], tmask[c + below] * tmask[c] * has_below, mask0,
                           tmask[c - sz] * tmask[c + above2] * has_above2);
        out[i] = w[c] * area[j] * value * mask0;
    }
}

/* Horizontal fluxes of row j, level k: east faces of cells -1 ... nx - 1 into fx[0 ... nx], north faces of rows
   j - 1 and j into fs and fn. */
static void FN(horizontal_fluxes)(const fd_ocean *m, const R *t, int j, int k, R *fx, R *fs, R *fn) {
    const R *ua = F(ua), *va = F(va), *umask = F(umask), *vmask = F(vmask), *dx = F(dx), *dxn = F(dxn), *dz = F(dz);
    long sy = m->sy, row = k * m->sz + j * sy;
    R dt = (R)m->dt, dy = (R)m->dy, kh = (R)m->kh;
    R rdx = 1 / dx[j];
    for (int i = -1; i < m->nx; i++) {
        long c = row + i;
        R value = FN(face)(ua[c] * dt * rdx, t[c - 1], t[c], t[c + 1], t[c + 2], umask[c - 1], umask[c], umask[c + 1]);
        fx[i + 1] = (ua[c] * value - kh * (t[c + 1] - t[c]) * rdx) * umask[c] * dy * dz[k];
    }
    for (int side = 0; side < 2; side++) {
        int jj = j - 1 + side;
        R *out = side ? fn : fs;
        long r = k * m->sz + jj * sy;
        for (int i = 0; i < m->nx; i++) {
            long c = r + i;
            R value = FN(face)(va[c] * dt / dy, t[c - sy], t[c], t[c + sy], t[c + 2 * sy], vmask[c - sy], vmask[c], vmask[c + sy]);
            out[i] = (va[c] * value - kh * (t[c + sy] - t[c]) / dy) * vmask[c] * dxn[jj] * dz[k];
        }
    }
}

void FN(fd_oc_tracers)(const fd_ocean *m, int j0, int j1) {
    int nx = m->nx, nz = m->nz;
    long sy = m->sy, sz = m->sz;
    size_t plane = (size_t)nx * (size_t)nz;
    R *scratch = malloc(sizeof(R) * (plane * 5 + (size_t)(nx + 1) * 3 + (size_t)nx * 2));
    R *vt = scratch, *vs = vt + plane, *kap = vs + plane, *h = kap + plane, *cp = h + plane;
    R *fx = cp + plane, *fs = fx + nx + 1, *fn = fs + nx + 1;
    const R *t = F(t), *s = F(s), *tmask = F(tmask), *area = F(area), *dz = F(dz), *rdzw = F(rdzw);
    const R *eta = F(eta), *eta_old = F(eta_old), *qnet = F(qnet), *fw = F(fw), *sss_ref = F(sss_ref);
    R *tn = F(tn), *sn = F(sn);
    R dt = (R)m->dt, heat = (R)(m->dt / (m->rho0 * m->cp)), salt = (R)(m->dt * m->salt_ref / 1000);
    R restore = (R)(m->dt * m->restore_rate), kv = (R)m->kv, kconv = (R)m->kconv;
    for (int j = j0; j < j1; j++) {
        R ra = 1 / area[j];
        for (int k = 1; k < nz; k++) {
            FN(vertical_fluxes)(m, t, j, k, vt + (long)k * nx);
            FN(vertical_fluxes)(m, s, j, k, vs + (long)k * nx);
        }
        for (int k = 0; k < nz; k++) {
            long row = k * sz + j * sy;
            const R *top_t = k > 0 ? vt + (long)k * nx : NULL, *bottom_t = k + 1 < nz ? vt + (long)(k + 1) * nx : NULL;
            const R *top_s = k > 0 ? vs + (long)k * nx : NULL, *bottom_s = k + 1 < nz ? vs + (long)(k + 1) * nx : NULL;
            for (int tracer = 0; tracer < 2; tracer++) {
                const R *q = tracer ? s : t, *top = tracer ? top_s : top_t, *bottom = tracer ? bottom_s : bottom_t;
                R *out = tracer ? sn : tn;
                FN(horizontal_fluxes)(m, q, j, k, fx, fs, fn);
                for (int i = 0; i < nx; i++) {
                    long c = row + i, c2 = j * sy + i;
                    R h_old = k == 0 ? dz[0] + eta_old[c2] : dz[k], h_new = k == 0 ? dz[0] + eta[c2] : dz[k];
                    R divergence = fx[i + 1] - fx[i] + fn[i] - fs[i] + (top ? top[i] : 0) - (bottom ? bottom[i] : 0);
                    out[c] = (h_old * q[c] - dt * divergence * ra) / h_new * tmask[c];
                    h[(long)k * nx + i] = h_new;
                }
            }
        }
        for (int i = 0; i < nx; i++) {
            long c2 = j * sy + i;
            R hs = h[i];
            tn[c2] += heat * qnet[c2] / hs * tmask[c2];
            sn[c2] += (salt * fw[c2] / hs - restore * (s[c2] - sss_ref[c2])) * tmask[c2];
        }
        for (int k = 0; k < nz; k++) {
            long row = k * sz + j * sy;
            for (int i = 0; i < nx; i++) {
                long c = row + i;
                R unstable = k > 0 && FN(density_of)(m, tn[c - sz], sn[c - sz]) > FN(density_of)(m, tn[c], sn[c]) ? 1 : 0;
                R kappa = unstable > 0 ? kconv : kv;
                kap[(long)k * nx + i] = k > 0 ? dt * kappa * rdzw[k] * tmask[c] * tmask[c - sz] : 0;
            }
        }
        FN(implicit_columns)(m, tn + j * sy, kap, h, NULL, cp);
        FN(implicit_columns)(m, sn + j * sy, kap, h, NULL, cp);
    }
    FN(halo)(m, tn, nz, j0, j1);
    FN(halo)(m, sn, nz, j0, j1);
    free(scratch);
}

void FN(fd_oc_accumulate)(const fd_ocean *m, int j0, int j1, double *thetao, double *so, double *uo, double *vo, double *zos) {
    const R *t = F(t), *s = F(s), *u = F(u), *v = F(v), *eta = F(eta);
    int nx = m->nx, ny = m->ny;
    long sy = m->sy;
    for (int k = 0; k < m->nz; k++) {
        for (int j = j0; j < j1; j++) {
            long c0 = k * m->sz + j * sy, o0 = ((long)k * ny + j) * nx;
            for (int i = 0; i < nx; i++) {
                long c = c0 + i, o = o0 + i;
                thetao[o] += t[c];
                so[o] += s[c];
                uo[o] += (R)0.5 * (u[c] + u[c - 1]);
                vo[o] += (R)0.5 * (v[c] + v[c - sy]);
            }
        }
    }
    for (int j = j0; j < j1; j++) {
        for (int i = 0; i < nx; i++) zos[(long)j * nx + i] += eta[j * sy + i];
    }
}

void FN(fd_oc_check)(const fd_ocean *m, int j0, int j1, double *out) {
    const R *u = F(u), *v = F(v), *t = F(t), *s = F(s), *eta = F(eta);
    for (int k = 0; k < m->nz; k++) {
        for (int j = j0; j < j1; j++) {
            for (int i = 0; i < m->nx; i++) {
                long c = k * m->sz + j * m->sy + i;
                double speed = u[c] * u[c] > v[c] * v[c] ? __builtin_fabs((double)u[c]) : __builtin_fabs((double)v[c]);
                if (!(speed <= out[0])) {
                    out[0] = speed;
                    out[1] = k, out[2] = j, out[3] = i;
                }
                int bad = !__builtin_isfinite((double)t[c]) ? 0 : !__builtin_isfinite((double)s[c]) ? 1
                        : (k == 0 && !__builtin_isfinite((double)eta[c])) ? 2 : -1;
                if (bad >= 0 && out[4] == 0) {
                    out[4] = 1;
                    out[5] = k, out[6] = j, out[7] = i, out[8] = bad;
                }
            }
        }
    }
}

void FN(fd_oc_get)(const fd_ocean *m, const void *field, int levels, double *out) {
    const R *f = field;
    for (int k = 0; k < levels; k++)
        for (int j = 0; j < m->ny; j++)
            for (int i = 0; i < m->nx; i++) *out++ = f[k * m->sz + j * m->sy + i];
}

void FN(fd_oc_set)(const fd_ocean *m, void *field, int levels, const double *in) {
    R *f = field;
    for (int k = 0; k < levels; k++)
        for (int j = 0; j < m->ny; j++)
            for (int i = 0; i < m->nx; i++) f[k * m->sz + j * m->sy + i] = (R)*in++;
    FN(halo)(m, f, levels, 0, m->ny);
}

#undef THETA
#undef F
