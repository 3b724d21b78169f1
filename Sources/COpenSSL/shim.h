#ifndef BILIUP_COPENSSL_SHIM_H
#define BILIUP_COPENSSL_SHIM_H
/* Only OpenSSL 3's own API is visible: the calls it deprecated (HMAC_CTX, the low-level MD5_* ...) would
   still compile and would bypass the providers that EVP_MD_fetch chooses from. */
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/err.h>
#if OPENSSL_VERSION_MAJOR < 3
#error "biliup needs OpenSSL 3 (EVP_MD_fetch, SM3 in the default provider)"
#endif
#endif
