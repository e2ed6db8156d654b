-- String library edge cases: positions read as C reads them (NaN, huge, 2^32 wrap), find/match/gmatch/gsub corner cases, error texts, the string metatable.
-- Each probe line below is compared with what lua5.1 printed for it (the
-- `expected` list at the end). To regenerate that list after changing a probe,
-- run `lua5.1 -e GEN=1 lib_string2.lua` from lua-tests/ and paste its output.
local function show(...)
  local t = {n = select("#", ...), ...}
  for i = 1, t.n do t[i] = type(t[i]) == "string" and string.format("%q", t[i]) or tostring(t[i]) end
  return "(" .. table.concat(t, ",", 1, t.n) .. ")"
end
local function try(f, ...) return show(pcall(f, ...)) end
local r = {}
local function add(x) r[#r+1] = x end
add(show(string.sub("hello", 2, 1e100), string.sub("hello", -1e100), string.sub("hello", 0/0), string.sub("hello", 2^53)))
add(show(string.sub("hello", -3), string.sub("hello", "2", "3"), string.sub(12345, 2, -2)))
add(show(string.rep("ab", 2^32 + 2), string.rep("x", 2^31), string.rep("", 1e9), string.rep("x", -0.5)))
add(show(string.byte("abc", 0/0), string.byte("abc", -1e100, 1e100), string.byte("abc", 2.9), string.byte(123, -1)))
add(show(string.char(65.7, "66"), try(string.char, -1), try(string.char, "x")))
add(show(string.find("abc", "", 10), string.find("abc", "", -10), string.find("abc", "c", 1e100), string.find("abc", "a", -1e100)))
add(show(string.find("a.b", ".", 1, true), string.find("a.b", ".", 2, false), string.find("a+b", "+", 1, 1), string.find("abc", "b", nil, nil)))
add(show(string.find("a\0b", "\0"), string.find("a\0b", "%z"), string.match("key=val", "(%w+)=()")))
add(show(string.match("abc", "()", 4), string.match("abc", "()", 5), string.match("abc", "^b", 2), string.match("  x", "^%s*()")))
local t = {}
for a, b in string.gmatch("^a^b ^c", "^(%a)") do t[#t+1] = a end
add(table.concat(t, "|"))
t = {}
for a in string.gmatch("abc", "") do t[#t+1] = "[" .. a .. "]" end
add(table.concat(t))
t = {}
for k, v in string.gmatch("a=1,b=2", "(%w)=(%w)") do t[#t+1] = k .. v end
add(table.concat(t))
add(show(string.gsub("abc", "b", 5), string.gsub("abc", "%w", 1.5), string.gsub("abc", "", "-", 2), string.gsub("abc", "%w", "x", -1)))
add(show(string.gsub("abc", "%w", "%", 1), string.gsub("abc", "(b)", "%1%1%0"), string.gsub("hello", "l+", {ll = 42}), string.gsub("abc", "%w", "x", 2^32 + 1)))
add(show(try(string.gsub, "abc", "b", true), try(string.gsub, "abc", "b"), try(string.gsub, "abc", "(", "x"), try(string.gsub, "abc", "b", function() return true end)))
local mt = setmetatable({}, {__index = function(_, k) return k == "b" and "B" or nil end})
add(show(string.gsub("abc", "%w", mt), string.gsub("abc", "()", "%1"), string.gsub("a b c", "%s*", "_")))
add(show(string.gsub("abc", ".", {a = 1, b = true and "x"}), try(string.gsub, "abc", ".", {a = {}})))
add(show(try(string.format, "%d"), try(string.format, "%d", nil), try(string.format, "%s"), try(string.format, "%s", {})))
add(show(try(string.rep), try(string.rep, "x"), try(string.sub, "x"), try(string.len), try(string.upper, {})))
add(show(try(string.find, "a", "[a"), try(string.match, "a", "%"), try(string.gmatch, "a"), try(string.byte, {})))
local s = "xyz"
add(show(s:len(), s:upper(), s:byte(-1), #s:rep(3, 4), s:find("y"), ("%d-%s"):format(1, "a")))
add(show(try(function() return s:nomethod() end)))
add(show(try(function() return ("x"):rep("a") end), try(function() return ("x"):sub() end)))
add(show(getmetatable("a") == getmetatable("b"), getmetatable("").__index == string, rawequal(string.gfind, string.gmatch)))
add(show(string.upper("\200a\0b"), string.lower("\192B"), string.reverse("a\0b"), string.len("\0\0")))
add(show(string.format("%s|%10s|%-10s|", "a\0b", "x", "y"), string.format("%q", 1/3), string.format("%5s", 12)))

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
  "(\034\034,\034hello\034,\034hello\034,\034\034)",
  "(\034llo\034,\034el\034,\034234\034)",
  "(\034abab\034,\034\034,\034\034,\034\034)",
  "(nil,nil,98,51)",
  "(\034AB\034,\034(false,\092\034bad argument #1 to '?' (invalid value)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (number expected, got string)\092\034)\034)",
  "(4,1,3,1,1)",
  "(2,2,2,2,2)",
  "(2,2,\034key\034,5)",
  "(4,4,\034b\034,3)",
  "a|b|c",
  "[][][][]",
  "a1b2",
  "(\034a5c\034,\0341.51.51.5\034,\034-a-bc\034,\034abc\034,0)",
  "(\034\092000bc\034,\034abbbc\034,\034he42o\034,\034xbc\034,1)",
  "(\034(false,\092\034bad argument #3 to '?' (string/function/table expected)\092\034)\034,\034(false,\092\034bad argument #3 to '?' (string/function/table expected)\092\034)\034,\034(true,\092\034xaxbxcx\092\034,4)\034,\034(false,\092\034invalid replacement value (a boolean)\092\034)\034)",
  "(\034aBc\034,\0341a2b3c4\034,\034_a__b__c_\034,6)",
  "(\0341xc\034,\034(false,\092\034invalid replacement value (a table)\092\034)\034)",
  "(\034(false,\092\034bad argument #2 to '?' (no value)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (number expected, got nil)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (no value)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (string expected, got table)\092\034)\034)",
  "(\034(false,\092\034bad argument #1 to '?' (string expected, got no value)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (number expected, got no value)\092\034)\034,\034(false,\092\034bad argument #2 to '?' (number expected, got no value)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (string expected, got no value)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (string expected, got table)\092\034)\034)",
  "(\034(false,\092\034malformed pattern (missing ']')\092\034)\034,\034(false,\092\034malformed pattern (ends with '%')\092\034)\034,\034(false,\092\034bad argument #2 to '?' (string expected, got no value)\092\034)\034,\034(false,\092\034bad argument #1 to '?' (string expected, got table)\092\034)\034)",
  "(3,\034XYZ\034,122,9,2,\0341-a\034)",
  "(\034(false,\092\034lib_string2.lua:42: attempt to call method 'nomethod' (a nil value)\092\034)\034)",
  "(\034(false,\092\034lib_string2.lua:43: bad argument #1 to 'rep' (number expected, got string)\092\034)\034,\034(false,\092\034lib_string2.lua:43: bad argument #1 to 'sub' (number expected, got no value)\092\034)\034)",
  "(true,true,true)",
  "(\034\200A\092000B\034,\034\192b\034,\034b\092000a\034,2)",
  "(\034a|         x|y         |\034,\034\092\0340.33333333333333\092\034\034,\034   12\034)",
}
local n = #r
if #expected > n then n = #expected end
for i = 1, n do
  assert(r[i] == expected[i], "line " .. i .. ": got " .. tostring(r[i]) .. ", lua5.1 gave " .. tostring(expected[i]))
end
assert(#r == #expected, "probe count")
print("OK")
