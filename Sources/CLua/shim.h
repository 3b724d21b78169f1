#ifndef BILIUP_CLUA_SHIM_H
#define BILIUP_CLUA_SHIM_H
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
#include <stdlib.h>
#include <time.h>

/* Lua's API is mostly macros Swift cannot import; these are one-line copies of them. */
static inline int  shim_lua_pcall(lua_State *L, int n, int r, int f) { return lua_pcall(L, n, r, f); }
static inline void shim_lua_pop(lua_State *L, int n) { lua_pop(L, n); }
static inline const char *shim_lua_tostring(lua_State *L, int i) { return lua_tostring(L, i); }
static inline int  shim_lua_upvalueindex(int i) { return lua_upvalueindex(i); }
static inline int  shim_LUA_REGISTRYINDEX(void) { return LUA_REGISTRYINDEX; }
static inline void shim_lua_newtable(lua_State *L) { lua_newtable(L); }
static inline int  shim_luaL_loadbuffer(lua_State *L, const char *b, size_t sz, const char *n) { return luaL_loadbuffer(L, b, sz, n); }
static inline int  shim_lua_isnil(lua_State *L, int i) { return lua_isnil(L, i); }
static inline void shim_lua_insert(lua_State *L, int i) { lua_insert(L, i); }
static inline void shim_lua_remove(lua_State *L, int i) { lua_remove(L, i); }
static inline lua_Integer shim_lua_tointeger(lua_State *L, int i, int *isnum) { return lua_tointegerx(L, i, isnum); }
static inline lua_Number shim_lua_tonumber(lua_State *L, int i, int *isnum) { return lua_tonumberx(L, i, isnum); }

/* ---- Limits per plugin call --------------------------------------------------------------------
 * One VM serves many calls (coroutines). The allocator and the count hook charge whatever runs to the
 * call being resumed (`current`), so a runaway call is stopped without touching the others. Both live
 * in C: the hook raises a Lua error (longjmp), which must never unwind Swift frames. */
typedef struct shim_call {
    long long instructions_left;
    long long deadline_ns;     /* the VM thread's CPU clock; refreshed at every resume from the run time left */
    int hooks_since_clock;     /* the CPU clock is a system call: read it every SHIM_CLOCK_EVERY hooks */
    long long bytes;           /* net bytes allocated while this call ran */
    long long bytes_limit;
    int stop_reason;           /* 0 running, 1 instructions, 2 run time, 3 memory */
    lua_State *thread;         /* the call's own coroutine; host calls that yield must come from it */
} shim_call;

typedef struct shim_vm {
    long long total;           /* bytes the whole VM holds */
    long long total_limit;
    shim_call *current;        /* the call being resumed, NULL outside calls */
    int in_host;               /* >0 while a Swift host function runs: its allocations are not limited */
} shim_vm;

enum { SHIM_HOOK_EVERY = 1000, SHIM_CLOCK_EVERY = 10, SHIM_HOST_ERROR = -1, SHIM_HOST_YIELD = -2 };

/* CPU time of the calling thread: a call's run-time limit counts what it ran, not how long a busy
 * machine kept the VM's thread waiting. One VM thread runs one call at a time. */
static inline long long shim_thread_cpu_ns(void) {
    struct timespec ts; clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void *shim_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
    shim_vm *vm = (shim_vm *)ud;
    long long old = ptr ? (long long)osize : 0;   /* with ptr NULL, osize is a type tag, not a size */
    shim_call *c = vm->current;
    if (nsize == 0) {
        free(ptr);
        vm->total -= old;
        if (c) c->bytes -= old;
        return NULL;
    }
    long long delta = (long long)nsize - old;
    if (delta > 0) {
        if (vm->total + delta > vm->total_limit) return NULL;
        if (c && !vm->in_host && c->bytes + delta > c->bytes_limit) { c->stop_reason = 3; return NULL; }
    }
    void *p = realloc(ptr, nsize);
    if (!p) return NULL;
    vm->total += delta;
    if (c) c->bytes += delta;
    return p;
}

static inline lua_State *shim_newstate(shim_vm *vm) { return lua_newstate(shim_alloc, vm); }

static inline shim_vm *shim_vm_of(lua_State *L) { void *ud; lua_getallocf(L, &ud); return (shim_vm *)ud; }

static void shim_limit_hook(lua_State *L, lua_Debug *ar);

/* A stopped call can catch the limit error with pcall and go on; from then on the hook runs at every
 * instruction, so the first one outside a pcall raises it again and the error reaches the top. */
static inline void shim_stop(lua_State *L, shim_call *c, int reason, const char *message) {
    if (!c->stop_reason) c->stop_reason = reason;
    lua_sethook(L, shim_limit_hook, LUA_MASKCOUNT, 1);
    luaL_error(L, "%s", message);
}

static void shim_limit_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    shim_call *c = shim_vm_of(L)->current;
    if (!c) return;
    if (c->stop_reason) shim_stop(L, c, c->stop_reason, c->stop_reason == 1 ? "instruction limit exceeded" : c->stop_reason == 2 ? "run time limit exceeded" : "memory limit exceeded");
    c->instructions_left -= SHIM_HOOK_EVERY;
    if (c->instructions_left < 0) shim_stop(L, c, 1, "instruction limit exceeded");
    if (++c->hooks_since_clock >= SHIM_CLOCK_EVERY) {
        c->hooks_since_clock = 0;
        if (shim_thread_cpu_ns() > c->deadline_ns) shim_stop(L, c, 2, "run time limit exceeded");
    }
}

/* New coroutines inherit the hook of the thread that creates them (lua_newthread), so nested
 * coroutines a plugin makes are limited too. */
static inline void shim_set_limit_hook(lua_State *L) { lua_sethook(L, shim_limit_hook, LUA_MASKCOUNT, SHIM_HOOK_EVERY); }

/* ---- Swift host functions -----------------------------------------------------------------------
 * Swift returns a result count, SHIM_HOST_ERROR after pushing a message (C raises it, with the
 * caller's position, once the Swift frame is gone) or SHIM_HOST_YIELD (C yields the coroutine; the
 * values passed to the next resume become the call's results). */
typedef int (*shim_swift_fn)(lua_State *L, void *ctx);
static int shim_trampoline(lua_State *L) {
    shim_swift_fn fn = (shim_swift_fn)lua_touserdata(L, lua_upvalueindex(1));
    shim_vm *vm = shim_vm_of(L);
    vm->in_host++;
    int r = fn(L, lua_touserdata(L, lua_upvalueindex(2)));
    vm->in_host--;
    if (r == SHIM_HOST_YIELD) return lua_yield(L, 0);
    if (r < 0) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return r;
}
static inline void shim_push_swift_closure(lua_State *L, shim_swift_fn fn, void *ctx) {
    lua_pushlightuserdata(L, (void *)fn); lua_pushlightuserdata(L, ctx); lua_pushcclosure(L, shim_trampoline, 2);
}

/* Message handler for pcall from Swift: appends a traceback. */
static int shim_traceback(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    luaL_traceback(L, L, msg ? msg : "(error object is not a string)", 1);
    return 1;
}
static inline void shim_push_traceback_handler(lua_State *L) { lua_pushcfunction(L, shim_traceback); }
#endif
