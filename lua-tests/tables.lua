-- Tables: constructors, the # border, next/pairs/ipairs, keys of every type,
-- assignment during traversal. Uses only the base library. Expected: lua5.1.

local t = {1, 2, 3, x = "a", ["y"] = "b", [10] = 10, [1.5] = "f"}
assert(#t == 3 and t.x == "a" and t.y == "b" and t[10] == 10 and t[1.5] == "f", "constructor forms")
local trailing = {1, 2, 3,}
assert(#trailing == 3, "trailing comma")
local semis = {1; 2; x = 3;}
assert(#semis == 2 and semis.x == 3, "semicolon separators")
local override = {[1] = "a", "b"}
assert(override[1] == "b", "positional item wins over [1]= in 5.1")

-- # on sequences.
local seq = {}
for i = 1, 100 do seq[i] = i end
assert(#seq == 100, "# of a built sequence")
seq[#seq + 1] = 101
assert(#seq == 101, "append with #t+1")
seq[#seq] = nil
assert(#seq == 100, "remove last")
assert(#{} == 0 and #{nil} == 0 and #{n = 1} == 0, "empty borders")
assert(#{1, 2, nil} == 2, "trailing nil in constructor")
local h = {}
h[1] = 1; h[2] = 2; h[3] = 3; h[4] = 4
assert(#h == 4, "hash-part sequence")

-- Float keys equal to integers are the same key.
local fk = {}
fk[1] = "int"
assert(fk[1.0] == "int", "1.0 is key 1")
fk[2^53] = "big"
assert(fk[2^53] == "big", "large integral float key")

-- Keys of every type.
local keys = {}
local f = function() end
local co = coroutine.create(f)
local u = newproxy()
keys[true] = "bool"; keys[f] = "func"; keys[co] = "thread"; keys[u] = "udata"; keys[keys] = "self"
assert(keys[true] == "bool" and keys[f] == "func" and keys[co] == "thread" and keys[u] == "udata" and keys[keys] == "self", "key types")
assert(keys[false] == nil, "false is a distinct key")
local ok, msg = pcall(loadstring("local t = {} t[nil] = 1", "=m"))
assert(not ok and msg == "m:1: table index is nil", msg)
ok, msg = pcall(loadstring("local t = {} t[0/0] = 1", "=m"))
assert(not ok and msg == "m:1: table index is NaN", msg)
assert(({})[nil] == nil, "reading t[nil] is fine")

-- next / pairs visit every key exactly once.
local big = {}
for i = 1, 1000 do big[i] = i; big["k" .. i] = i end
local count, sum = 0, 0
for k, v in pairs(big) do count = count + 1; sum = sum + v end
assert(count == 2000 and sum == 1001000, "pairs over 2000 keys")

-- Assigning existing fields (and clearing them) during traversal is allowed.
local tr = {}
for i = 1, 50 do tr["k" .. i] = i end
for k, v in pairs(tr) do tr[k] = v * 2 end
local s2 = 0
for k, v in pairs(tr) do s2 = s2 + v end
assert(s2 == 2550, "update during traversal")
for k in pairs(tr) do tr[k] = nil end
assert(next(tr) == nil, "clearing during traversal")

-- ipairs.
local ip = {"a", "b", "c", nil, "e"}
local got = ""
for i, v in ipairs(ip) do got = got .. i .. v end
assert(got == "1a2b3c", "ipairs stops at the first nil")
local ipf = ipairs({})
assert(type(ipf) == "function", "ipairs returns an iterator")

-- pairs returns next.
local pf, ps, pc = pairs({})
assert(type(pf) == "function" and pc == nil and pf({k = 1}) == "k", "pairs returns a next-like function, t, nil")

-- rawget/rawset/rawequal.
local r = {}
rawset(r, "a", 1)
assert(rawget(r, "a") == 1 and rawequal(r, r) and not rawequal(r, {}), "raw functions")
assert(rawset(r, "b", 2) == r, "rawset returns the table")

-- Nested tables and references.
local nested = {a = {b = {c = {}}}}
nested.a.b.c.d = "deep"
assert(nested["a"]["b"]["c"]["d"] == "deep", "nested access")
local alias = nested.a
alias.x = 1
assert(nested.a.x == 1, "tables are references")

-- unpack and select.
assert(select('#', unpack({1, 2, 3})) == 3, "unpack a sequence")

-- Big tables grow and shrink.
local g = {}
for i = 1, 100000 do g[i] = i end
for i = 100000, 1, -1 do g[i] = nil end
assert(next(g) == nil and #g == 0, "grow then empty")

-- Negative and zero keys live in the hash part; # ignores them.
local z = {[0] = "zero", [-1] = "neg", "one"}
assert(#z == 1 and z[0] == "zero" and z[-1] == "neg", "non-positive keys")

-- String keys vs number keys.
local sk = {}
sk["1"] = "string"; sk[1] = "number"
assert(sk["1"] == "string" and sk[1] == "number", "'1' and 1 are different keys")

-- Table equality is identity.
assert({} ~= {} and t == t, "identity equality")

-- tostring of a table is "table: " plus an address.
local ts = tostring({})
assert(type(ts) == "string" and #ts > 7 and ts ~= tostring({}), "tostring of a table")

print("OK")

-- One field instruction meets tables of many shapes (the VM's per-instruction
-- cache of where a key was found must never answer for another table's node).
do
  local shapes = {
    {x = 1, y = 2}, {y = 3, x = 4}, {a = 1, b = 2, c = 3, x = 5}, {},
    setmetatable({}, {__index = {x = 6}}), {x = false}, {q = 1},
  }
  local out = {}
  for round = 1, 3 do
    for i, t in ipairs(shapes) do
      out[#out + 1] = tostring(t.x)
      if i % 2 == 0 then t.x = nil end
      rawset(t, "z" .. round, round)
    end
  end
  for i = 1, 40 do shapes[3]["k" .. i] = i end
  out[#out + 1] = tostring(shapes[3].x) .. tostring(shapes[3].k40)
  -- (lua5.1's answer)
  assert(table.concat(out, " ")
    == "1 4 5 nil 6 false nil 1 nil 5 nil 6 nil nil 1 nil 5 nil 6 nil nil 540")
end

-- # after appends, removals, holes, constructors with holes, rehashes, table.insert/remove,
-- weak values cleared by the collector and unpack/select lists: the borders lua5.1 gives
-- (the array part's border is tracked as it changes; these pin it to 5.1's search).
do
  local r = {}
  local function add(x) r[#r+1] = x end
  -- appends and removals at the border
  local t = {}
  for i = 1, 100 do t[#t + 1] = i end add(#t)
  for i = 1, 30 do t[#t] = nil end add(#t)
  -- a hole in the middle, then the border moved past it
  t[20] = nil add(#t)
  t[70] = 1 add(#t)
  t[20] = 1 add(#t)
  -- constructor with holes, then filling
  local c = {1, 2, nil, 4, nil, nil, 7, nil} add(#c)
  c[3] = 3 add(#c) c[5] = 5 c[6] = 6 add(#c) c[8] = 8 add(#c)
  -- mixed hash part and rehash
  local m = {x = 1}
  for i = 1, 17 do m[i] = i end add(#m)
  m[17] = nil m[16] = nil add(#m)
  for i = 1, 17 do m[i] = nil end add(#m)
  m[3] = 3 add(#m)
  -- table.insert / remove
  local q = {}
  for i = 1, 40 do table.insert(q, i) end add(#q)
  for i = 1, 10 do table.remove(q, 1) end add(#q)
  q[15] = nil add(#q)
  -- weak values cleared by the collector
  local w = setmetatable({}, {__mode = "v"})
  for i = 1, 8 do w[i] = {} end
  local keep = w[3]
  collectgarbage() collectgarbage()
  add(#w)
  -- unpack / select built lists
  local u = {unpack({1, 2, 3, nil, 5, 6})} add(#u)
  local s = {select(2, 1, nil, 3, 4)} add(#s)
  assert(table.concat(r, " ") == "100 70 70 70 70 4 4 7 8 17 15 0 0 40 30 30 0 6 3", "borders as lua5.1 finds them")
end
