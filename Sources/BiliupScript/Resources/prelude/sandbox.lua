-- Run in every plugin VM before any plugin. No native code and no bytecode in plugins:
-- `package.loadlib` and the C searchers would load any shared library (libc included), and bytecode
-- (`load` of a binary chunk, made by `string.dump`) is not checked by Lua and can break out of the VM.
-- `require` keeps the preload and Lua-file searchers, which is how plugins load the helpers in `lib/`.
-- `load` keeps text chunks, whatever mode is asked, and passes an explicit `env` on only when given
-- (a nil `env` is a value, not an absence).
package.loadlib = nil
package.cpath = ""
local searchers = package.searchers
for i = #searchers, 3, -1 do searchers[i] = nil end
string.dump = nil
local load_any = load
load = function(chunk, chunkname, mode, ...)
  if select("#", ...) > 0 then return load_any(chunk, chunkname, "t", (...)) end
  return load_any(chunk, chunkname, "t")
end
