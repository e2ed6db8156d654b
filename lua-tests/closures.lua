-- Closures and upvalues: sharing, fresh loop variables, nesting, recursion.
-- Uses only the base library. Expected values are what lua5.1 gives.

-- A counter closure keeps its own state.
local function counter()
  local n = 0
  return function() n = n + 1; return n end
end
local c1, c2 = counter(), counter()
assert(c1() == 1 and c1() == 2 and c1() == 3, "counter counts")
assert(c2() == 1, "each closure has its own upvalue")

-- Two closures created in the same scope share one upvalue.
local function pair()
  local v = 0
  local function get() return v end
  local function set(x) v = x end
  return get, set
end
local get, set = pair()
set(42)
assert(get() == 42, "closures of one scope share an upvalue")

-- Each iteration of a numeric for has a fresh loop variable...
local fs = {}
for i = 1, 3 do fs[i] = function() return i end end
assert(fs[1]() == 1 and fs[2]() == 2 and fs[3]() == 3, "fresh numeric loop variable")

-- ...and so does each iteration of a generic for.
local gs = {}
for k, v in ipairs({10, 20, 30}) do gs[k] = function() return k * v end end
assert(gs[1]() == 10 and gs[2]() == 40 and gs[3]() == 90, "fresh generic loop variables")

-- Two closures of the same iteration share; different iterations do not.
local getters, setters = {}, {}
for i = 1, 3 do
  local x = i * 10
  getters[i] = function() return x end
  setters[i] = function(v) x = v end
end
setters[2](99)
assert(getters[1]() == 10 and getters[2]() == 99 and getters[3]() == 30, "per-iteration sharing")

-- Locals declared inside while/repeat bodies are fresh each time round.
local ws = {}
local j = 0
while j < 3 do
  j = j + 1
  local captured = j
  ws[j] = function() return captured end
end
assert(ws[1]() == 1 and ws[3]() == 3, "fresh local in while body")
local rs = {}
local r = 0
repeat
  r = r + 1
  local y = r * 2
  rs[r] = function() return y end
until y >= 6   -- the until expression sees the body's local
assert(#rs == 3 and rs[2]() == 4, "repeat-until sees body locals")

-- Upvalue modified after the closure was created is seen by it (open upvalue).
local function late()
  local a = 1
  local f = function() return a end
  a = 2
  return f
end
assert(late()() == 2, "open upvalue sees later assignment")

-- Closing upvalues when leaving a block with break.
local saved
for i = 1, 10 do
  local z = i
  saved = function() z = z + 1; return z end
  if i == 5 then break end
end
assert(saved() == 6 and saved() == 7, "upvalue closed at break")

-- Deep nesting: upvalues through several levels.
local function l1()
  local a = 1
  return function()
    local b = 2
    return function()
      local c = 3
      return function()
        a = a + 1
        return a + b + c
      end
    end
  end
end
local f4 = l1()()()
assert(f4() == 7 and f4() == 8, "upvalues through four levels")

-- Recursive local function sees itself.
local function fact(n) if n <= 1 then return 1 end return n * fact(n - 1) end
assert(fact(10) == 3628800, "recursive local function")

-- 'local f = function' does not see itself: f inside refers to the global.
fib_global_probe = nil
local fib = function(n) return fib_global_probe end
assert(fib(3) == nil, "local f = function cannot see f")

-- Closures as objects.
local function account(balance)
  local self = {}
  function self.deposit(v) balance = balance + v end
  function self.balance() return balance end
  return self
end
local acc = account(100)
acc.deposit(50)
assert(acc.balance() == 150, "closure-based object")

-- Many closures over the same upvalue in a loop of loops.
local total = 0
local adders = {}
for i = 1, 5 do
  adders[i] = function(k) total = total + k * i end
end
for i = 1, 5 do adders[i](1) end
assert(total == 15, "closures updating a shared outer local")

-- Varargs in closures.
local function bind(f, ...)
  local args = {...}
  local n = select('#', ...)
  return function() return f(unpack(args, 1, n)) end
end
local b = bind(function(a, b, c) return a, b, c end, 1, nil, 3)
local x1, x2, x3 = b()
assert(x1 == 1 and x2 == nil and x3 == 3, "bound varargs keep nil holes")

-- A function's upvalue is a variable, not a value copy.
local v = 1
local function incv() v = v + 1 end
incv(); incv()
assert(v == 3, "upvalue writes reach the enclosing local")

print("OK")
