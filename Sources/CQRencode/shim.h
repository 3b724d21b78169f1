#ifndef BILIUP_CQRENCODE_SHIM_H
#define BILIUP_CQRENCODE_SHIM_H
#include <qrencode.h>
#endif
