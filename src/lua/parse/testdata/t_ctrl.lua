local t = {}
for i = 1, 10 do local f = function() return i end t[i] = f end
for i = 10, 1, -1 do if i == 5 then break end end
for i = 1.5, 3.5, 0.5 do end
for k, v in pairs(t) do t[k] = function() return k, v end end
for k in next, t do break end
for a, b, c, d, e in f() do local x = a + e end
while true do local x; local y = function() return x end; if x then break end end
repeat local z = 1; local g = function() return z end until z
repeat local z = 1 until z > 1
repeat if t then break end until false
do local x = 1; local function r() return x end end
local function fact(n) if n <= 1 then return 1 else return n * fact(n - 1) end end
local function tail(n) return tail(n - 1) end
local function multi() return 1, 2, fact(3) end
local function va(...) return ... end
local function va2(...) local a, b = ...; return a, b, ... end
local function va3(...) t = {...}; t2 = {..., 1}; t3 = {1, ...}; return (...) end
local function up1() local a = 1; return function() a = a + 1; return function() return a end end end
while a do while b do if c then break end end break end
for i = 1, 3 do for j = 1, 3 do local x = i * j; if x > 4 then break end end end
goto = 1
