#ifndef FORECASTD_CBULKFLUXES_H
#define FORECASTD_CBULKFLUXES_H

/// Inputs of fd_bulk_ncar, one array of `count` floats each (daily means on the ocean grid).
enum {
    FD_BULK_SST,   ///< sea surface temperature [degC]
    FD_BULK_US,    ///< eastward surface current [m/s]
    FD_BULK_VS,    ///< northward surface current [m/s]
    FD_BULK_U10,   ///< eastward wind at 10 m [m/s]
    FD_BULK_V10,   ///< northward wind at 10 m [m/s]
    FD_BULK_MSL,   ///< mean sea-level pressure [Pa]
    FD_BULK_T2M,   ///< air temperature at 2 m [K]
    FD_BULK_D2M,   ///< dew point at 2 m [K]
    FD_BULK_SSR,   ///< net surface shortwave [W/m2]
    FD_BULK_STRD,  ///< downward longwave [W/m2]
    FD_BULK_MTPR,  ///< precipitation rate [kg m-2 s-1]
    FD_BULK_INPUTS
};

/// Outputs of fd_bulk_ncar: WenHai's flux channels, heat fluxes positive into the ocean.
enum {
    FD_BULK_QL,    ///< net longwave [W/m2]
    FD_BULK_QSW,   ///< net shortwave [W/m2] (the input, passed through)
    FD_BULK_QH,    ///< sensible heat [W/m2]
    FD_BULK_QE,    ///< latent heat [W/m2]
    FD_BULK_TAUX,  ///< eastward wind stress [N/m2]
    FD_BULK_TAUY,  ///< northward wind stress [N/m2]
    FD_BULK_EVAP,  ///< evaporation [kg m-2 s-1], positive out of the ocean
    FD_BULK_PRECIP,///< precipitation [kg m-2 s-1] (the input, passed through)
    FD_BULK_OUTPUTS
};

/// Air-sea fluxes by the NCAR bulk formulae (Large & Yeager 2004, 2009) as AeroBulk's `noskin` NCAR algorithm
/// computes them: air temperature and humidity at 2 m, wind at 10 m relative to the surface current, bulk SST,
/// 5 iterations of the stability functions. Computed in double precision (the fixed iteration amplifies
/// rounding in stable air: in single precision some fluxes moved by 5%), vectorised at the machine's full width
/// with log, exp and atan written out (vector_math.h); NaN inputs (land) give NaN outputs.
void fd_bulk_ncar(const float *const *inputs, float *const *outputs, long count);

/// The same formulae as WenHai's published pipeline feeds its network (AeroBulk's `noskin` NCAR with 4 iterations,
/// specific humidity from the dew point as MetPy computes it): net longwave strd - sigma SST^4 without an
/// emissivity, evaporation in m/s negative when the ocean loses water (AeroBulk's sign, divided by 1000) and
/// precipitation in m/s (the rate divided by 1000). Same inputs and output order as fd_bulk_ncar.
void fd_bulk_wenhai(const float *const *inputs, float *const *outputs, long count);

/// The kernels' own log, exp and atan (vector_math.h), one value at a time, for the tests that hold them to libm.
double fd_vector_log(double x);
double fd_vector_exp(double x);
/// atan(x) for x >= 1.
double fd_vector_atan_from_one(double x);

#endif
