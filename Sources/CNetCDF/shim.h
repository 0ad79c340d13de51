#ifndef FORECASTD_CNETCDF_SHIM_H
#define FORECASTD_CNETCDF_SHIM_H
#include <netcdf.h>
#endif
