#!/usr/bin/env bash
# Runs the language/library subset of PUC-Rio's Lua 5.1 test suite through an
# interpreter, each file in a fresh process, prepared the way the suite's own
# all.lua prepares it.
#
# usage: lua-tests/run-official.sh DIR [INTERP]
#   DIR     a copy of lua5.1-tests (the folder with all.lua); it is only read
#   INTERP  the interpreter (default: target/release/ferrous-lua of this repository)
# environment:
#   TIMEOUT=120   seconds allowed per file
#   NODUMP=1      load files directly instead of through string.dump + loadstring
#   SOFT=1        set _soft = true (the suite's own switch for lighter tests)
#
# The preparation copies what all.lua does before and around each file:
# math.randomseed(0), the collector's setstepmul 180 / setpause 190, a global
# Message function, os.setlocale "C", dofile redefined to run each chunk through
# string.dump and loadstring, a self-renewing finalizer that writes '.' to stderr
# on every collection cycle, gc.lua run with loadfile, and the return-value checks
# all.lua makes (calls.lua returns the global `deep`, locals.lua 5, events.lua 12).
#
# Output: one line per file, "PASS name.lua 0.41s" or "FAIL name.lua <first line of
# the error>", then "N passed, M failed". Exit status 0 only when all pass.

set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: $0 DIR [INTERP]" >&2
  exit 2
fi
DIR=$1
if [ ! -f "$DIR/all.lua" ]; then
  echo "$0: $DIR does not look like lua5.1-tests (no all.lua)" >&2
  exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
INTERP=${2:-$HERE/../target/release/ferrous-lua}
case $INTERP in
  */*) INTERP=$(cd "$(dirname "$INTERP")" && pwd)/$(basename "$INTERP") ;;
esac
if ! command -v "$INTERP" >/dev/null 2>&1; then
  echo "$0: interpreter not found: $INTERP" >&2
  exit 2
fi
TIMEOUT=${TIMEOUT:-120}

FILES="calls closure constructs errors events gc literals locals math nextvar pm sort strings vararg"

PRELUDE='
math.randomseed(0)
collectgarbage("setstepmul", 180)
collectgarbage("setpause", 190)
local msgs = {}
function Message (m)
  print(m)
  msgs[#msgs+1] = string.sub(m, 3, -3)
end
assert(os.setlocale"C")
'
if [ "${NODUMP:-0}" = 1 ]; then
  PRELUDE+='
dofile = function (n)
  local f = assert(loadfile(n))
  return f()
end
'
else
  PRELUDE+='
dofile = function (n)
  local f = assert(loadfile(n))
  local b = string.dump(f)
  f = assert(loadstring(b))
  return f()
end
'
fi
if [ "${SOFT:-0}" = 1 ]; then
  PRELUDE+='_soft = true
'
fi
PRELUDE+='
do
  local u = newproxy(true)
  local newproxy, stderr = newproxy, io.stderr
  getmetatable(u).__gc = function (o)
    stderr:write"."
    newproxy(o)
  end
end
'

run_chunk() {
  case $1 in
    gc) echo 'local f = assert(loadfile("gc.lua")) f()' ;;
    calls) echo 'assert(dofile("calls.lua") == deep and deep)' ;;
    locals) echo 'assert(dofile("locals.lua") == 5)' ;;
    events) echo 'assert(dofile("events.lua") == 12)' ;;
    *) echo "dofile(\"$1.lua\")" ;;
  esac
}

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/run-official.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

passed=0
failed=0
for name in $FILES; do
  if [ ! -f "$DIR/$name.lua" ]; then
    echo "FAIL $name.lua missing from $DIR"
    failed=$((failed + 1))
    continue
  fi
  start=$(date +%s.%N)
  (cd "$DIR" && timeout "$TIMEOUT" "$INTERP" -e "$PRELUDE" -e "$(run_chunk "$name")" \
     >"$LOGDIR/$name.out" 2>"$LOGDIR/$name.err" </dev/null)
  status=$?
  end=$(date +%s.%N)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  if [ $status -eq 0 ]; then
    echo "PASS $name.lua ${secs}s"
    passed=$((passed + 1))
  else
    if [ $status -eq 124 ]; then
      why="timeout after ${TIMEOUT}s"
    else
      # The finalizer's dots share stderr with the error; drop them.
      why=$(sed 's/^\.*//' "$LOGDIR/$name.err" | grep -v '^$' | head -n 1)
      [ -n "$why" ] || why="exit status $status"
    fi
    echo "FAIL $name.lua $why"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
