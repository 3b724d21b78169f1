#ifndef BILIUP_CCURL_SHIM_H
#define BILIUP_CCURL_SHIM_H
#include <curl/curl.h>
/* curl_easy_setopt & co. are variadic, which Swift rejects: one typed wrapper per argument type. */
typedef size_t (*shim_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);
static inline CURLcode shim_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode shim_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode shim_easy_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode shim_easy_setopt_ptr(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode shim_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode shim_easy_setopt_write_cb(CURL *h, shim_curl_data_cb cb) { return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb); }
static inline CURLcode shim_easy_setopt_header_cb(CURL *h, shim_curl_data_cb cb) { return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb); }
static inline CURLcode shim_easy_setopt_xferinfo_cb(CURL *h, curl_xferinfo_callback cb) { return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb); }
static inline CURLcode shim_easy_setopt_opensocket_cb(CURL *h, curl_opensocket_callback cb) { return curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, cb); }
static inline CURLMcode shim_multi_setopt_long(CURLM *m, CURLMoption o, long v) { return curl_multi_setopt(m, o, v); }
static inline CURLcode shim_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode shim_easy_getinfo_off(CURL *h, CURLINFO i, curl_off_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode shim_easy_getinfo_str(CURL *h, CURLINFO i, char **v) { return curl_easy_getinfo(h, i, v); }
/* CURLINFO_ACTIVESOCKET writes a curl_socket_t, not a long: the connect-only chat sockets read it here. */
static inline CURLcode shim_easy_getinfo_socket(CURL *h, CURLINFO i, curl_socket_t *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLSHcode shim_share_setopt_long(CURLSH *h, CURLSHoption o, long v) { return curl_share_setopt(h, o, v); }
static inline size_t shim_CURL_WRITEFUNC_PAUSE(void) { return CURL_WRITEFUNC_PAUSE; }
static inline curl_socket_t shim_CURL_SOCKET_BAD(void) { return CURL_SOCKET_BAD; }
/* CURLOPT_PROTOCOLS_STR and CURLOPT_REDIR_PROTOCOLS_STR came with libcurl 7.85.0; older headers fail here
   rather than build a binary that would silently fetch every scheme libcurl knows. */
#if LIBCURL_VERSION_NUM < 0x075500
#error "biliup needs libcurl 7.85.0 or newer (CURLOPT_PROTOCOLS_STR)"
#endif
#endif
