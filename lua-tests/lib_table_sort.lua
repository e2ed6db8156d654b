-- table.sort follows 5.1's quicksort step for step: results and errors with inconsistent or random comparators, comparison counts, the exact sequence of comparator calls.
-- Each probe line below is compared with what lua5.1 printed for it (the
-- `expected` list at the end). To regenerate that list after changing a probe,
-- run `lua5.1 -e GEN=1 lib_table_sort.lua` from lua-tests/ and paste its output.
local seed = 7
local function rnd(n) seed = (seed * 16807) % 2147483647; return seed % n end
local function arr(n, m) local t = {} for i = 1, n do t[i] = rnd(m) end return t end
local r = {}
-- inconsistent comparators: <=, random, always false
for _, n in ipairs{3, 4, 5, 10, 37} do
  local t = arr(n, 5)
  local ok, e = pcall(table.sort, t, function(a, b) return a <= b end)
  r[#r+1] = n .. ":" .. tostring(ok) .. ":" .. (ok and table.concat(t, ",") or e)
end
for _, n in ipairs{5, 20, 100} do
  local t = arr(n, 1000)
  local calls = 0
  local ok, e = pcall(table.sort, t, function(a, b) calls = calls + 1; return rnd(2) == 0 end)
  r[#r+1] = n .. "r:" .. tostring(ok) .. ":" .. calls .. ":" .. (ok and table.concat(t, ",") or e)
end
-- count comparisons of a consistent sort
local t = arr(200, 50); local calls = 0
table.sort(t, function(a, b) calls = calls + 1; return a < b end)
r[#r+1] = "calls:" .. calls
-- a comparator log on 6 elements
local log = {}
t = {5, 3, 6, 1, 4, 2}
table.sort(t, function(a, b) log[#log+1] = a .. "<" .. b; return a < b end)
r[#r+1] = table.concat(log, " ")

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
  "3:true:1,3,4",
  "4:true:0,2,4,3",
  "5:true:1,1,4,3,3",
  "10:false:lib_table_sort.lua:12: attempt to compare nil with number",
  "37:false:invalid order function for sorting",
  "5r:true:13:172,721,902,874,321",
  "20r:false:74:invalid order function for sorting",
  "100r:false:236:invalid order function for sorting",
  "calls:1460",
  "2<5 6<2 5<6 3<5 4<5 1<5 5<5 5<1 1<2 3<1 2<3 4<2 2<4 2<1 3<4",
}
local n = #r
if #expected > n then n = #expected end
for i = 1, n do
  assert(r[i] == expected[i], "line " .. i .. ": got " .. tostring(r[i]) .. ", lua5.1 gave " .. tostring(expected[i]))
end
assert(#r == #expected, "probe count")
print("OK")
