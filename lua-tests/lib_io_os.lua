-- The io and os libraries of the command line, on temporary files.
-- Expected values are what lua5.1 gives.

local name = os.tmpname()
assert(type(name) == "string" and #name > 0, "tmpname")

-- Writing: numbers are written with %.14g; write returns true in 5.1.
local f = assert(io.open(name, "w"))
assert(io.type(f) == "file", "open file")
assert(f:write("line1\n", 42, "\n", 3.5, " 7 0x10\nlast") == true, "write returns true")
f:close()
assert(io.type(f) == "closed file", "closed")
local ok, msg = pcall(f.write, f, "x")
assert(not ok and msg == "attempt to use a closed file", msg)
assert(tostring(f) == "file (closed)", "tostring of a closed file")

-- Reading formats.
f = assert(io.open(name, "r"))
assert(f:read("*l") == "line1", "*l")
assert(f:read("*n") == 42 and f:read("*n") == 3.5 and f:read("*n") == 7 and f:read("*n") == 16, "*n (hex too)")
assert(f:read("*l") == "", "rest of the line")
assert(f:read("*a") == "last" and f:read("*a") == "", "*a, and *a at the end gives an empty string")
assert(f:read("*l") == nil and f:read(0) == nil, "nil at end of file")
assert(f:seek("set", 2) == 2 and f:read(3) == "ne1" and f:seek("cur") == 5, "seek and counted read")
assert(f:seek("end") == 24 and f:read(1) == nil, "seek end")
f:seek("set")
local l1, n1 = f:read("*l", "*n")
assert(l1 == "line1" and n1 == 42, "several formats at once")
f:close()

-- Lines.
local got = {}
for l in io.lines(name) do got[#got + 1] = l end
assert(#got == 4 and got[3] == "3.5 7 0x10" and got[4] == "last", "io.lines")
local g = assert(io.open(name))
local n = 0
for _ in g:lines() do n = n + 1 end
assert(n == 4 and io.type(g) == "file", "file:lines leaves the file open")
g:close()

-- Append mode.
local a = assert(io.open(name, "a"))
a:write("\nappended")
a:close()
local c = assert(io.open(name))
assert(#c:read("*a") == 33, "appended")
c:close()

-- Errors.
local nf, nerr, ncode = io.open("/nonexistent/x", "r")
assert(nf == nil and nerr == "/nonexistent/x: No such file or directory" and ncode == 2, nerr)
ok, msg = pcall(io.lines, "/nonexistent/x")
assert(not ok and msg == "bad argument #1 to '?' (/nonexistent/x: No such file or directory)", msg)
ok, msg = pcall(io.close)
assert(ok and msg == nil, "closing stdout is refused softly")
local cr, cmsg = io.close()
assert(cr == nil and cmsg == "cannot close standard file", "standard file message")

-- rename / remove.
assert(os.rename(name, name .. ".2") == true, "rename")
assert(io.open(name) == nil, "old name gone")
assert(os.remove(name .. ".2") == true, "remove")
local rr, rerr = os.remove(name .. ".2")
assert(rr == nil and rerr == name .. ".2: No such file or directory", rerr)

-- tmpfile.
local t = io.tmpfile()
t:write("abc")
t:seek("set")
assert(t:read("*a") == "abc", "tmpfile")
t:close()

-- Default files.
assert(io.output() == io.stdout and io.input() == io.stdin, "default files")
assert(io.write("") == true, "io.write returns true")

-- os.
assert(type(os.time()) == "number" and type(os.clock()) == "number", "time and clock")
assert(os.time({year = 2020, month = 1, day = 1, hour = 12}) - os.time({year = 2020, month = 1, day = 1, hour = 0}) == 43200, "os.time table")
assert(os.date("!%Y-%m-%d %H:%M:%S", 86400 * 365) == "1971-01-01 00:00:00", "os.date format")
local tt = os.date("!*t", 3600)
assert(tt.hour == 1 and tt.year == 1970 and tt.month == 1 and tt.day == 1 and tt.isdst == false, "os.date *t")
assert(os.difftime(10, 4) == 6, "difftime")
assert(os.getenv("NO_SUCH_VAR_FERROUS_TEST") == nil, "getenv missing")
assert(os.setlocale() == "C" and os.setlocale("C") == "C", "setlocale")

print("OK")
