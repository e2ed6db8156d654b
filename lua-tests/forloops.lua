-- Numeric and generic for loops: steps, edge counts, fresh variables, while/repeat/break.
-- Uses only the base library. Expected values are what lua5.1 gives.

local function collect(a, b, c)
  local t = {}
  if c then for i = a, b, c do t[#t + 1] = i end
  else for i = a, b do t[#t + 1] = i end end
  return t
end
local function same(t, u)
  if #t ~= #u then return false end
  for i = 1, #t do if t[i] ~= u[i] then return false end end
  return true
end

assert(same(collect(1, 5), {1, 2, 3, 4, 5}), "1..5")
assert(same(collect(5, 1), {}), "empty when start > limit")
assert(same(collect(5, 1, -1), {5, 4, 3, 2, 1}), "negative step")
assert(same(collect(1, 2, 0.5), {1, 1.5, 2}), "float step")
assert(same(collect(0, 1, 0.25), {0, 0.25, 0.5, 0.75, 1}), "float step quarters")
assert(same(collect(1, 0, 1), {}), "zero iterations")
assert(same(collect(1, 1), {1}), "one iteration")
assert(same(collect(10, 1, -3), {10, 7, 4, 1}), "step -3")
assert(same(collect(1, 10, 4), {1, 5, 9}), "step 4 stops before limit")
assert(same(collect(-3, -1), {-3, -2, -1}), "negative range")
assert(same(collect(1.5, 3.5), {1.5, 2.5, 3.5}), "float start")
assert(#collect(0.1, 1, 0.1) == 10, "accumulated float steps: 0.1..1 by 0.1 gives 10 in 5.1")
assert(same(collect("1", "3"), {1, 2, 3}), "string bounds are coerced")

-- Bounds are evaluated once.
local calls = 0
local function lim() calls = calls + 1; return 3 end
for i = 1, lim() do end
assert(calls == 1, "limit evaluated once")

-- Modifying the loop variable does not affect the iteration count.
local iters = 0
for i = 1, 5 do
  iters = iters + 1
  i = i * 10
end
assert(iters == 5, "assigning the loop variable is local to the iteration")

-- Errors for non-numbers.
local ok, msg = pcall(loadstring("for i = 1, 'x' do end", "=f"))
assert(not ok and msg == "f:1: 'for' limit must be a number", msg)
ok, msg = pcall(loadstring("for i = {}, 2 do end", "=f"))
assert(not ok and msg == "f:1: 'for' initial value must be a number", msg)
ok, msg = pcall(loadstring("for i = 1, 2, nil do end", "=f"))
assert(not ok and msg == "f:1: 'for' step must be a number", msg)

-- Large loop (runs a million iterations; must terminate).
local sum = 0
for i = 1, 1000000 do sum = sum + i end
assert(sum == 500000500000, "sum of a million")

-- Infinite limits with break.
local n = 0
for i = 1, 1/0 do n = n + 1; if n == 100 then break end end
assert(n == 100, "break out of an unbounded loop")
n = 0
for i = 1, 0, 1 do n = n + 1 end
assert(n == 0, "no iterations")

-- Nested loops and break only leaves the innermost.
local pairs_seen = 0
for i = 1, 3 do
  for j = 1, 3 do
    if j > i then break end
    pairs_seen = pairs_seen + 1
  end
end
assert(pairs_seen == 6, "break leaves inner loop")

-- Generic for with a custom stateless iterator.
local function range(n)
  return function(state, ctl)
    if ctl < state then return ctl + 1 end
  end, n, 0
end
local acc = {}
for v in range(4) do acc[#acc + 1] = v end
assert(same(acc, {1, 2, 3, 4}), "stateless iterator")

-- Generic for with a closure iterator returning several values.
local function enum(t)
  local i = 0
  return function()
    i = i + 1
    if t[i] ~= nil then return i, t[i], i * 2 end
  end
end
local keys, vals, dbl = 0, "", 0
for k, v, d in enum({"a", "b", "c"}) do keys = keys + k; vals = vals .. v; dbl = dbl + d end
assert(keys == 6 and vals == "abc" and dbl == 12, "closure iterator with three values")

-- ipairs stops at the first nil; pairs visits everything.
local holes = {1, 2, nil, 4}
local cnt = 0
for _ in ipairs(holes) do cnt = cnt + 1 end
assert(cnt == 2, "ipairs stops at nil")
local mixed = {10, 20, x = 1, y = 2, [3.5] = true}
cnt = 0
for k, v in pairs(mixed) do cnt = cnt + 1 end
assert(cnt == 5, "pairs visits all keys")

-- next directly.
local single = {key = "value"}
local k, v = next(single)
assert(k == "key" and v == "value" and next(single, k) == nil, "next")
assert(next({}) == nil, "next of empty")

-- while and repeat.
local w = 0
while w < 10 do w = w + 1 end
assert(w == 10, "while")
local rcount = 0
repeat rcount = rcount + 1 until rcount >= 3
assert(rcount == 3, "repeat runs until true")
repeat local done = true until done
-- A loop variable does not leak.
for leak = 1, 2 do end
assert(leak == nil, "loop variable is local")

print("OK")
