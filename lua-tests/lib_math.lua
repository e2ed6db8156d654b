-- The math library: every 5.1 function and constant, with values lua5.1 gives.
-- Floating results are compared through string.format("%.14g") or exactly where exact.

local function g(x) return string.format("%.14g", x) end

assert(math.floor(3.7) == 3 and math.floor(-3.5) == -4 and math.ceil(-3.5) == -3 and math.ceil(3.2) == 4, "floor/ceil")
assert(math.floor(2^31 + 0.5) == 2147483648, "floor beyond 32 bits")
assert(math.abs(-5) == 5 and math.abs(5) == 5 and math.abs(-1/0) == 1/0, "abs")
assert(math.sqrt(16) == 4 and g(math.sqrt(2)) == "1.4142135623731", "sqrt")
assert(math.pow(2, 10) == 1024 and math.exp(0) == 1 and math.log(1) == 0 and math.log10(1000) == 3, "pow/exp/log")
assert(g(math.exp(1)) == "2.718281828459" and g(math.log(10)) == "2.302585092994", "e and ln 10")
assert(math.fmod(7, 3) == 1 and math.fmod(-7, 3) == -1 and math.fmod(7, -3) == 1, "fmod keeps the dividend's sign")
assert(math.mod == nil or math.mod(7, 3) == 1, "compat mod")
local ip, fp = math.modf(3.75)
assert(ip == 3 and fp == 0.75, "modf")
ip, fp = math.modf(-3.75)
assert(ip == -3 and fp == -0.75, "modf negative")
local m, e = math.frexp(8)
assert(m == 0.5 and e == 4, "frexp")
m, e = math.frexp(-1)
assert(m == -0.5 and e == 1, "frexp negative")
assert(math.ldexp(0.5, 4) == 8 and math.ldexp(1, -1) == 0.5, "ldexp")
assert(math.huge == 1/0 and -math.huge == -1/0, "huge")
assert(g(math.pi) == "3.1415926535898", "pi")
assert(math.deg(math.pi) == 180 and math.rad(180) == math.pi, "deg/rad")

-- Trigonometry.
assert(g(math.sin(1)) == "0.8414709848079" and g(math.cos(1)) == "0.54030230586814", "sin/cos")
assert(g(math.tan(1)) == "1.5574077246549", "tan")
assert(g(math.asin(0.5)) == "0.5235987755983" and g(math.acos(0.5)) == "1.0471975511966", "asin/acos")
assert(g(math.atan(1)) == "0.78539816339745" and g(math.atan2(1, 1)) == "0.78539816339745", "atan/atan2")
assert(g(math.atan2(1, -1)) == "2.3561944901923" and g(math.atan2(-1, -1)) == "-2.3561944901923", "atan2 quadrants")
assert(g(math.sinh(1)) == "1.1752011936438" and g(math.cosh(1)) == "1.5430806348152" and g(math.tanh(1)) == "0.76159415595576", "hyperbolic")
assert(math.sin(0) == 0 and math.cos(0) == 1, "exact trig values")

-- min / max.
assert(math.max(1, 5, 3) == 5 and math.min(4, 2, 8) == 2 and math.max(-1) == -1, "min/max")
assert(math.max(1.5, 2) == 2 and math.min("3", 4) == 3, "min/max coerce strings")
local ok, msg = pcall(math.max)
assert(not ok and msg == "bad argument #1 to '?' (number expected, got no value)", msg)
ok, msg = pcall(loadstring("return math.floor('x')", "=m"))
assert(not ok and msg == "m:1: bad argument #1 to 'floor' (number expected, got string)", msg)

-- random.
math.randomseed(42)
for i = 1, 1000 do
  local r = math.random()
  assert(r >= 0 and r < 1, "random() in [0,1)")
  local n = math.random(10)
  assert(n >= 1 and n <= 10 and n == math.floor(n), "random(n) in [1,n]")
  local k = math.random(5, 7)
  assert(k >= 5 and k <= 7 and k == math.floor(k), "random(m,n) in [m,n]")
end
math.randomseed(7)
local a1, a2 = math.random(), math.random(1000)
math.randomseed(7)
local b1, b2 = math.random(), math.random(1000)
assert(a1 == b1 and a2 == b2, "same seed, same sequence")
local hits = {}
for i = 1, 2000 do hits[math.random(4)] = true end
assert(hits[1] and hits[2] and hits[3] and hits[4], "all values occur")
ok, msg = pcall(math.random, 1, 2, 3)
assert(not ok and msg == "wrong number of arguments", msg)
ok, msg = pcall(math.random, 0)
assert(not ok and msg == "bad argument #1 to '?' (interval is empty)", msg)
ok, msg = pcall(math.random, 3, 1)
assert(not ok and msg == "bad argument #2 to '?' (interval is empty)", msg)

-- Results formatted by tostring.
assert(tostring(math.sqrt(2)) == "1.4142135623731" and tostring(math.pi) == "3.1415926535898", "tostring of results")
assert(tostring(math.huge) == "inf" and tostring(-math.huge) == "-inf", "tostring of huge")

print("OK")
