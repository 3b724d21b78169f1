#ifndef BILIUP_CZLIB_SHIM_H
#define BILIUP_CZLIB_SHIM_H
#include <zlib.h>
#endif
