-- The rest of the base library: getfenv/setfenv, load with a reader, loadstring,
-- loadfile/dofile (on a temporary file), tostring/__tostring, unpack, type.
-- Expected values are what lua5.1 gives.

-- Environments.
assert(getfenv(0) == _G and getfenv(1) == _G and getfenv() == _G, "getfenv levels 0 and 1")
local ok, msg = pcall(getfenv, 100)
assert(not ok and msg == "bad argument #1 to '?' (invalid level)", msg)
local function readx() return x end
local env = {x = 5}
assert(setfenv(readx, env) == readx and readx() == 5 and getfenv(readx) == env, "setfenv on a function")
ok, msg = pcall(setfenv, print, {})
assert(not ok and msg == "'setfenv' cannot change environment of given object", msg)
local function setter() y_global_probe = 1 end
local sink = {}
setfenv(setter, sink)
setter()
assert(sink.y_global_probe == 1 and y_global_probe == nil, "globals go to the function's environment")
local function level2()
  return getfenv(2)
end
local function caller() local e = level2() return e end
local cenv = setmetatable({}, {__index = _G})
setfenv(caller, cenv)
assert(caller() == cenv, "getfenv(2) is the caller's environment")
-- A chunk created by loadstring gets the global environment.
assert(getfenv(loadstring("return 1")) == _G, "loadstring uses _G")
-- setfenv(1, t) changes the running function's environment.
local function sandboxed()
  setfenv(1, {result = "inside"})
  return result
end
assert(sandboxed() == "inside", "setfenv(1, t)")

-- load with a reader function.
local parts = {"return ", "1 + ", "2"}
local i = 0
local f = load(function() i = i + 1; return parts[i] end)
assert(f() == 3, "load joins the pieces")
assert(type(load(function() return nil end)) == "function", "empty chunk")
local r1, r2, r3 = pcall(load, loadstring("error('reader fail')", "=rd"))
assert(r1 == true and r2 == nil and r3 == "rd:1: reader fail", tostring(r3))
local g, err = load(function() local s = "return +"; parts = nil; return s end, "=ld")
assert(g == nil or err ~= nil, "syntax error through a reader")
f, err = load(coroutine.wrap(function() coroutine.yield("x =") coroutine.yield(" 1") end), "=w")
assert(f and err == nil, "reader from a coroutine")

-- loadstring.
assert(loadstring("return ...", "c")(7) == 7, "loadstring chunk varargs")
f, err = loadstring("return +", "=bad")
assert(f == nil and err == "bad:1: unexpected symbol near '+'", err)

-- loadfile / dofile on a temporary file.
ok, msg = pcall(dofile, "/nonexistent/file.lua")
assert(not ok and msg == "cannot open /nonexistent/file.lua: No such file or directory", msg)
local lf, lerr = loadfile("/nonexistent/file.lua")
assert(lf == nil and lerr == "cannot open /nonexistent/file.lua: No such file or directory", lerr)
local name = os.tmpname()
local fh = assert(io.open(name, "w"))
fh:write("return 40 + 2, ...")
fh:close()
assert(dofile(name) == 42, "dofile")
local a, b = loadfile(name)(1)
assert(a == 42 and b == 1, "loadfile chunk takes arguments")
fh = assert(io.open(name, "w"))
fh:write("#!/usr/bin/lua\nreturn 'shebang skipped'")
fh:close()
assert(dofile(name) == "shebang skipped", "first line starting with # is skipped")
fh = assert(io.open(name, "w"))
fh:write("error('in file')")
fh:close()
ok, msg = pcall(dofile, name)
assert(not ok and msg == name .. ":1: in file", msg)
assert(os.remove(name) == true, "remove temp file")

-- tostring and __tostring.
assert(tostring(setmetatable({}, {__tostring = function() return "obj" end})) == "obj", "__tostring")
local odd = tostring(setmetatable({}, {__tostring = function() return 42 end}))
assert(odd == 42, "5.1 returns what __tostring returned")
assert(type(tostring(print)) == "string" and type(print) == "function", "functions")
assert(type(io.stdout) == "userdata" and io.type(io.stdout) == "file" and io.type(42) == nil, "file type")

-- unpack and select with holes.
assert(select('#', unpack({1, 2, nil, 4})) == 4, "unpack uses # (4 here)")
assert(select('#', unpack({n = 3})) == 0, "unpack ignores n")

-- xpcall with debug.traceback as the handler produces a traceback string.
local xok, tb = xpcall(loadstring("local x = nil; return x.y", "=tb"), debug.traceback)
assert(not xok and type(tb) == "string", "traceback handler")
assert(tb:sub(1, 49) == "tb:1: attempt to index local 'x' (a nil value)\nst", tb)
assert(tb:find("stack traceback:", 1, true), "traceback header")

-- string.dump produces a binary chunk that loads back.
local dumped = string.dump(function(p) return p * 2 end)
assert(type(dumped) == "string" and loadstring(dumped)(21) == 42, "dump round trip")

-- _VERSION and gcinfo.
assert(_VERSION == "Lua 5.1" and type(gcinfo()) == "number", "_VERSION and gcinfo")

-- load with a reader stops reading once a syntax error is certain: after the
-- byte past the failing token, as 5.1's lexer reads it (counts from lua5.1)
do
  local function reads(src)
    local i = 0
    local f, m = load(function () i = i + 1 return string.sub(src, i, i) end)
    return i, f, m
  end
  local n, f, m = reads("*a = 123")
  assert(n == 2 and f == nil and m == "(load):1: unexpected symbol near '*'", m)
  assert((reads("x = = 1")) == 6)
  assert((reads("for i=1 do end")) == 11)
  assert((reads("a.b:c = 1")) == 8)
  local n2, f2 = reads("local x = 1\nreturn x")
  assert(n2 == 21 and f2() == 1)
end

-- a dumped function with upvalues loads with fresh nil ones
do
  local a, b = 20, 30
  local x = loadstring(string.dump(function (s)
    if s == "set" then a = 10 + b; b = b + 1 else return a end
  end))
  assert(x() == nil)
  assert(debug.setupvalue(x, 1, "hi") == "a" and x() == "hi")
  assert(debug.setupvalue(x, 2, 13) == "b")
  x("set")
  assert(x() == 23)
end

print("OK")
