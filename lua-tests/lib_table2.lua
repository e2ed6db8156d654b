-- Table library edge cases: insert/remove positions, concat ranges and errors, maxn/getn/setn, foreach/foreachi, sort orders, comparators and errors.
-- Each probe line below is compared with what lua5.1 printed for it (the
-- `expected` list at the end). To regenerate that list after changing a probe,
-- run `lua5.1 -e GEN=1 lib_table2.lua` from lua-tests/ and paste its output.
local function show(...)
  local t = {n = select("#", ...), ...}
  for i = 1, t.n do t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i]) end
  return "(" .. table.concat(t, ",", 1, t.n) .. ")"
end
local function try(f, ...) return show(pcall(f, ...)) end
local function list(t, n) local o = {} for i = 1, n or #t do o[i] = tostring(t[i]) end return "{" .. table.concat(o, ",") .. "}" end
local r = {}
local function add(x) r[#r+1] = x end
local t = {1, 2, 3}
table.insert(t, 4); table.insert(t, 1, 0); table.insert(t, 3, 1.5)
add(list(t))
t = {1, 2, 3}; table.insert(t, 6, "x"); add(list(t, 6))
t = {1, 2, 3}; table.insert(t, -1, "y"); add(list(t, 4) .. tostring(t[-1]) .. tostring(t[0]))
t = {1, 2, 3}; table.insert(t, 2^32 + 1, "w"); add(list(t, 4))
t = {1, 2, 3}; table.insert(t, 2.7, "z"); add(list(t, 4))
add(show(try(table.insert, {}), try(table.insert, {}, 1, 2, 3), try(table.insert, nil, 1), try(table.insert, {}, "a", 1)))
t = {1, 2, 3, 4}
add(show(table.remove(t), table.remove(t, 1), #t, t[1], t[2], t[3]))
t = {1, 2, 3}
add(show(table.remove(t, 7)) .. show(table.remove(t, 0)) .. show(table.remove(t, -1)) .. show(table.remove({})) .. #t)
t = {n = 3}; add(show(table.remove(t), table.remove(t, 1)))
t = {[1] = "a", [2] = "b", [4] = "d"}
add(show(table.remove(t, 2.5), t[1], t[2], t[3], t[4]))
add(show(table.concat({1, 2.5, "x", -0.0, 1e100}, "|"), table.concat({}, "x"), table.concat({"a", "b"}, 3), table.concat({"a", "b", "c"}, ", ", 2, 3)))
add(show(table.concat({"a", "b"}, "", 3), table.concat({"a"}, "", 1, 0), table.concat({"a", "b", "c"}, "-", -1 + 2^32 + 2, 2)))
add(show(try(table.concat, {1, {}}), try(table.concat, {1, 2}, "", 1, 3), try(table.concat, {true}), try(table.concat, {}, {}), try(table.concat, "x")))
add(show(try(table.concat, {"a"}, "", "x"), try(table.concat, {1, nil, 3}), table.concat({1, nil, 3}, ",", 3, 3)))
add(show(table.maxn({}), table.maxn({1, 2, 3}), table.maxn({[10] = 1, [2.5] = 2, a = 3, [-5] = 4}), table.maxn({[-1] = 1}), try(table.maxn, 1)))
add(show(table.getn({1, 2, 3}), table.getn({1, nil, 3}), table.getn({n = 10}), try(table.getn, "x")))
add(show(try(table.setn, {}, 3), try(table.setn, 1)))
local log = {}
add(show(table.foreachi({"a", "b", "c"}, function(i, v) log[#log+1] = i .. v; if v == "b" then return i * 10, "extra" end end), table.concat(log, " ")))
add(show(table.foreachi({"a"}, function() end), try(table.foreachi, {}, 1), try(table.foreachi, nil)))
log = {}
add(show(table.foreach({10, 20, x = 1}, function(k, v) log[#log+1] = tostring(k) .. "=" .. v end), #log))
add(show(table.foreach({5}, function(k, v) return v + 1 end), try(table.foreach, {}, nil)))
-- sort
t = {5, 2, 8, 1, 9, 3}; table.sort(t); add(list(t))
t = {5, 2, 8, 1, 9, 3}; table.sort(t, function(a, b) return a > b end); add(list(t))
t = {"b", "a", "B", "", "ab", "a\0"}; table.sort(t); add(show(unpack(t)))
t = {3, 1, 2}; table.sort(t, nil); add(list(t))
add(show(try(table.sort, {1, "x"}), try(table.sort, {{}, {}}), try(table.sort, {1, 2}, 1), try(table.sort, nil), try(table.sort, {3, 2, 1, nil, 5})))
local mt = {__lt = function(a, b) return a.v < b.v end}
t = {}; for i, v in ipairs{4, 1, 3, 2, 5} do t[i] = setmetatable({v = v}, mt) end
table.sort(t); local o = {} for i = 1, #t do o[i] = t[i].v end; add(table.concat(o, ","))
t = {}; for i = 1, 100 do t[i] = (i * 37) % 101 end
table.sort(t, function(a, b) return a % 10 < b % 10 end)
add(table.concat(t, ","))
t = {1, 2, 3, 4, 5}
add(show(try(table.sort, t, function(a, b) error("boom") end)) .. list(t))
t = {3, 1, 2}; table.sort(t, function(a, b) return a < b, "ignored" end); add(list(t))

if rawget(_G, "GEN") then
  for i = 1, #r do
    local lit = r[i]:gsub(".", function(c)
      local b = c:byte()
      if b < 32 or b > 126 or c == '"' or c == "\\" then return string.format("\\%03d", b) end
    end)
    print('"' .. lit .. '",')
  end
  return
end
local expected = {
  "{0,1,1.5,2,3,4}",
  "{1,2,3,nil,nil,x}",
  "{nil,1,2,3}ynil",
  "{w,1,2,3}",
  "{1,z,2,3}",
  "(\034(false,\092\034wrong number of arguments to 'insert'\092\034)\034,\034(false,\092\034wrong number of arguments to 'insert'\092\034)\034,\034(false,\092\034bad argument #1 to '?' (table expected, got nil)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (number expected, got string)\092\034)\034)",
  "(4,1,2,2,3,nil)",
  "()()()()3",
  "(nil)",
  "(\034b\034,\034a\034,nil,\034d\034,nil)",
  "(\0341|2.5|x|0|1e+100\034,\034\034,\034a3b\034,\034b, c\034)",
  "(\034\034,\034\034,\034a-b\034)",
  "(\034(false,\092\034invalid value (table) at index 2 in table for 'concat'\092\034)\034,\034(false,\092\034invalid value (nil) at index 3 in table for 'concat'\092\034)\034,\034(false,\092\034invalid value (boolean) at index 1 in table for 'concat'\092\034)\034,\034(false,\092\034bad argument #2 to '?' (string expected, got table)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (table expected, got string)\092\034)\034)",
  "(\034(false,\092\034bad argument #3 to '?' (number expected, got string)\092\034)\034,\034(false,\092\034invalid value (nil) at index 2 in table for 'concat'\092\034)\034,\0343\034)",
  "(0,3,10,0,\034(false,\092\034bad argument #1 to '?' (table expected, got number)\092\034)\034)",
  "(3,3,0,\034(false,\092\034bad argument #1 to '?' (table expected, got string)\092\034)\034)",
  "(\034(false,\092\034'setn' is obsolete\092\034)\034,\034(false,\092\034bad argument #1 to '?' (table expected, got number)\092\034)\034)",
  "(20,\0341a 2b\034)",
  "(nil,\034(false,\092\034bad argument #2 to '?' (function expected, got number)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (table expected, got nil)\092\034)\034)",
  "(nil,3)",
  "(6,\034(false,\092\034bad argument #2 to '?' (function expected, got nil)\092\034)\034)",
  "{1,2,3,5,8,9}",
  "{9,8,5,3,2,1}",
  "(\034\034,\034B\034,\034a\034,\034a\092000\034,\034ab\034,\034b\034)",
  "{1,2,3}",
  "(\034(false,\092\034attempt to compare string with number\092\034)\034,\034(false,\092\034attempt to compare two table values\092\034)\034,\034(false,\092\034bad argument #2 to '?' (function expected, got number)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (table expected, got nil)\092\034)\034,\034(false,\092\034attempt to compare nil with number\092\034)\034)",
  "1,2,3,4,5",
  "100,90,40,50,60,70,30,80,10,20,11,41,91,31,81,61,71,51,21,1,72,82,12,92,52,2,62,32,22,42,63,23,43,3,13,33,93,73,53,83,14,54,44,34,24,4,64,94,84,74,25,95,35,65,45,75,55,5,85,15,56,26,86,6,16,46,76,96,66,36,17,47,77,57,7,87,97,67,37,27,18,28,58,8,98,88,48,78,68,38,49,79,69,89,9,99,39,19,29,59",
  "(\034(false,\092\034lib_table2.lua:55: boom\092\034)\034){1,2,3,4,5}",
  "{1,2,3}",
}
local n = #r
if #expected > n then n = #expected end
for i = 1, n do
  assert(r[i] == expected[i], "line " .. i .. ": got " .. tostring(r[i]) .. ", lua5.1 gave " .. tostring(expected[i]))
end
assert(#r == #expected, "probe count")
print("OK")
