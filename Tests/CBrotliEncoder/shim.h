#ifndef BILIUP_CBROTLIENCODER_SHIM_H
#define BILIUP_CBROTLIENCODER_SHIM_H
// Only the chat stand-ins compress (as Bilibili's server does); the product only decompresses.
#include <brotli/encode.h>
#endif
