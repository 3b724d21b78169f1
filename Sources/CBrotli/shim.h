#ifndef BILIUP_CBROTLI_SHIM_H
#define BILIUP_CBROTLI_SHIM_H
#include <brotli/decode.h>
#endif
