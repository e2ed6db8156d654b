-- debug.sethook / gethook: line, call, return, tail return and count events,
-- per coroutine; tail-call levels in getinfo and traceback. Expected values
-- recorded from lua5.1.
local function trace(src, mask, count)
  local ev = {}
  local f = assert(loadstring(src, "=t"))
  debug.sethook(function(e, l) ev[#ev + 1] = l and (e .. l) or e end, mask, count)
  f()
  debug.sethook()
  return table.concat(ev, " ")
end

assert(trace("local a = 1\nfor i = 1, 2 do\n  a = a + i\nend\nreturn a", "l")
  == "line8 line1 line2 line3 line2 line3 line2 line5 line9")
assert(trace("local function f(x) return x end\nlocal y = f(1)\nreturn y", "cr")
  == "return call call return return call")
assert(trace("local function g() return 1 end\nlocal function f() return g() end\nreturn f()", "cr")
  == "return call call call return tail return tail return call")
-- one count event per instruction
local n = 0
debug.sethook(function() n = n + 1 end, "", 1)
for i = 1, 100 do end
debug.sethook()
assert(n == 108, n)

local f, m, c = debug.gethook()
assert(f == nil and m == "" and c == 0)
local h = function() end
debug.sethook(h, "cl", 7)
f, m, c = debug.gethook()
debug.sethook()
assert(f == h and m == "cl" and c == 7)

-- hooks belong to one coroutine
local co = coroutine.create(function(x)
  local y = x + 1
  coroutine.yield(y)
  return y * 2
end)
local lines = {}
debug.sethook(co, function(e, l) lines[#lines + 1] = l end, "l")
assert(debug.gethook() == nil)
assert(select(2, coroutine.resume(co, 1)) == 2)
assert(select(2, coroutine.resume(co)) == 4)
assert(table.concat(lines, ",") == "36,37,38", table.concat(lines, ","))

-- a call lost to a tail call is a level of its own
local function inner()
  local t = debug.getinfo(2, "Sl")
  assert(t.what == "tail" and t.short_src == "(tail call)" and t.currentline == -1)
  return debug.traceback("x", 1)
end
local function outer() return inner() end
local tb = outer()
assert(tb:find("^x\nstack traceback:\n\tdebug_hooks.lua:%d+: in function <debug_hooks.lua:%d+>\n\t%(tail call%): %?\n"), tb)
assert(not pcall(function() return (function() return getfenv(2) end)() end))

print("OK")
