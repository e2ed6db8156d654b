local a, b, c = 1, 2
local t = {}
a, b = b, a
t[a], a = 1, 2
a, t[a] = 3, 4
t.x, t.y, t[1], t[b] = a, b, c
local i = 1
i, t[i] = i+1, 20
t[i], i = i+1, 20
x, y, z = f()
x, y = 1, 2, 3, g()
local p, q, r = ..., 1
local u, v = ...
local w = (...)
a.b.c.d = 1
a[b][c] = a[c][b]
local function f2(...) local arg = arg; return select('#', ...) end
function t.m(self, x) return self, x end
function t:n(x) return self.x + x end
function a.b.c:d(...) return ... end
local s = t:n(1) + t.m(t, 2)
x = nil; y = nil; local e, f, g; local h = nil; local k; k = nil
local l1, l2 = nil, nil
do local z1; local z2 = nil; end
