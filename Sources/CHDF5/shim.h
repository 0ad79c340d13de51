#ifndef FORECASTD_CHDF5_SHIM_H
#define FORECASTD_CHDF5_SHIM_H
#include <hdf5.h>
#endif
