-- The table library: insert, remove, concat, sort (with and without comparator),
-- maxn, and the 5.1 compat functions getn/setn/foreach/foreachi. Expected: lua5.1.

-- insert / remove.
local t = {10, 20}
table.insert(t, 1, 5)
assert(t[1] == 5 and t[2] == 10 and t[3] == 20, "insert at front")
table.insert(t, 99)
assert(t[4] == 99 and #t == 4, "append")
table.insert(t, 3, 15)
assert(t[3] == 15 and t[4] == 20 and #t == 5, "insert in the middle")
local ok, msg = pcall(table.insert, {}, 1, 2, 3)
assert(not ok and msg == "wrong number of arguments to 'insert'", msg)
local r = {1, 2, 3}
assert(table.remove(r) == 3 and #r == 2, "remove last")
assert(table.remove(r, 1) == 1 and r[1] == 2 and #r == 1, "remove first shifts down")
assert(table.remove({}) == nil and select('#', table.remove({})) == 0, "remove from empty returns nothing")
local q = {}
for i = 1, 10 do table.insert(q, i) end
for i = 1, 5 do table.remove(q, 1) end
assert(#q == 5 and q[1] == 6 and q[5] == 10, "queue behaviour")

-- concat.
assert(table.concat({1, 2, 3}) == "123" and table.concat({1, 2, 3}, ", ") == "1, 2, 3", "concat")
assert(table.concat({}, "x") == "" and table.concat({1, 2, 3}, "", 3, 2) == "", "empty concat")
assert(table.concat({"a", "b", "c", "d"}, "-", 2, 3) == "b-c", "concat range")
assert(table.concat({1.5, "x", 2}, " ") == "1.5 x 2", "numbers are converted")
ok, msg = pcall(table.concat, {1, {}, 3})
assert(not ok and msg == "invalid value (table) at index 2 in table for 'concat'", msg)
ok, msg = pcall(table.concat, {1, 2, 3}, ", ", 2, 5)
assert(not ok and msg == "invalid value (nil) at index 4 in table for 'concat'", msg)

-- maxn / getn / setn / foreach / foreachi.
assert(table.maxn({1, 2, [10] = 3, [2.5] = 1}) == 10 and table.maxn({}) == 0, "maxn")
assert(table.getn({1, 2, 3}) == 3, "getn")
ok, msg = pcall(table.setn, {}, 3)
assert(not ok and msg == "'setn' is obsolete", msg)
local seen = {}
table.foreach({a = 1}, function(k, v) seen[k] = v end)
assert(seen.a == 1, "foreach")
local order = ""
table.foreachi({"x", "y"}, function(i, v) order = order .. i .. v end)
assert(order == "1x2y", "foreachi")
assert(table.foreachi({1, 2, 3}, function(i, v) if v == 2 then return "stop" end end) == "stop", "foreachi stops on a value")

-- sort.
local function sorted(a, cmp)
  for i = 2, #a do
    if cmp then assert(not cmp(a[i], a[i - 1]), "order at " .. i)
    else assert(not (a[i] < a[i - 1]), "order at " .. i) end
  end
  return true
end
local nums = {5, 3, 8, 1, 9, 2, 7, 4, 6, 0}
table.sort(nums)
assert(sorted(nums) and nums[1] == 0 and nums[10] == 9, "sort numbers")
local strs = {"pear", "apple", "fig", "banana", "Apple"}
table.sort(strs)
assert(table.concat(strs, " ") == "Apple apple banana fig pear", "sort strings bytewise")
table.sort(nums, function(a, b) return a > b end)
assert(nums[1] == 9 and nums[10] == 0, "sort with comparator")
local recs = {{n = "b", v = 2}, {n = "a", v = 1}, {n = "c", v = 3}}
table.sort(recs, function(x, y) return x.v < y.v end)
assert(recs[1].n == "a" and recs[3].n == "c", "sort records")

-- Large sorts (pseudo-random data with a linear congruential generator).
local big, seed = {}, 12345
for i = 1, 5000 do seed = (seed * 1103515245 + 12345) % 2147483648; big[i] = seed % 1000 end
table.sort(big)
assert(sorted(big), "sorted 5000 numbers with duplicates")
local desc = {}
for i = 1, 3000 do desc[i] = 3000 - i end
table.sort(desc)
assert(desc[1] == 0 and desc[3000] == 2999, "reverse-sorted input")
local same = {}
for i = 1, 1000 do same[i] = 7 end
table.sort(same)
assert(same[1] == 7 and same[1000] == 7, "all equal")

-- Errors from sort.
ok, msg = pcall(table.sort, {5, 3, 1, 2, 4, 7, 6, 9, 8, 10, 11, 12, 13, 14, 15}, function(a, b) return true end)
assert(not ok and msg == "invalid order function for sorting", msg)
ok, msg = pcall(table.sort, {1, "x"})
assert(not ok and msg == "attempt to compare string with number", msg)
ok, msg = pcall(table.sort, {1, 2, 3}, 5)
assert(not ok and msg == "bad argument #2 to '?' (function expected, got number)", msg)
ok, msg = pcall(table.sort, {{}, {}})
assert(not ok and msg == "attempt to compare two table values", msg)

-- Sorting with __lt metamethods.
local mt = {__lt = function(a, b) return a.k < b.k end}
local objs = {}
for i = 1, 50 do objs[i] = setmetatable({k = (i * 37) % 50}, mt) end
table.sort(objs)
for i = 1, 50 do assert(objs[i].k == i - 1, "metamethod sort") end

-- Argument errors name the function.
ok, msg = pcall(loadstring("table.insert(nil, 1)", "=m"))
assert(not ok and msg == "m:1: bad argument #1 to 'insert' (table expected, got nil)", msg)
ok, msg = pcall(loadstring("return table.concat({}, {})", "=m"))
assert(not ok and msg == "m:1: bad argument #2 to 'concat' (string expected, got table)", msg)

print("OK")
