#ifndef FORECASTD_CDEFLATE_SHIM_H
#define FORECASTD_CDEFLATE_SHIM_H
#include <libdeflate.h>
#endif
