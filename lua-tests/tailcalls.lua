-- Proper tail calls: unbounded tail recursion runs in constant stack.
-- Uses only the base library. Expected: lua5.1.

local function loop(n, acc)
  if n == 0 then return acc end
  return loop(n - 1, acc + 1)
end
assert(loop(10000000, 0) == 10000000, "10 million tail calls")

-- Mutual tail recursion.
local is_even, is_odd
function is_even(n) if n == 0 then return true end return is_odd(n - 1) end
function is_odd(n) if n == 0 then return false end return is_even(n - 1) end
assert(is_even(1000000) == true and is_odd(777777) == true, "mutual tail recursion")

-- Tail call through a method and a table field.
local obj = {n = 0}
function obj:count(k) if k == 0 then return self.n end self.n = self.n + 1 return self:count(k - 1) end
assert(obj:count(500000) == 500000, "tail-recursive method")

-- Tail call returning multiple values.
local function multi(n, ...) if n == 0 then return ... end return multi(n - 1, ...) end
local a, b, c = multi(100000, 1, 2, 3)
assert(a == 1 and b == 2 and c == 3, "varargs through tail calls")
assert(select('#', multi(1000, nil, nil)) == 2, "nils through tail calls")

-- A tail call to a __call object and to a native function.
local callable = setmetatable({}, {__call = function(self, x) return x * 2 end})
local function tc(x) return callable(x) end
assert(tc(21) == 42, "tail call to __call")
local function tn(x) return tostring(x) end
assert(tn(5) == "5", "tail call to a native function")

-- Not a tail call: 'return (f(x))' and 'return f(x) + 0' keep the frame; shallow here.
local function wrap1(n) if n == 0 then return 1, 2 end return (wrap1(n - 1)) end
assert(select('#', wrap1(10)) == 1, "parenthesised call is truncated")

-- A state machine written with tail calls.
local states = {}
function states.a(n) if n <= 0 then return "a" end return states.b(n - 1) end
function states.b(n) if n <= 0 then return "b" end return states.c(n - 1) end
function states.c(n) if n <= 0 then return "c" end return states.a(n - 1) end
assert(states.a(3000001) == "b", "state machine of tail calls")

-- Tail calls inside a coroutine.
local co = coroutine.wrap(function() return loop(1000000, 0) end)
assert(co() == 1000000, "tail calls inside a coroutine")

print("OK")
