#ifndef BILIUP_CPNG_SHIM_H
#define BILIUP_CPNG_SHIM_H
#include <png.h>
#endif
