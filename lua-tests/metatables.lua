-- Metatables and metamethods, with 5.1's rules for when each applies.
-- Uses only the base library. Expected values are what lua5.1 gives.

-- __index as a table, chained.
local base = {greet = function() return "hi" end, x = 1}
local mid = setmetatable({y = 2}, {__index = base})
local obj = setmetatable({}, {__index = mid})
assert(obj.x == 1 and obj.y == 2 and obj.greet() == "hi", "__index chain")
assert(rawget(obj, "x") == nil, "rawget skips __index")

-- __index as a function.
local calls = 0
local lazy = setmetatable({}, {__index = function(t, k) calls = calls + 1; return k .. "!" end})
assert(lazy.foo == "foo!" and lazy[1] == "1!" and calls == 2, "__index function")

-- __newindex as a table and as a function.
local store = {}
local proxy = setmetatable({}, {__newindex = store})
proxy.a = 10
assert(rawget(proxy, "a") == nil and store.a == 10, "__newindex table")
local log = {}
local watched = setmetatable({}, {__newindex = function(t, k, v) log[#log + 1] = k; rawset(t, k, v * 2) end})
watched.p = 5
watched.p = 7 -- existing key: no metamethod
assert(watched.p == 7 and #log == 1, "__newindex only for absent keys")
-- __newindex chain through a table that itself has __newindex.
local inner = {}
local outer = setmetatable({}, {__newindex = setmetatable({}, {__newindex = inner})})
outer.z = 3
assert(inner.z == 3, "__newindex chain")

-- __call.
local callable = setmetatable({}, {__call = function(self, a, b) return self, a + b end})
local s, r = callable(2, 3)
assert(s == callable and r == 5, "__call receives the object first")

-- Arithmetic metamethods.
local V = {}
V.__index = V
local function vec(x) return setmetatable({x = x}, V) end
V.__add = function(a, b) return vec((type(a) == "table" and a.x or a) + (type(b) == "table" and b.x or b)) end
V.__sub = function(a, b) return vec(a.x - b.x) end
V.__mul = function(a, b) return vec(a.x * (type(b) == "number" and b or b.x)) end
V.__div = function(a, b) return vec(a.x / b.x) end
V.__mod = function(a, b) return vec(a.x % b.x) end
V.__pow = function(a, b) return vec(a.x ^ b) end
V.__unm = function(a) return vec(-a.x) end
assert((vec(1) + vec(2)).x == 3, "__add")
assert((vec(1) + 5).x == 6 and (5 + vec(1)).x == 6, "__add with a number on either side")
assert((vec(5) - vec(2)).x == 3, "__sub")
assert((vec(5) * 2).x == 10, "__mul")
assert((vec(9) / vec(2)).x == 4.5, "__div")
assert((vec(9) % vec(4)).x == 1, "__mod")
assert((vec(2) ^ 10).x == 1024, "__pow")
assert((-vec(3)).x == -3, "__unm")
-- Numeric strings are coerced before metamethods are tried.
assert("10" + 5 == 15 and "3" * "4" == 12, "string arithmetic")

-- Arithmetic error names the operand.
local ok, msg = pcall(loadstring("local t = {} return t + 1", "=m"))
assert(msg == "m:1: attempt to perform arithmetic on local 't' (a table value)", msg)

-- __concat.
local C = setmetatable({}, {__concat = function(a, b)
  local av = type(a) == "table" and "C" or a
  local bv = type(b) == "table" and "C" or b
  return av .. bv
end})
assert(C .. "x" == "Cx" and "x" .. C == "xC" and 1 .. C == "1C", "__concat")
assert("a" .. "b" .. C .. "d" == "abCd", "__concat in a chain")
ok, msg = pcall(loadstring("local t = {} return 'a' .. t", "=m"))
assert(msg == "m:1: attempt to concatenate local 't' (a table value)", msg)

-- __eq: only for two tables (or two userdata) sharing the same metamethod.
local eqmt = {__eq = function(a, b) return a.id == b.id end}
local e1 = setmetatable({id = 1}, eqmt)
local e2 = setmetatable({id = 1}, eqmt)
local e3 = setmetatable({id = 1}, {__eq = function() return true end})
assert(e1 == e2, "__eq same metamethod")
assert(not (e1 == e3), "__eq different metamethods: not called")
assert(e1 ~= 1, "__eq never for different types")
local eqcalls = 0
local same = setmetatable({}, {__eq = function() eqcalls = eqcalls + 1; return false end})
assert(same == same and eqcalls == 0, "__eq not called for identical objects")

-- __lt and __le; __le falls back to not __lt(b, a).
local O = {}
O.__lt = function(a, b) return a.v < b.v end
local function o(v) return setmetatable({v = v}, O) end
assert(o(1) < o(2) and not (o(2) < o(1)), "__lt")
assert(o(3) > o(2), "a > b is b < a")
assert(o(1) <= o(1) and o(1) <= o(2) and not (o(3) <= o(2)), "__le via not __lt")
O.__le = function(a, b) return "yes" end
assert((o(5) <= o(1)) == true, "__le result converted to boolean")
ok, msg = pcall(loadstring("return {} < {}", "=m"))
assert(msg == "m:1: attempt to compare two table values", msg)
ok, msg = pcall(loadstring("return 1 < 'x'", "=m"))
assert(msg == "m:1: attempt to compare number with string", msg)
ok, msg = pcall(loadstring("return {} <= 1", "=m"))
assert(msg == "m:1: attempt to compare table with number", msg)
assert("a" < "b" and "abc" < "abd" and "" < "a" and not ("b" < "a"), "string comparison")
assert("Z" < "a" and "a\0b" > "a", "byte-wise string comparison")

-- __len is not used for tables in 5.1 (only for userdata).
local lent = setmetatable({1, 2, 3}, {__len = function() return 42 end})
assert(#lent == 3, "__len ignored for tables in 5.1")
local u = newproxy(true)
getmetatable(u).__len = function() return 42 end
assert(#u == 42, "__len used for userdata")

-- __tostring.
local named = setmetatable({}, {__tostring = function() return "I am named" end})
assert(tostring(named) == "I am named", "__tostring")

-- __metatable protects the metatable.
local guarded = setmetatable({}, {__metatable = "locked"})
assert(getmetatable(guarded) == "locked", "__metatable value returned")
ok, msg = pcall(setmetatable, guarded, {})
assert(not ok and msg == "cannot change a protected metatable", msg)

-- setmetatable returns its first argument; nil removes the metatable.
local plain = {}
assert(setmetatable(plain, {}) == plain, "setmetatable returns the table")
setmetatable(plain, nil)
assert(getmetatable(plain) == nil, "metatable removed")

-- Strings share a metatable whose __index is the string table (if any).
assert(type(getmetatable("")) == "table", "strings have a metatable")

-- rawequal and rawset bypass metamethods.
assert(rawequal(e1, e1) and not rawequal(e1, e2), "rawequal")
local ro = setmetatable({}, {__newindex = function() error("read only") end})
rawset(ro, "k", 1)
assert(ro.k == 1, "rawset bypasses __newindex")

-- Inheritance with methods and self.
local Animal = {}
Animal.__index = Animal
function Animal.new(name) return setmetatable({name = name}, Animal) end
function Animal:speak() return self.name .. " makes a sound" end
local Dog = setmetatable({}, {__index = Animal})
Dog.__index = Dog
function Dog.new(name) return setmetatable(Animal.new(name), Dog) end
function Dog:speak() return self.name .. " barks" end
assert(Animal.new("cat"):speak() == "cat makes a sound", "method")
assert(Dog.new("rex"):speak() == "rex barks", "override")
assert(Dog.new("rex").new == Dog.new, "inherited field")

-- __index on a deep chain terminates (a loop would be 'loop in gettable').
local loopy = {}
setmetatable(loopy, {__index = loopy})
ok, msg = pcall(loadstring("local t = ... return t.missing", "=m"), loopy)
assert(not ok and msg == "m:1: loop in gettable", msg)

print("OK")
