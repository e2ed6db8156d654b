-- The debug library: getinfo, locals, upvalues, metatables, environments,
-- traceback; values from lua5.1.
local function f(a, b)
  local c = a + b
  local i = debug.getinfo(1, "nSlu")
  assert(i.source == "@lib_debug.lua" and i.short_src == "lib_debug.lua" and i.what == "Lua")
  assert(i.currentline == 5 and i.linedefined == 3 and i.lastlinedefined == 18 and i.nups == 1)
  assert(i.name == "f" and i.namewhat == "local")
  local n1, v1 = debug.getlocal(1, 1)
  local n3, v3 = debug.getlocal(1, 3)
  assert(n1 == "a" and v1 == 1 and n3 == "c" and v3 == 3)
  assert(debug.getlocal(1, 5) == "n1" and debug.getlocal(1, 50) == nil)
  assert(debug.setlocal(1, 3, 99) == "c" and c == 99)
  local m = debug.getinfo(2, "Sl")
  assert(m.what == "main" and m.currentline == 19 and m.linedefined == 0)
  assert(debug.getinfo(2, "f").func ~= f)
  return c
end
assert(f(1, 2) == 99)

local up = 5
local function g() return up end
local name, val = debug.getupvalue(g, 1)
assert(name == "up" and val == 5 and debug.getupvalue(g, 2) == nil)
assert(debug.setupvalue(g, 1, 7) == "up" and g() == 7 and up == 7)
local ok, msg = pcall(debug.getupvalue, 1, 1)
assert(not ok and msg == "bad argument #1 to '?' (function expected, got number)", msg)

local i = debug.getinfo(print)
assert(i.what == "C" and i.source == "=[C]" and i.short_src == "[C]" and i.currentline == -1)
assert(i.linedefined == -1 and i.nups == 0 and i.name == nil and i.func == print)
assert(debug.getinfo(100) == nil)
ok, msg = pcall(debug.getlocal, 50, 1)
assert(not ok and msg == "bad argument #1 to '?' (level out of range)", msg)
ok, msg = pcall(debug.getinfo, 1, "X")
assert(not ok and msg == "bad argument #2 to '?' (invalid option)", msg)
local lines = debug.getinfo(f, "L").activelines
local count = 0
for _ in pairs(lines) do count = count + 1 end
assert(count == 15 and lines[4] and lines[3] == nil, "activelines")

assert(debug.traceback("hi") == "hi\nstack traceback:\n\tlib_debug.lua:42: in main chunk\n\t[C]: ?")
local function h() return debug.traceback("x", 1) end
local tb = h()
assert(tb == "x\nstack traceback:\n\tlib_debug.lua:43: in function 'h'\n\tlib_debug.lua:44: in main chunk\n\t[C]: ?", tb)
local t = {}
assert(debug.traceback(t) == t)

assert(debug.setmetatable(10, {__index = function(_, k) return k .. "!" end}) == true)
assert((5).foo == "foo!")
debug.setmetatable(10, nil)
assert(debug.getmetatable(1) == nil)
local mt = {__metatable = "locked"}
local obj = setmetatable({}, mt)
assert(getmetatable(obj) == "locked" and debug.getmetatable(obj) == mt)

assert(debug.getfenv(f) == _G and debug.getfenv(1) == nil)
local env = {assert = assert}
local function e() return x_in_env end
assert(debug.setfenv(e, env) == e and debug.getfenv(e) == env)
env.x_in_env = 42
assert(e() == 42)
ok, msg = pcall(debug.setfenv, 1, {})
assert(not ok and msg == "'setfenv' cannot change environment of given object", msg)
assert(type(debug.getregistry()) == "table")
print("OK")
