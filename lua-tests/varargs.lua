-- Varargs: ..., select, the 5.1 compat 'arg' table, nil holes, truncation.
-- Uses only the base library. Expected values are what lua5.1 gives.

local function count(...) return select('#', ...) end
assert(count() == 0, "no args")
assert(count(nil) == 1, "one nil")
assert(count(nil, nil) == 2, "two nils")
assert(count(1, nil, 3, nil) == 4, "trailing nil counted")

local function pass(...) return ... end
assert(count(pass(1, 2, 3)) == 3, "... passes all values")
assert(count(pass()) == 0, "... of nothing")
assert(count(pass(1, 2), 10) == 2, "call not last: truncated to one")
assert(count((pass(1, 2, 3))) == 1, "parenthesised call gives one value")

-- select with positive and negative indices.
assert(select(2, 'a', 'b', 'c') == 'b', "select 2")
local a, b = select(2, 'a', 'b', 'c')
assert(a == 'b' and b == 'c', "select returns the rest")
assert(count(select(4, 1, 2, 3)) == 0, "select past the end")
assert(select(-1, 'a', 'b', 'c') == 'c', "select -1")
local s1, s2 = select(-2, 'a', 'b', 'c')
assert(s1 == 'b' and s2 == 'c', "select -2")
assert(not pcall(select, 0, 1, 2), "select 0 is an error")
local ok, msg = pcall(select, -5, 1)
-- Called straight from pcall there is no name for the function: 5.1 says '?'.
assert(not ok and msg == "bad argument #1 to '?' (index out of range)", msg)
ok, msg = pcall(loadstring("return select(-5, 1)", "=v"))
assert(not ok and msg == "v:1: bad argument #1 to 'select' (index out of range)", msg)

-- The 'arg' table: in 5.1 a vararg function that does not mention '...' gets arg.
local function oldstyle(...)
  return arg
end
local t = oldstyle(1, nil, 3)
assert(type(t) == "table" and t.n == 3 and t[1] == 1 and t[2] == nil and t[3] == 3, "compat arg table")
local function newstyle(...)
  local n = select('#', ...)
  return arg, n
end
local t2, n2 = newstyle(1, 2)
assert(n2 == 2, "select in vararg function")
assert(t2 == nil, "function using ... has a local arg that is nil")

-- Fixed parameters plus varargs.
local function fixed(a, b, ...)
  return a, b, select('#', ...), ...
end
local r1, r2, r3, r4, r5 = fixed(1)
assert(r1 == 1 and r2 == nil and r3 == 0 and r4 == nil, "missing fixed params are nil")
r1, r2, r3, r4, r5 = fixed(1, 2, 3, 4)
assert(r1 == 1 and r2 == 2 and r3 == 2 and r4 == 3 and r5 == 4, "extra args go to ...")

-- Table constructor expands the last call / ... only.
local function three() return 1, 2, 3 end
local tt = {three(), three()}
assert(#tt == 4 and tt[1] == 1 and tt[2] == 1 and tt[4] == 3, "only last call expands")
local tt2 = {three(), (three())}
assert(#tt2 == 2, "parenthesised last call truncated")
local function pack(...) return {...}, select('#', ...) end
local p, pn = pack(nil, nil, 5)
assert(pn == 3 and p[3] == 5 and p[1] == nil, "{...} keeps positions")

-- unpack with explicit bounds and holes.
local u1, u2, u3 = unpack({1, nil, 3}, 1, 3)
assert(u1 == 1 and u2 == nil and u3 == 3, "unpack with holes")
assert(count(unpack({}, 1, 5)) == 5, "unpack range of nils")
assert(count(unpack({1, 2, 3}, 2)) == 2, "unpack from 2")
assert(count(unpack({1, 2, 3}, 3, 2)) == 0, "empty unpack range")

-- Varargs in the middle of an expression list are truncated.
local function many() return 1, 2, 3 end
local x, y, z = many(), 10
assert(x == 1 and y == 10 and z == nil, "truncation in middle position")
x, y, z = 10, many()
assert(x == 10 and y == 1 and z == 2, "expansion in last position")

-- Return of varargs through several levels.
local function level3(...) return ... end
local function level2(...) return level3(...) end
local function level1(...) return level2(...) end
assert(count(level1(nil, nil, nil)) == 3, "varargs through tail calls keep nils")

-- Large varargs.
local big = {}
for i = 1, 200 do big[i] = i end
assert(count(unpack(big)) == 200, "200 values")
local function sum(...)
  local s = 0
  for i = 1, select('#', ...) do s = s + select(i, ...) end
  return s
end
assert(sum(unpack(big)) == 20100, "sum of 200 varargs")

-- ... in the main chunk is the script's arguments (none here: lua x.lua).
local main_count = select('#', ...)
assert(main_count == 0, "main chunk varargs")

-- varargs in a string.
local function cat(...)
  local r = ""
  for i = 1, select('#', ...) do r = r .. tostring((select(i, ...))) end
  return r
end
assert(cat(1, nil, "x", true) == "1nilxtrue", "tostring of each vararg")

print("OK")
