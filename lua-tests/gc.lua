-- Garbage collection: memory is reclaimed, weak tables are cleared, __gc runs
-- on userdata from newproxy. Uses only the base library. Expected: lua5.1.

collectgarbage()
collectgarbage()
local base = collectgarbage("count")
assert(type(base) == "number" and base > 0, "count is a positive number of KB")

-- Allocate a lot, drop it, collect: the count falls back.
do
  local big = {}
  for i = 1, 100000 do big[i] = {i} end
  local peak = collectgarbage("count")
  assert(peak > base + 1000, "allocation raises the count")
  big = nil
end
collectgarbage()
collectgarbage()
local after = collectgarbage("count")
assert(after < base + 200, "memory freed after collect: " .. after .. " vs " .. base)

-- A loop that makes garbage forever stays bounded.
for i = 1, 200000 do local t = {i, i + 1, tostring(i)} end
collectgarbage()
assert(collectgarbage("count") < base + 500, "garbage loop is bounded")

-- Strings are collected too.
do
  local parts = {}
  for i = 1, 20000 do parts[i] = "string number " .. i end
end
collectgarbage()
assert(collectgarbage("count") < base + 500, "strings collected")

-- Weak values.
local wv = setmetatable({}, {__mode = "v"})
wv[1] = {}
wv[2] = "strings are values, never removed"
local keep = {}
wv[3] = keep
collectgarbage()
assert(wv[1] == nil, "unreferenced value cleared")
assert(wv[2] == "strings are values, never removed", "string values stay")
assert(wv[3] == keep, "referenced value stays")

-- Weak keys.
local wk = setmetatable({}, {__mode = "k"})
local k1 = {}
wk[k1] = 1
wk[{}] = 2
wk["str"] = 3
collectgarbage()
local n = 0
for k, v in pairs(wk) do n = n + 1 end
assert(n == 2 and wk[k1] == 1 and wk.str == 3, "unreferenced key cleared, others stay")

-- Fully weak.
local wkv = setmetatable({}, {__mode = "kv"})
wkv[{}] = {}
wkv[1] = {}
wkv[keep] = 5
collectgarbage()
n = 0
for k in pairs(wkv) do n = n + 1 end
assert(n == 1 and wkv[keep] == 5, "kv-weak table")

-- A cache pattern: weak values survive while in use.
local cache = setmetatable({}, {__mode = "v"})
local function get(key)
  local v = cache[key]
  if not v then v = {key = key}; cache[key] = v end
  return v
end
local held = get("a")
get("b")
collectgarbage()
assert(cache.a == held and cache.b == nil, "weak cache")

-- __gc on a newproxy userdata runs when it becomes garbage.
local finalized = {}
do
  local p = newproxy(true)
  getmetatable(p).__gc = function() finalized[#finalized + 1] = "p" end
end
collectgarbage()
collectgarbage()
assert(finalized[1] == "p", "__gc ran")

-- newproxy(proxy) shares the metatable; newproxy() has none.
local p1 = newproxy(true)
local p2 = newproxy(p1)
assert(getmetatable(p1) == getmetatable(p2), "shared metatable")
assert(getmetatable(newproxy()) == nil and getmetatable(newproxy(false)) == nil, "no metatable")
assert(type(p1) == "userdata", "proxy is userdata")

-- The finalizer can see the object; several finalizers all run.
local count = 0
for i = 1, 50 do
  local u = newproxy(true)
  getmetatable(u).__gc = function(self) assert(type(self) == "userdata"); count = count + 1 end
end
collectgarbage()
collectgarbage()
assert(count == 50, "50 finalizers ran, got " .. count)

-- Cycles are collected.
do
  local a, b = {}, {}
  a.other, b.other = b, a
  local wc = setmetatable({a}, {__mode = "v"})
  a, b = nil, nil
  collectgarbage()
  assert(wc[1] == nil, "cycle collected")
end

-- Closures and their upvalues are collected.
local wf = setmetatable({}, {__mode = "v"})
do
  local captured = {}
  wf[1] = function() return captured end
end
collectgarbage()
assert(wf[1] == nil, "unreferenced closure collected")

-- collectgarbage options.
assert(collectgarbage("step") ~= nil, "step returns a boolean")
assert(type(collectgarbage("setpause", 200)) == "number", "setpause returns the previous value")
assert(type(collectgarbage("setstepmul", 200)) == "number", "setstepmul returns the previous value")
assert(collectgarbage("stop") == 0 and collectgarbage("restart") == 0, "stop/restart return 0")
assert(collectgarbage("collect") == 0 and collectgarbage() == 0, "collect returns 0")
local ok, msg = pcall(collectgarbage, "bogus")
assert(not ok and msg == "bad argument #1 to '?' (invalid option 'bogus')", msg)
assert(type(gcinfo()) == "number", "gcinfo")

-- userdata finalizers (newproxy): run newest first; a finalized userdata is
-- already gone where it was a weak value, still there where it was a weak key;
-- a finalizer's error comes out of the collection that ran it
do
  local order = {}
  local u = newproxy(true)
  local weakv = setmetatable({}, {__mode = "v"})
  local weakk = setmetatable({}, {__mode = "k"})
  for i = 1, 3 do
    local p = newproxy(u)
    weakv[i] = p
    weakk[p] = i
  end
  getmetatable(u).__gc = function (o)
    order[#order + 1] = weakk[o] or 0
    for i = 1, 3 do assert(weakv[i] == nil) end
  end
  u = nil
  collectgarbage()
  assert(#order == 4 and order[1] == 3 and order[2] == 2 and order[3] == 1 and order[4] == 0,
         table.concat(order, " "))
  assert(next(weakk) ~= nil)       -- keys go in a later cycle
  collectgarbage()
  assert(next(weakk) == nil)
  local bad = newproxy(true)
  getmetatable(bad).__gc = function () error("!!!") end
  bad = nil
  local ok, err = pcall(collectgarbage)
  assert(not ok and string.find(err, "!!!"), err)
end

print("OK")
