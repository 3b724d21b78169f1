#ifndef BILIUP_CLUA_SHIM_H
#define BILIUP_CLUA_SHIM_H
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
/* Lua's API is mostly macros Swift cannot import; these are one-line copies of them. */
static inline int  shim_lua_pcall(lua_State *L, int n, int r, int f) { return lua_pcall(L, n, r, f); }
static inline void shim_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline const char *shim_lua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int  shim_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int  shim_LUA_REGISTRYINDEX(void) { return LUA_REGISTRYINDEX; }
static inline void shim_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline int  shim_luaL_loadbuffer(lua_State *L, const char *b, size_t sz, const char *n) { return luaL_loadbuffer(L, b, sz, n); }
/* Trampoline: Swift returns -1 after pushing a message and C raises the error, so longjmp never crosses Swift frames. */
typedef int (*shim_swift_fn)(lua_State *L, void *ctx);
static inline int shim_trampoline(lua_State *L) {
    shim_swift_fn fn = (shim_swift_fn)lua_touserdata(L, lua_upvalueindex(1));
    int r = fn(L, lua_touserdata(L, lua_upvalueindex(2)));
    return r < 0 ? lua_error(L) : r;
}
static inline void shim_push_swift_closure(lua_State *L, shim_swift_fn fn, void *ctx) {
    lua_pushlightuserdata(L, (void *)fn); lua_pushlightuserdata(L, ctx); lua_pushcclosure(L, shim_trampoline, 2);
}
#endif
