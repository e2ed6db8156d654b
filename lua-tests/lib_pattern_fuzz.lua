-- Random patterns (pieces of every pattern item, including broken ones) against
-- random subjects through find, gsub, gmatch and match; every result and error
-- message goes into one text whose checksum and length lua5.1 computed.
local seed = 20261123
local function rnd(n) seed = (seed * 16807) % 2147483647; return seed % n end
local pieces = {"a", "b", "=", ",", "(", ")", "()", "%a", "%d", "%w", "%s", ".", "[ab]", "[^a]", "*", "+", "-", "?", "^", "$", "%b()", "%f[%a]", "%1", "x", " ", "[%d=]", "%", "["}
local chars = {"a", "b", "=", ",", "(", ")", "1", "2", " ", "x", "A"}
local out = {}
for n = 1, 1500 do
  local p = {}
  for i = 1, rnd(6) + 1 do p[#p+1] = pieces[rnd(#pieces) + 1] end
  p = table.concat(p)
  local s = {}
  for i = 1, rnd(12) do s[#s+1] = chars[rnd(#chars) + 1] end
  s = table.concat(s)
  local r1 = {pcall(string.find, s, p, rnd(4) + 1)}
  local r2 = {pcall(string.gsub, s, p, "<%0>")}
  local r3 = {}
  local ok, e = pcall(function() for a, b in string.gmatch(s, p) do r3[#r3+1] = tostring(a) .. "/" .. tostring(b) end end)
  local r4 = {pcall(string.match, s, p)}
  local t = {}
  for _, r in ipairs{r1, r2, r4} do for i = 1, 5 do t[#t+1] = tostring(r[i]) end end
  out[#out+1] = p .. " | " .. s .. " | " .. table.concat(t, " ") .. " | " .. tostring(ok) .. tostring(e) .. table.concat(r3, ",")
end
-- A checksum of every result line (position-weighted byte sum).
local all = table.concat(out, "\n")
local sum = 0
for i = 1, #all do sum = (sum * 31 + string.byte(all, i)) % 1000000007 end
assert(#out == 1500)
assert(sum == 477135104 and #all == 170670, "pattern results differ from lua5.1's: " .. sum .. " " .. #all)
print("OK")
