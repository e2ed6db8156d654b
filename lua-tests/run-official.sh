#!/usr/bin/env bash
# Runs PUC-Rio's Lua 5.1 test suite through an interpreter: every file that
# lua5.1 itself passes on Debian (all but main.lua, which stops at its first
# `lua -l` run under lua5.1 too, and big.lua, which fails there as well),
# prepared the way the suite's own all.lua prepares it. Each file runs in a
# fresh process, or (ONE=1) all of them in one process, in all.lua's order
# and with its collector settings, so the collector is stressed across files.
#
# usage: lua-tests/run-official.sh DIR [INTERP]
#   DIR     a copy of lua5.1-tests (the folder with all.lua); it is only read
#           (the files run in a temporary copy: attrib.lua and files.lua write)
#   INTERP  the interpreter (default: target/release/ferrous-lua of this repository)
# environment:
#   TIMEOUT=120   seconds allowed per file (ONE=1: for the whole run, times 5)
#   ONE=1         all files in one process, as all.lua runs them
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

# all.lua's order
FILES="gc db calls strings literals attrib locals constructs nextvar pm events vararg closure errors math sort verybig files"

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
    attrib) echo 'assert(dofile("attrib.lua") == 27)' ;;
    verybig) echo 'assert(dofile("verybig.lua") == 10); collectgarbage()' ;;
    *) echo "dofile(\"$1.lua\")" ;;
  esac
}

# why_failed STATUS ERRFILE LIMIT: the first line of the error (the
# finalizer's dots share stderr with it and are dropped), or the timeout
why_failed() {
  if [ "$1" -eq 124 ]; then
    echo "timeout after ${3}s"
  else
    local why
    why=$(sed 's/^\.*//' "$2" | grep -v '^$' | head -n 1)
    echo "${why:-exit status $1}"
  fi
}

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/run-official.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT
# the files run in a copy (attrib.lua writes modules under libs/, into a
# libs/P1 folder the tarball's copy may lack)
cp -r "$DIR" "$LOGDIR/tests"
mkdir -p "$LOGDIR/tests/libs/P1"
DIR="$LOGDIR/tests"

if [ "${ONE:-0}" = 1 ]; then
  # One process: each file between markers the harness reads back.
  DRIVER="$PRELUDE"
  for name in $FILES; do
    DRIVER+="
do
  local t0 = os.clock()
  $(run_chunk "$name")
  io.stdout:write(string.format('\\n@@ PASS $name.lua %.2fs\\n', os.clock() - t0))
end
"
  done
  DRIVER+='
if #msgs > 0 then
  print("tests not performed:")
  for i = 1, #msgs do print(msgs[i]) end
end
debug.sethook(function (a) assert(type(a) == "string") end, "cr")
print("final OK !!!")
'
  (cd "$DIR" && timeout $((TIMEOUT * 5)) "$INTERP" -e "$DRIVER" \
     >"$LOGDIR/one.out" 2>"$LOGDIR/one.err" </dev/null)
  status=$?
  passed=0
  failed=0
  for name in $FILES; do
    line=$(grep -a "^@@ PASS $name.lua " "$LOGDIR/one.out")
    if [ -n "$line" ]; then
      echo "${line#@@ }"
      passed=$((passed + 1))
    else
      if [ $failed -eq 0 ]; then
        echo "FAIL $name.lua $(why_failed $status "$LOGDIR/one.err" $((TIMEOUT * 5)))"
      else
        echo "FAIL $name.lua (not run)"
      fi
      failed=$((failed + 1))
    fi
  done
  if [ $failed -eq 0 ] && ! grep -aq "^final OK !!!" "$LOGDIR/one.out"; then
    echo "FAIL after the last file: $(why_failed $status "$LOGDIR/one.err" $((TIMEOUT * 5)))"
    failed=1
  fi
  echo "$passed passed, $failed failed (one process)"
  [ $failed -eq 0 ]
  exit
fi

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
    echo "FAIL $name.lua $(why_failed $status "$LOGDIR/$name.err" "$TIMEOUT")"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
