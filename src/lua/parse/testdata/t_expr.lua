local a, b, c = 1, 2, 3
x = -0
y = 0/0
z = 1/0
w = 2^0.5
v = -2^2
u = 5 % -3
t = -5 % 3
s = 1e308 * 10
r = "a" .. "b" .. c .. "d" .. (a .. b) .. a + b
q = not nil, not true, not 1, not a, not not a
p = a and b or c
o = a or b and c
n = (a < b) == (b <= c)
m = a > b, a >= b, a ~= b, 1 < 2, "x" == "y", nil == false
l = #a + -b - - -c
k = a and nil or false
j = (a or b) and (c or d) or (e and f)
i = not (a and b)
h = a == nil and b ~= nil
g = {a and b, a or b, not a}
if a and b or c then x = 1 elseif not a then x = 2 elseif a == b then x = 3 else x = 4 end
if (true or false) and nil then end
if nil then elseif false then end
while a < b and b < c or c do a = a + 1 end
repeat local q = a until q or a
local big = 3 .. 4
local neg = - (1 + 2)
local cmp = 1 < a
local cmp2 = a < 1
local kk = "x" < "y"
local m2 = a + 1 * 2 - 3 / 4 % 5 ^ 6 ^ 7
local mixed = 2 * a * 3
local nn = -a.b
local str = ("x"):rep(3)
local len = #"abc"
local fb = a == true, a ~= false, a == nil
local concat = a .. b .. c .. (a or b) .. #c
