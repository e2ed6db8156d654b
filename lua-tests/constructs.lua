-- Language constructs: precedence and associativity, multiple assignment order,
-- scoping, blocks, method definitions, globals and _G. Uses only the base library.

-- Precedence (lowest to highest): or; and; < > <= >= ~= ==; ..; + -; * / %; not # -(unary); ^
assert(1 + 2 * 3 == 7 and (1 + 2) * 3 == 9, "* over +")
assert(2 ^ 3 ^ 2 == 512, "^ is right associative")
assert(-2 ^ 2 == -4 and (-2) ^ 2 == 4, "^ binds tighter than unary minus")
assert(2 ^ -1 == 0.5, "unary minus in exponent")
assert(not nil == true and not 1 == false, "not binds tighter than ==")
assert(1 .. 2 == "12" and "a" .. "b" == "ab", "..")
assert("x" .. 1 + 2 == "x3", "+ binds tighter than ..")
assert(("a" .. "b" .. "c") == "abc", ".. is right associative")
assert(1 < 2 == true, "comparison then equality, left to right")
assert((1 or false) and nil == nil, "and/or precedence")
assert((false or true and false) == false, "and over or")
assert(#"abc" + 1 == 4, "# binds tighter than +")
assert(-3 % 5 == 2 and -(3 % 5) == -3, "unary minus before %")
assert(10 - 2 - 3 == 5 and 64 / 4 / 2 == 8, "- and / are left associative")
assert(2 * 3 % 4 == 2, "* and % same level, left to right")

-- Multiple assignment: all expressions are evaluated before any assignment.
local a, b = 1, 2
a, b = b, a
assert(a == 2 and b == 1, "swap")
local t = {1, 2, 3}
local i = 1
i, t[i] = i + 1, 20
assert(i == 2 and t[1] == 20, "table index evaluated before assignment")
local x, y, z = 1
assert(x == 1 and y == nil and z == nil, "missing values are nil")
local p, q = 1, 2, 3
assert(p == 1 and q == 2, "extra values are dropped")
local function two() return 1, 2 end
local m1, m2, m3 = two(), two()
assert(m1 == 1 and m2 == 1 and m3 == 2, "only the last call expands")

-- Evaluation of the right side happens once.
local n = 0
local function bump() n = n + 1; return n end
local r1, r2 = bump(), bump()
assert(r1 == 1 and r2 == 2 and n == 2, "each expression evaluated once, in order")

-- Scoping and shadowing.
local s = "outer"
do
  local s = "inner"
  assert(s == "inner", "shadowed")
end
assert(s == "outer", "restored after block")
local sh = 1
local sh = sh + 1
assert(sh == 2, "a new local sees the old one in its initializer")
local function scope()
  local v = "local"
  return function() return v end
end
assert(scope()() == "local", "closure scope")

-- Globals live in _G.
newglobal = 5
assert(_G.newglobal == 5 and _G["newglobal"] == 5, "_G holds globals")
_G.other = 6
assert(other == 6, "assigning _G creates a global")
assert(_G._G == _G, "_G._G")
assert(_VERSION == "Lua 5.1", "_VERSION")

-- Function definitions: dotted names and methods.
local obj = {inner = {}}
function obj.inner.f(v) return v * 2 end
function obj:m(v) return self, v end
assert(obj.inner.f(4) == 8, "dotted function name")
local self_, v_ = obj:m(9)
assert(self_ == obj and v_ == 9, "method gets self")
assert(obj.m(obj, 1) == obj, "explicit self")

-- Call syntax sugar: f"str", f{table}, f[[long]].
local function id(v) return v end
assert(id"str" == "str" and id[[long]] == "long" and id{1}[1] == 1, "call sugar")
local chain = {f = function(self) return self end}
assert(chain:f():f():f() == chain, "chained method calls")

-- if/elseif/else.
local function classify(v)
  if v < 0 then return "neg" elseif v == 0 then return "zero" elseif v < 10 then return "small" else return "big" end
end
assert(classify(-1) == "neg" and classify(0) == "zero" and classify(5) == "small" and classify(50) == "big", "elseif chain")

-- Semicolons after statements (5.1 has no empty statement: ';;' is an error).
local e = 1; e = e + 1;
assert(e == 2, "optional semicolons")
assert(loadstring("local a = 1;;") == nil, "';;' is a syntax error in 5.1")

-- Parenthesised expressions as prefixes.
assert(("abc") == "abc" and ({10})[1] == 10 and (function() return 7 end)() == 7, "prefix expressions")

-- Comparisons of different types are never equal and never error for ==.
assert(1 ~= "1" and nil ~= false and {} ~= nil, "different types")

-- and/or return operands, not booleans.
assert((1 and 2) == 2 and (nil or 3) == 3 and (false and error("not evaluated")) == false, "short circuit values")

-- Numeric literals in odd forms and long comments.
assert(0x7fffffff == 2147483647 and 1e0 == 1 --[[ inline comment ]] , "literals with comments")

-- Nested functions to some depth.
local function nest(k)
  if k == 0 then return function() return "leaf" end end
  return function() return nest(k - 1)() end
end
assert(nest(50)() == "leaf", "nested functions")

-- Integer-like keys from arithmetic.
local arr = {}
arr[1 + 1] = "two"
arr[4 / 2] = "also two"
assert(arr[2] == "also two", "2 and 4/2 are the same key")

-- A chunk returns values; loadstring compiles with varargs.
local chunk = loadstring("local a, b = ... return a + b, select('#', ...)")
local sum, cnt = chunk(3, 4)
assert(sum == 7 and cnt == 2, "chunk varargs")

-- while with complex conditions and nested breaks.
local w, found = 0, nil
while true do
  w = w + 1
  if w % 7 == 0 and w % 5 == 0 then found = w break end
end
assert(found == 35, "break with a value found")

print("OK")
