-- Strings, numbers and the coercions between them; tostring/tonumber; escapes.
-- Uses only the base library. Expected values are what lua5.1 gives.

-- Number to string (%.14g).
assert(10 .. 20 == "1020", "number concatenation")
assert(1.5 .. "" == "1.5" and 1e100 .. "" == "1e+100", "float formatting")
assert(2^63 .. "" == "9.2233720368548e+18", "large numbers use %.14g")
assert(tostring(1e15) == "1e+15" and tostring(1e14) == "1e+14" and tostring(123456789) == "123456789", "%.14g boundary")
assert(tostring(0.1) == "0.1" and tostring(1/3) == "0.33333333333333", "fractions")
assert(tostring(-1.5) == "-1.5" and tostring(1e-5) == "1e-05", "negative and small")
assert(tostring(1/0) == "inf" and tostring(-1/0) == "-inf", "infinities")
local z = 0
assert(tostring(-z) == "-0", "negative zero")
assert(tostring(nil) == "nil" and tostring(true) == "true" and tostring(false) == "false", "tostring of simple values")

-- String to number in arithmetic.
assert("10" + 1 == 11 and "0x10" + 0 == 16 and "1e1" * 1 == 10 and " 5 " + 0 == 5, "string arithmetic")
assert("10" ~= 10, "no coercion for equality")
local ok, msg = pcall(loadstring("return 'abc' + 1", "=m"))
assert(not ok and msg == "m:1: attempt to perform arithmetic on a string value", msg)

-- tonumber.
assert(tonumber("  10  ") == 10 and tonumber("0x1F") == 31 and tonumber("1e5") == 100000, "tonumber")
assert(tonumber("") == nil and tonumber("0x") == nil and tonumber("1e") == nil and tonumber("1 2") == nil, "tonumber failures")
assert(tonumber(".5") == 0.5 and tonumber("5.") == 5 and tonumber(".") == nil, "tonumber dots")
assert(tonumber("-0x10") == -16, "negative hex")
assert(tonumber(10) == 10 and tonumber({}) == nil and tonumber(nil) == nil, "tonumber of non-strings")
assert(tonumber("10", 16) == 16 and tonumber("ff", 16) == 255 and tonumber("FF", 16) == 255, "base 16")
assert(tonumber("zz", 36) == 1295 and tonumber("11", 2) == 3 and tonumber(" 10 ", 2) == 2, "other bases")
assert(tonumber("8", 8) == nil and tonumber("", 10) == nil, "invalid digits")
assert(tonumber("1.5", 10) == 1.5, "base 10 uses the normal conversion")
assert(tonumber("-ff", 16) == 18446744073709551361, "5.1 negates through strtoul")
assert(tonumber("1e400") == 1/0, "overflow to inf")

-- String escapes.
assert("\65\066\0677" == "ABC7", "decimal escapes")
assert(#"a\0b" == 3, "embedded zero")
assert("\x41" == "x41", "no hex escapes in 5.1")
assert("\z" == "z", "unknown escape is the character")
assert("a\
b" == "a\nb", "escaped newline")
assert('\'' == "'" and "\"" == '"' and "\\" == [[\]], "quote escapes")
assert("\a\b\f\n\r\t\v" == "\7\8\12\10\13\9\11", "letter escapes")

-- Long strings.
assert([[
first newline skipped]] == "first newline skipped", "long string skips first newline")
assert([==[a]]b]=]c]==] == "a]]b]=]c", "long string levels")
assert(#[[

]] == 1, "only the first newline is skipped")
--[[ a long
comment ]] --[==[ another
]==]

-- Length and comparison of strings.
assert(#"" == 0 and #"abc" == 3, "length")
assert("a" < "b" and "a" < "aa" and "" < "a" and "A" < "a" and "a\0" > "a", "ordering")
assert("abc" == "a" .. "b" .. "c", "interned equality")

-- Concatenation chains and numbers.
local parts = ""
for i = 1, 10 do parts = parts .. i end
assert(parts == "12345678910", "concat loop")
assert(1 .. 2 .. 3 == "123", "concat of numbers")

-- Numeric literals.
assert(0x10 == 16 and 0xff == 255 and 0XA == 10, "hex literals")
assert(1e2 == 100 and 1E-2 == 0.01 and .5 == 0.5 and 3. == 3, "decimal literals")
assert(2^53 + 1 == 2^53, "doubles lose integers above 2^53")

-- Arithmetic rules.
assert(7 % 3 == 1 and -7 % 3 == 2 and 7 % -3 == -2 and -7 % -3 == -1, "modulo sign follows divisor")
assert(5.5 % 2 == 1.5 and 7 / 2 == 3.5, "float mod and division")
assert(2^10 == 1024 and 2^0.5 > 1.414 and -2^2 == -4, "power precedence over unary minus")
local nan = 0/0
assert(nan ~= nan, "NaN is not equal to itself")
assert(1/0 == 2/0 and -1/0 < 0, "infinities compare")

-- Booleans and nil in conditions.
assert((nil or "d") == "d" and (false or nil) == nil and (0 and "zero is true") == "zero is true", "truthiness")
assert(("" and 1) == 1, "empty string is true")
assert((nil and 1) == nil and (false and 1) == false, "and short-circuits")

print("OK")
