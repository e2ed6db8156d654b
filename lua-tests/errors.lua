-- Errors: runtime messages with variable descriptions, error levels and objects,
-- pcall/xpcall, syntax errors. Uses only the base library (and loadstring with
-- the chunk name "=m" so every message is exact). Expected texts are lua5.1's.

local function run(code, ...)
  local f = assert(loadstring(code, "=m"))
  local ok, err = pcall(f, ...)
  assert(not ok, "expected an error from: " .. code)
  return err
end
local function check(code, want)
  local got = run(code)
  assert(got == want, "for [" .. code .. "] got [" .. tostring(got) .. "] want [" .. want .. "]")
end

-- Variable descriptions.
check("return x.y", "m:1: attempt to index global 'x' (a nil value)")
check("local y; return y.z", "m:1: attempt to index local 'y' (a nil value)")
check("local t = {} return t.a.b", "m:1: attempt to index field 'a' (a nil value)")
check("local u; return (function() return u.k end)()", "m:1: attempt to index upvalue 'u' (a nil value)")
check("local t = {} t:m()", "m:1: attempt to call method 'm' (a nil value)")
check("return undefinedfn()", "m:1: attempt to call global 'undefinedfn' (a nil value)")
check("local f; f()", "m:1: attempt to call local 'f' (a nil value)")
check("local t = {} t.x()", "m:1: attempt to call field 'x' (a nil value)")
check("local u; return (function() u() end)()", "m:1: attempt to call upvalue 'u' (a nil value)")
check("return ('x')()", "m:1: attempt to call a string value")
check("local t = {} return t[1][2]", "m:1: attempt to index field '?' (a nil value)")
check("return _G.nothing.x", "m:1: attempt to index field 'nothing' (a nil value)")
check("x = nil; x.y = 1", "m:1: attempt to index global 'x' (a nil value)")
check("local a = {} ; a.b.c = 1", "m:1: attempt to index field 'b' (a nil value)")
check("for i = 1, 10 do local t = nil; t[i] = 1 end", "m:1: attempt to index local 't' (a nil value)")

-- Arithmetic, concatenation, length, comparison.
check("return 1 + nil", "m:1: attempt to perform arithmetic on a nil value")
check("local a = 'x' return -a", "m:1: attempt to perform arithmetic on local 'a' (a string value)")
check("return 2^'x'", "m:1: attempt to perform arithmetic on a string value")
check("return true + 1", "m:1: attempt to perform arithmetic on a boolean value")
check("return {} .. 'x'", "m:1: attempt to concatenate a table value")
check("return 1 .. {}", "m:1: attempt to concatenate a table value")
check("return #nil", "m:1: attempt to get length of a nil value")
check("local n = 5 return #n", "m:1: attempt to get length of local 'n' (a number value)")
check("return 1 < {}", "m:1: attempt to compare number with table")
check("return {} < {}", "m:1: attempt to compare two table values")
check("return 'a' < 1", "m:1: attempt to compare string with number")
check("return nil > 1", "m:1: attempt to compare number with nil")

-- Line numbers are those of the failing instruction.
check("local a = 1\nlocal b = 2\nreturn a + nil", "m:3: attempt to perform arithmetic on a nil value")

-- Errors raised by base functions.
check("return setmetatable(1, {})", "m:1: bad argument #1 to 'setmetatable' (table expected, got number)")
check("return tostring()", "m:1: bad argument #1 to 'tostring' (value expected)")
check("return ipairs()", "m:1: bad argument #1 to 'ipairs' (table expected, got no value)")
check("return pairs(nil)", "m:1: bad argument #1 to 'pairs' (table expected, got nil)")
check("return rawset(1)", "m:1: bad argument #1 to 'rawset' (table expected, got number)")
check("return unpack(nil)", "m:1: bad argument #1 to 'unpack' (table expected, got nil)")
check("return select('x')", "m:1: bad argument #1 to 'select' (number expected, got string)")
check("return tonumber('10', 99)", "m:1: bad argument #2 to 'tonumber' (base out of range)")
check("return loadstring(nil)", "m:1: bad argument #1 to 'loadstring' (string expected, got nil)")
check("return xpcall()", "m:1: bad argument #2 to 'xpcall' (value expected)")
check("return newproxy(1)", "m:1: bad argument #1 to 'newproxy' (boolean or proxy expected)")
check("return coroutine.resume(1)", "m:1: bad argument #1 to 'resume' (coroutine expected)")
check("return next({}, 'nokey')", "invalid key to 'next'")
check("assert(false)", "m:1: assertion failed!")
check("assert(nil, 'custom')", "m:1: custom")

-- error(): levels, non-string values.
check("error('boom')", "m:1: boom")
check("error('boom', 0)", "boom")
check("error(42)", "m:1: 42")
check("local function f() error('deep', 2) end\n\nf()", "m:3: deep")
check("local function f() error('here', 1) end\nf()", "m:1: here")
local obj = {code = 7}
local ok, e = pcall(error, obj)
assert(not ok and e == obj, "error objects pass through untouched")
ok, e = pcall(error)
assert(not ok and e == nil, "error() raises nil")
ok, e = pcall(error, nil)
assert(not ok and e == nil, "error(nil) raises nil")
assert(select('#', pcall(error)) == 2, "pcall returns false plus the error value")
ok, e = pcall(error, "x", 1)
assert(e == "x", "level 1 from a C caller adds no position")
assert(run("assert(false, 42)") == "m:1: 42", "assert formats its message as a string with position")

-- pcall returns all results on success.
local r = {pcall(function(...) return ... end, 1, nil, 3)}
assert(r[1] == true and r[2] == 1 and r[3] == nil and r[4] == 3, "pcall results")
ok, e = pcall(pcall)
assert(not ok and e == "bad argument #1 to '?' (value expected)", e)
local a1, a2, a3 = pcall(pcall, error, "z")
assert(a1 == true and a2 == false and a3 == "z", "nested pcall")

-- xpcall: the handler sees the message and its result is returned.
ok, e = xpcall(loadstring("error('E')", "=m"), function(m) return "handled: " .. m end)
assert(not ok and e == "handled: m:1: E", e)
ok, e = xpcall(function() error({1}) end, function(m) return type(m) end)
assert(not ok and e == "table", "handler receives the error object")
ok, e = xpcall(function() error("E") end, function(m) error("again") end)
assert(not ok and e == "error in error handling", e)
local x1, x2, x3 = xpcall(function() return 1, 2 end, print)
assert(x1 == true and x2 == 1 and x3 == 2, "xpcall success returns results")

-- An error inside a metamethod propagates with its own message.
local mt = {__index = function(t, k) error("no field " .. k, 2) end}
local strict = setmetatable({}, mt)
ok, e = pcall(loadstring("local t = ... return t.foo", "=m"), strict)
assert(e == "m:1: no field foo", e)

-- A number given to error() is a "string" to it: the position is concatenated,
-- so the value becomes a string (here the position is empty: called from pcall).
ok, e = pcall(error, 3.5)
assert(e == "3.5" and type(e) == "string", "numeric error value becomes a string")
assert(run("error(2)") == "m:1: 2", "number error gets a position")
ok, e = pcall(error, 3.5, 0)
assert(e == 3.5 and type(e) == "number", "level 0 keeps the number")

-- Syntax errors from loadstring: nil plus the message.
local function syntax(code, want)
  local f, msg = loadstring(code, "=s")
  assert(f == nil and msg == want, "syntax [" .. code .. "] got [" .. tostring(msg) .. "]")
end
syntax("x", "s:1: '=' expected near '<eof>'")
syntax("x y", "s:1: '=' expected near 'y'")
syntax("local = 1", "s:1: '<name>' expected near '='")
syntax("f(", "s:1: unexpected symbol near '<eof>'")
syntax("function f()\n\nreturn 1\n", "s:4: 'end' expected (to close 'function' at line 1) near '<eof>'")
syntax("if x then", "s:1: 'end' expected near '<eof>'")
syntax("for i = 1 do end", "s:1: ',' expected near 'do'")
syntax("x = = 1", "s:1: unexpected symbol near '='")
syntax("local t = {1, 2", "s:1: '}' expected near '<eof>'")
syntax("x = 'abc", "s:1: unfinished string near '<eof>'")
syntax("x = [[abc", "s:1: unfinished long string near '<eof>'")
syntax("a.b:c = 1", "s:1: function arguments expected near '='")
syntax("x = 0x", "s:1: malformed number near '0x'")
syntax("x = 3..4", "s:1: malformed number near '3..4'")
syntax("--[[ unclosed", "s:1: unfinished long comment near '<eof>'")
syntax("return 1\nreturn 2", "s:2: '<eof>' expected near 'return'")
syntax("break", "s:1: no loop to break near '<eof>'")
syntax("function f() x = ... end", "s:1: cannot use '...' outside a vararg function near '...'")
syntax("x = '\\300'", "s:1: escape sequence too large near '''")

-- syntax error messages are byte strings: invalid UTF-8 comes through exactly
do
  local f, m = loadstring("\255a = 1")
  assert(f == nil and m == '[string "\255a = 1"]:1: unexpected symbol near \'\255\'' and #m == 47, m)
  f, m = loadstring("x = \"\255\n")
  assert(m == '[string "x = "\255..."]:1: unfinished string near \'"\255\'' and #m == 51, m)
end

-- a value that went through `and`/`or` has no name (5.1 counts TEST as
-- writing its register), whatever the operands were called
do
  local function msg(src)
    local f = assert(loadstring(src, "=s"))
    local ok, m = pcall(f)
    assert(not ok)
    return m
  end
  aaa = nil
  assert(msg("x = (aaa or aaa) + 1") == "s:1: attempt to perform arithmetic on a nil value")
  assert(msg("local t = {} x = (t.a or t.b) + 1") == "s:1: attempt to perform arithmetic on a nil value")
  assert(msg("x = (aaa and aaa) .. 'x'") == "s:1: attempt to concatenate a nil value")
  assert(msg("x = aaa + 1") == "s:1: attempt to perform arithmetic on global 'aaa' (a nil value)")
  assert(msg("if aaa then end x = aaa + 1") == "s:1: attempt to perform arithmetic on global 'aaa' (a nil value)")
end

print("OK")
