-- Deep (non-tail) recursion: works to a good depth; runaway recursion is a
-- catchable "stack overflow" error, not a crash. Uses only the base library.

local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
assert(depth(10000) == 10000, "depth 10000")
assert(depth(15000) == 15000, "depth 15000 (5.1 allows somewhat over 16000 frames)")

-- Runaway recursion.
local function runaway(n) return 1 + runaway(n + 1) end
local ok, msg = pcall(runaway, 1)
assert(not ok and type(msg) == "string", "runaway recursion is an error")
-- The message is "<chunk>:<line>: stack overflow" (5.1 allows about 20000
-- nested Lua calls); with a chunk name we control it is exact.
local f = loadstring("local function r() return 1 + r() end return r()", "=deep")
ok, msg = pcall(f)
assert(not ok and msg == "deep:1: stack overflow", msg)

-- The state is usable after a stack overflow.
assert(depth(1000) == 1000, "recovered after stack overflow")
ok, msg = pcall(f)
assert(msg == "deep:1: stack overflow", "second overflow is the same")

-- Infinite recursion through a metamethod is caught too ("C stack overflow").
local t = setmetatable({}, {})
getmetatable(t).__index = loadstring("local tt, k = ... return tt[k]", "=mm")
ok, msg = pcall(loadstring("local t = ... return t.x", "=mm"), t)
assert(not ok and msg == "mm:1: C stack overflow", msg)

-- Mutual recursion non-tail.
local a, b
function a(n) if n == 0 then return 0 end return b(n - 1) + 1 end
function b(n) if n == 0 then return 0 end return a(n - 1) + 1 end
assert(a(15000) == 15000, "mutual recursion depth 15000")

-- Recursion with many locals per frame.
local function heavy(n)
  local x1, x2, x3, x4, x5, x6, x7, x8 = n, n, n, n, n, n, n, n
  if n == 0 then return 0 end
  return heavy(n - 1) + (x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8) / 8 - n + 1
end
assert(heavy(5000) == 5000, "frames with many locals")

-- Ackermann (deep and bushy).
local function ack(m, n)
  if m == 0 then return n + 1 end
  if n == 0 then return ack(m - 1, 1) end
  return ack(m - 1, ack(m, n - 1))
end
assert(ack(2, 3) == 9 and ack(3, 3) == 61, "ackermann")

-- Recursive pcall nesting.
local function nest(n) if n == 0 then return "bottom" end local ok, v = pcall(nest, n - 1) return v end
assert(nest(150) == "bottom", "150 nested pcalls")

print("OK")
