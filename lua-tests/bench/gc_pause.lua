-- The longest pause a program sees while the collector works on a large
-- live heap. A table holds N small tables (2M by default: `gc_pause.lua N`),
-- then 2N more are made, every 8th replacing a live one. Every 16
-- allocations the script reads the clock; the worst gap between two reads
-- is the longest stop (collector steps included), reported for the building
-- phase and the churning phase.
--
-- The clock is the global CLOCK when the runner provides one, else os.clock
-- (lua5.1: CPU time, to the microsecond). Ferrous's os.clock follows the
-- kernel's tick (milliseconds), so its test harness (gc_tests.rs,
-- gc_pause_figure) gives a CPU clock of its own: wall time minus the time
-- the thread waited for a CPU.
--
-- One run each on a 2-core machine under load (2026-12-03, N = 2M, twice):
-- lua5.1 building 17.4 / 12.5 ms, churning 124.2 / 118.6 ms; Ferrous (the
-- gc_pause_figure test) building 12.1 / 16.2 ms, churning 12.2 / 12.2 ms.
-- The churning phase is where the collector works on the full heap: its
-- longest stop is about a tenth of lua5.1's (whose atomic step traverses
-- the 2M-entry table at once). The building phase's worst gap is the big
-- table's array growing (a reallocation), in both.
local N = tonumber(arg and arg[1]) or 2000000
local clock = CLOCK or os.clock
local worst, last = 0, clock()
local function check()
  local now = clock()
  if now - last > worst then worst = now - last end
  last = now
end
local t0 = clock()
local live = {}
for i = 1, N do
  live[i] = {i}
  if i % 16 == 0 then check() end
end
local build_worst = worst
worst = 0
last = clock()
for i = 1, 2 * N do
  local x = {i}
  if i % 8 == 0 then live[(i * 7919) % N + 1] = x end
  if i % 16 == 0 then check() end
end
print(string.format("worst gap: building %.2f ms, churning %.2f ms; %.2f s in all; %d KB in use",
  build_worst * 1000, worst * 1000, clock() - t0, collectgarbage("count")))
