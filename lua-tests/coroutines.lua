-- Coroutines: resume/yield value passing, status, wrap, errors, yield across
-- a C boundary. Uses only the base library and coroutine.*. Expected: lua5.1.

local co = coroutine.create(function(a, b)
  local c = coroutine.yield(a + b)
  local d, e = coroutine.yield(c * 2)
  return d + e
end)
assert(coroutine.status(co) == "suspended", "new coroutine is suspended")
local ok, v = coroutine.resume(co, 1, 2)
assert(ok and v == 3, "first resume passes arguments")
assert(coroutine.status(co) == "suspended", "suspended after yield")
ok, v = coroutine.resume(co, 10)
assert(ok and v == 20, "resume value is yield's result")
ok, v = coroutine.resume(co, 3, 4)
assert(ok and v == 7, "return value ends the coroutine")
assert(coroutine.status(co) == "dead", "dead after return")
ok, v = coroutine.resume(co)
assert(not ok and v == "cannot resume dead coroutine", v)

-- Yield from the main thread (no coroutine) and across pcall.
ok, v = pcall(coroutine.yield)
assert(not ok and v == "attempt to yield across metamethod/C-call boundary", v)
local across = coroutine.create(function() return pcall(coroutine.yield, 1) end)
local r1, r2, r3 = coroutine.resume(across)
assert(r1 == true and r2 == false and r3 == "attempt to yield across metamethod/C-call boundary", tostring(r3))
local meta = coroutine.create(function()
  local t = setmetatable({}, {__index = function() return coroutine.yield(5) end})
  return t.x
end)
ok, v = coroutine.resume(meta)
assert(not ok and v == "attempt to yield across metamethod/C-call boundary", v)

-- Errors inside a coroutine.
local bad = coroutine.create(loadstring("error('oops')", "=c"))
ok, v = coroutine.resume(bad)
assert(not ok and v == "c:1: oops" and coroutine.status(bad) == "dead", v)
local errobj = {}
ok, v = coroutine.resume(coroutine.create(function() error(errobj) end))
assert(not ok and v == errobj, "error object passes through resume")

-- running and status from the inside.
assert(coroutine.running() == nil, "main thread: running() is nil in 5.1")
local self
self = coroutine.create(function()
  return coroutine.running() == self, coroutine.status(self)
end)
local _, isself, st = coroutine.resume(self)
assert(isself == true and st == "running", "running() and status inside")
local outer
outer = coroutine.create(function()
  local inner = coroutine.create(function() coroutine.yield(coroutine.status(outer)) end)
  local _, s = coroutine.resume(inner)
  coroutine.yield(s)
end)
_, st = coroutine.resume(outer)
assert(st == "normal", "a coroutine that resumed another is normal")
local selfres
selfres = coroutine.create(function() return coroutine.resume(selfres) end)
local o1, o2, o3 = coroutine.resume(selfres)
assert(o1 == true and o2 == false and o3 == "cannot resume running coroutine", tostring(o3))

-- create needs a Lua function.
ok, v = pcall(coroutine.create, print)
assert(not ok and v == "bad argument #1 to '?' (Lua function expected)", v)

-- Varargs and nils through resume/yield.
local co7 = coroutine.create(function(...) return select('#', ...), ... end)
local c1, c2, c3, c4 = coroutine.resume(co7, nil, nil)
assert(c1 == true and c2 == 2 and c3 == nil and c4 == nil, "nil arguments counted")
assert(select('#', coroutine.resume(coroutine.create(function() coroutine.yield() end))) == 1, "empty yield")
local cot = coroutine.create(function()
  local x = {}
  for i = 1, 3 do x[i] = coroutine.yield() end
  return x[1] .. x[2] .. x[3]
end)
coroutine.resume(cot); coroutine.resume(cot, "a"); coroutine.resume(cot, "b")
_, v = coroutine.resume(cot, "c")
assert(v == "abc", "values sent in by resume")

-- wrap.
local w = coroutine.wrap(function() coroutine.yield(1); coroutine.yield(2) end)
assert(w() == 1 and w() == 2, "wrap yields")
assert(select('#', w()) == 0, "finished wrap returns nothing")
ok, v = pcall(w)
assert(not ok and v == "cannot resume dead coroutine", v)
ok, v = pcall(coroutine.wrap(loadstring("error('in wrap')", "=w")))
assert(not ok and v == "w:1: in wrap", v)
ok, v = pcall(coroutine.wrap(function() error(errobj) end))
assert(v == errobj, "wrap passes error objects")

-- Generators.
local function gen(n)
  return coroutine.wrap(function() for i = 1, n do coroutine.yield(i) end end)
end
local acc = 0
for i in gen(100) do acc = acc + i end
assert(acc == 5050, "generator in a for loop")

-- Producer/consumer passing values both ways.
local producer = coroutine.create(function()
  local total = 0
  while true do
    local x = coroutine.yield(total)
    if x == nil then break end
    total = total + x
  end
  return "done", total
end)
coroutine.resume(producer)
for i = 1, 10 do coroutine.resume(producer, i) end
local _, d, tot = coroutine.resume(producer)
assert(d == "done" and tot == 55, "two-way communication")

-- Many coroutines alive at once, each with its own stack.
local cos = {}
for i = 1, 200 do
  cos[i] = coroutine.create(function(x)
    local y = coroutine.yield(x * 2)
    return x + y
  end)
  coroutine.resume(cos[i], i)
end
local sum = 0
for i = 1, 200 do
  local _, r = coroutine.resume(cos[i], 1)
  sum = sum + r
end
assert(sum == 20100 + 200, "200 live coroutines")

-- Deep recursion inside a coroutine, with yields from deep down.
local deep = coroutine.create(function()
  local function rec(n) if n == 0 then coroutine.yield("bottom") return 0 end return 1 + rec(n - 1) end
  return rec(5000)
end)
local _, b = coroutine.resume(deep)
assert(b == "bottom", "yield from depth 5000")
local _, depth = coroutine.resume(deep)
assert(depth == 5000, "resume back up the recursion")

-- Yield inside a for-in iterator and across nested Lua calls.
local walker = coroutine.wrap(function()
  local function visit(t) for _, x in ipairs(t) do if type(x) == "table" then visit(x) else coroutine.yield(x) end end end
  visit({1, {2, {3, 4}}, 5})
end)
local seen = ""
for x in walker do seen = seen .. x end
assert(seen == "12345", "tree walk with yields")

-- Error inside a wrapped coroutine, with the standard message.
ok, v = pcall(coroutine.wrap(loadstring("local t = {} return t.x.y", "=w")))
assert(v == "w:1: attempt to index field 'x' (a nil value)", v)

-- each coroutine has its own global table (getfenv(0)), inherited from its
-- creator; setfenv(0, t) inside one changes only that one
do
  local G = getfenv(0)
  local mine = setmetatable({}, {__index = G})
  local co = coroutine.create(function ()
    setfenv(0, mine)
    assert(getfenv(0) == mine)
    assert(getfenv(1) == G)                       -- the function keeps its own
    assert(getfenv(loadstring("")) == mine)       -- new chunks get the thread's
    local inner = coroutine.create(function () coroutine.yield(getfenv(0)) end)
    local _, env = coroutine.resume(inner)
    assert(env == mine)                           -- inherited from the creator
    coroutine.yield()
    assert(getfenv(0) == mine)
  end)
  assert(coroutine.resume(co))
  assert(getfenv(0) == G)                         -- the main thread is untouched
  assert(coroutine.resume(co))
  local other = coroutine.create(function () coroutine.yield(getfenv(0)) end)
  local t = {}
  debug.setfenv(other, t)
  assert(debug.getfenv(other) == t)
  assert(select(2, coroutine.resume(other)) == t)
end

print("OK")
