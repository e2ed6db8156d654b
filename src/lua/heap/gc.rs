//! The collector: incremental mark and sweep over the arenas, with Lua 5.1's
//! `setpause` / `setstepmul` rules (lgc.c's `luaC_step`, `singlestep`,
//! `luaC_fullgc`).
//!
//! A cycle goes through three phases, a step of work at a time:
//! - **Pause** → the roots are marked, **Propagate**: gray objects are
//!   traversed (see [`super::mark`]); the barriers ([`Heap::barrier`],
//!   [`Heap::table_barrier`]) keep what the program stores into marked objects
//!   meanwhile from being missed;
//! - the **atomic** step (one piece): roots and coroutine stacks again, weak
//!   tables, userdata to finalize;
//! - **Sweep**: each arena in turn, a range of slots per step: unmarked objects
//!   are freed (strings leave the interner first), survivors lose their mark.
//!   At its end the `__gc` finalizers of the cycle run and the next threshold
//!   is set.
//!
//! When: a step is due once allocation passes `threshold` ([`Heap::gc_due`]);
//! the VM checks at its safe points (table creation and growth, concatenation,
//! closures, after every native call). As in 5.1, a step does a fixed amount
//! of work, `stepmul`% of [`STEP_SIZE`] (200% of 1 KB by default), in work
//! units (32 per reference traversed, 64 per object, 20 per object swept,
//! 2 per free slot passed: scaled so a cycle takes about as many steps as
//! 5.1's on the same program); allocation beyond a step's worth is owed
//! (`debt`), and while it is the next safe point steps again, so a burst is
//! paid by many short steps, never one long one.
//! After a cycle the threshold is `pause`% of the bytes in use (200: a cycle
//! starts when the heap has doubled), but at least enough allocation to pay
//! for the next sweep (which walks every arena slot, so it costs what the
//! arenas' high-water mark is). With a heap limit set, a collection that
//! cannot get under the limit raises "not enough memory".
//!
//! No step ever runs a whole cycle unless asked to (`collectgarbage()`,
//! `collectgarbage("step", n)` with a large `n`, a memory limit being hit),
//! so a program with a large live heap never stops for a whole mark and
//! sweep at once; the longest pause is the atomic step (roots and stacks)
//! or the traversal of the largest single table.

use super::super::state::{LuaError, Vm};
use super::super::value::{UdRef, Value};
use super::mark::Gray;
use super::{function_cost, str_cost, MIN_THRESHOLD, UPVAL_COST, USERDATA_COST};

/// Bytes of allocation that pay for sweeping one arena slot (see the end of
/// a cycle in [`Vm::gc_work`]).
const SWEEP_PAY: usize = 32;

/// Bytes of allocation between two steps of a cycle, and the allocation a
/// step's work pays for (5.1's `GCSTEPSIZE`, 1 KB: a step does `stepmul`% of
/// it in work units, so `collectgarbage("step")` does as much as 5.1's).
pub const STEP_SIZE: usize = 1024;

/// [`STEP_SIZE`]s of allocation between two steps driven by allocation
/// (each does their work at once).
const ALLOC_STEPS: usize = 8;

/// Work units charged per object swept (twice 5.1's `GCSWEEPCOST`, as every
/// unit here is about half a byte of 5.1's), and per free slot passed over.
const SWEEP_WORK: usize = 20;
const SWEEP_FREE_WORK: usize = 2;

/// Arena numbers, in sweep order.
pub(crate) const ARENA_STRINGS: u8 = 0;
pub(crate) const ARENA_TABLES: u8 = 1;
pub(crate) const ARENA_FUNCS: u8 = 2;
pub(crate) const ARENA_UPVALS: u8 = 3;
pub(crate) const ARENA_USERDATA: u8 = 4;
pub(crate) const ARENA_THREADS: u8 = 5;
const ARENAS: u8 = 6;

/// Where a cycle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) enum Phase {
    /// Between cycles.
    #[default]
    Pause,
    /// Marking: gray objects left to traverse.
    Propagate,
    /// Sweeping arena `sweep_arena` from slot `sweep_pos`.
    Sweep,
}

/// The collector's state between steps.
pub(crate) struct GcState {
    pub(crate) phase: Phase,
    /// Bytes of allocation between two steps ([`STEP_SIZE`]; tests make it
    /// tiny so the program and the collector interleave finely).
    pub(crate) step_size: usize,
    /// The smallest threshold ([`MIN_THRESHOLD`]; tiny in tests).
    pub(crate) min_threshold: usize,
    /// Allocation that pays for sweeping a slot ([`SWEEP_PAY`]; 0 in tests).
    pub(crate) sweep_pay: usize,
    /// (tests) Check the tri-colour invariant at every atomic step.
    #[cfg(test)]
    pub(crate) verify: bool,
    /// (tests) The longest step driven by allocation so far.
    #[cfg(test)]
    pub(crate) longest_step: std::time::Duration,
    pub(crate) gray: Vec<Gray>,
    /// Weak tables met while marking: (table, weak keys, weak values).
    pub(crate) weak: Vec<(super::super::value::TableRef, bool, bool)>,
    /// Reused by traversals.
    pub(crate) scratch: Vec<Value>,
    sweep_arena: u8,
    sweep_pos: usize,
    /// Userdata resurrected for their `__gc`, newest first, with it.
    pub(crate) to_finalize: Vec<(UdRef, Value)>,
    /// Bytes of the objects this sweep kept, plus those born during it in
    /// slots it had passed: with the prototypes and the stack, what `total`
    /// is at the end of the cycle (5.1's `estimate`).
    pub(crate) survivors: usize,
    /// Allocation not yet paid for by steps (5.1's `gcdept`): a burst (a big
    /// table's array growing at once) is paid by steps at the next safe
    /// points, a step's worth each, not by one long step.
    pub(crate) debt: usize,
}

impl Default for GcState {
    fn default() -> Self {
        GcState {
            phase: Phase::Pause,
            step_size: STEP_SIZE,
            min_threshold: MIN_THRESHOLD,
            sweep_pay: SWEEP_PAY,
            #[cfg(test)]
            verify: false,
            #[cfg(test)]
            longest_step: std::time::Duration::ZERO,
            gray: Vec::new(),
            weak: Vec::new(),
            scratch: Vec::new(),
            sweep_arena: 0,
            sweep_pos: 0,
            to_finalize: Vec::new(),
            survivors: 0,
            debt: 0,
        }
    }
}

impl GcState {
    /// True when the running sweep has yet to reach slot `idx` of `arena`.
    #[inline]
    pub(crate) fn unswept(&self, arena: u8, idx: u32) -> bool {
        arena > self.sweep_arena || (arena == self.sweep_arena && idx as usize >= self.sweep_pos)
    }
}

impl Vm {
    /// Runs a collector step if allocation made one due; fails with "not
    /// enough memory" when a heap limit cannot be met (after a full collection).
    pub(crate) fn gc_check(&mut self) -> Result<(), LuaError> {
        if self.heap.limit.is_some_and(|l| self.heap.total > l) {
            self.collect_garbage();
            self.take_gc_error()?;
            if self.heap.limit.is_some_and(|l| self.heap.total > l) {
                let v = self.new_str(b"not enough memory");
                return Err(LuaError::Error(v));
            }
            return Ok(());
        }
        if self.heap.gc_due() && !self.heap.stopped {
            self.gc_step();
            self.take_gc_error()?;
        }
        Ok(())
    }

    /// One step driven by allocation: [`ALLOC_STEPS`] steps' worth of work
    /// (`stepmul`% of that many [`STEP_SIZE`]s) at once, so the fixed cost of
    /// a step is paid less often (still microseconds of work); what was
    /// allocated beyond that is owed, and while it is, the next safe point
    /// steps again (5.1's `luaC_step`).
    fn gc_step(&mut self) {
        let size = self.heap.gc.step_size * ALLOC_STEPS;
        let heap = &mut self.heap;
        heap.gc.debt = heap
            .gc
            .debt
            .saturating_add(heap.total.saturating_sub(heap.threshold));
        #[cfg(test)]
        let t0 = std::time::Instant::now();
        self.gc_work(self.step_budget(size));
        #[cfg(test)]
        {
            let el = t0.elapsed();
            let gc = &mut self.heap.gc;
            gc.longest_step = gc.longest_step.max(el);
        }
        self.after_step(size);
    }

    /// The next threshold after a step that left a cycle running: right
    /// away while debt is owed, else `size` bytes of allocation later (the
    /// step paid for `size`). (A step that ended the cycle left the
    /// threshold [`Vm::end_cycle`] set.)
    fn after_step(&mut self, size: usize) {
        let heap = &mut self.heap;
        if heap.gc.phase == Phase::Pause {
            heap.gc.debt = 0;
        } else if heap.gc.debt < size {
            heap.threshold = heap.total.saturating_add(size);
        } else {
            heap.gc.debt -= size;
            heap.threshold = heap.total;
        }
    }

    /// Work units for `bytes` of allocation (`stepmul` 0: no limit, as 5.1).
    fn step_budget(&self, bytes: usize) -> usize {
        match self.heap.stepmul {
            0 => usize::MAX,
            m => (bytes / 100).saturating_mul(m as usize).max(1),
        }
    }

    /// `collectgarbage("step", kb)`: as 5.1, `kb` KB of allocation are owed
    /// and paid by steps (one at least) until the debt is paid or a cycle
    /// ends. True when it finished a cycle.
    pub(crate) fn gc_user_step(&mut self, kb: i64) -> bool {
        let bytes = (kb.max(0) as usize).saturating_mul(1024);
        let heap = &mut self.heap;
        heap.threshold = heap.total.saturating_sub(bytes);
        loop {
            let heap = &mut self.heap;
            heap.gc.debt = heap
                .gc
                .debt
                .saturating_add(heap.total.saturating_sub(heap.threshold));
            let finished = self.gc_work(self.step_budget(self.heap.gc.step_size));
            self.after_step(self.heap.gc.step_size);
            if finished {
                return true;
            }
            if self.heap.threshold > self.heap.total {
                return false;
            }
        }
    }

    /// Does up to `budget` units of collector work; true when a cycle ended.
    pub(crate) fn gc_work(&mut self, budget: usize) -> bool {
        let mut left = budget;
        loop {
            match self.heap.gc.phase {
                Phase::Pause => {
                    self.start_cycle();
                    left = left.saturating_sub(OBJECT_ROOT_WORK);
                }
                Phase::Propagate => {
                    left = left.saturating_sub(self.propagate(left));
                    if self.heap.gc.gray.is_empty() {
                        self.atomic();
                        self.heap.marking = false;
                        self.heap.gc.phase = Phase::Sweep;
                        self.heap.gc.sweep_arena = 0;
                        self.heap.gc.sweep_pos = 0;
                        self.heap.gc.survivors = 0;
                    }
                }
                Phase::Sweep => {
                    left = left.saturating_sub(self.sweep_step(left));
                    if self.heap.gc.sweep_arena >= ARENAS {
                        self.end_cycle();
                        return true;
                    }
                }
            }
            if left == 0 {
                return false;
            }
        }
    }

    /// Starts a cycle: marks the roots.
    fn start_cycle(&mut self) {
        self.heap.epoch = self.heap.epoch.wrapping_add(1);
        self.heap.proto_bytes = 0;
        self.heap.gc.gray.clear();
        self.heap.gc.weak.clear();
        self.heap.marking = true;
        self.heap.gc.phase = Phase::Propagate;
        self.mark_roots();
    }

    /// Sweeps slots until about `budget` work is done; returns the work done.
    fn sweep_step(&mut self, budget: usize) -> usize {
        let mut work = 0;
        while work < budget && self.heap.gc.sweep_arena < ARENAS {
            // no more slots than the budget could pay for as objects
            let slots = ((budget - work) / SWEEP_WORK).clamp(64, 1 << 20);
            let from = self.heap.gc.sweep_pos;
            let heap = &mut self.heap;
            let interner = &mut heap.interner;
            let r = match heap.gc.sweep_arena {
                ARENA_STRINGS => sweep_arena(
                    &mut heap.strings,
                    from,
                    slots,
                    |s| str_cost(s.bytes.len()),
                    |h, a| interner.unlink(a, h),
                ),
                ARENA_TABLES => {
                    sweep_arena(&mut heap.tables, from, slots, |t| t.mem_size(), |_, _| {})
                }
                ARENA_FUNCS => sweep_arena(&mut heap.funcs, from, slots, function_cost, |_, _| {}),
                ARENA_UPVALS => {
                    sweep_arena(&mut heap.upvals, from, slots, |_| UPVAL_COST, |_, _| {})
                }
                ARENA_USERDATA => sweep_arena(
                    &mut heap.userdata,
                    from,
                    slots,
                    |_| USERDATA_COST,
                    |_, _| {},
                ),
                _ => sweep_arena(&mut heap.threads, from, slots, thread_cost, |_, _| {}),
            };
            self.heap.total = self.heap.total.saturating_sub(r.freed);
            self.heap.gc.survivors += r.live;
            work += (r.visited * SWEEP_FREE_WORK + r.objects * SWEEP_WORK).max(1);
            if r.next >= r.slot_count {
                self.heap.gc.sweep_arena += 1;
                self.heap.gc.sweep_pos = 0;
            } else {
                self.heap.gc.sweep_pos = r.next;
            }
        }
        work
    }

    /// The end of a cycle: the next threshold, a sparse interner shrunk, the
    /// finalizers of the userdata resurrected for them.
    fn end_cycle(&mut self) {
        self.heap.gc.phase = Phase::Pause;
        let stack_bytes = self.stack.len() * 16;
        let heap = &mut self.heap;
        heap.interner.shrink_if_sparse(&mut heap.strings);
        // the estimate replaces the running count, so what is charged and
        // never given back (prototypes, stacks) cannot pile up
        heap.total = heap.gc.survivors + heap.proto_bytes + stack_bytes;
        // whatever allocation was still owed to this cycle is paid by its end
        // (however it ended: a full collection too), so the next cycle's
        // first step does not inherit it and run that cycle whole
        heap.gc.debt = 0;
        let total = heap.total;
        let slots = heap.strings.slot_count()
            + heap.tables.slot_count()
            + heap.funcs.slot_count()
            + heap.upvals.slot_count()
            + heap.userdata.slot_count()
            + heap.threads.slot_count();
        // a cycle walks every slot of every arena, free ones included: the
        // next one waits for at least SWEEP_PAY bytes of allocation per slot,
        // so after a burst has grown the arenas a small live heap does not
        // make each of many cycles walk them all again
        let mut th = (total / 100)
            .saturating_mul(heap.pause as usize)
            .max(heap.gc.min_threshold)
            .max(total.saturating_add(slots.saturating_mul(heap.gc.sweep_pay)));
        if let Some(l) = heap.limit {
            th = th.min(l);
        }
        heap.threshold = th;
        for (u, f) in std::mem::take(&mut self.heap.gc.to_finalize) {
            if !self.heap.userdata.contains(u) {
                continue;
            }
            self.heap.userdata.get_mut(u).finalized = true;
            let saved = self.top;
            if let Err(e) = self.pcall_value(f, &[Value::UserData(u)]) {
                self.heap.gc_error.get_or_insert(e);
            }
            self.top = saved;
        }
    }

    /// A full collection (`collectgarbage()`): the cycle in progress is
    /// finished, then one whole cycle runs.
    pub fn collect_garbage(&mut self) {
        self.finish_cycle();
        self.gc_work(usize::MAX);
    }

    /// Finishes the cycle in progress, if any, starting none.
    pub(crate) fn finish_cycle(&mut self) {
        if self.heap.gc.phase != Phase::Pause {
            self.gc_work(usize::MAX);
        }
    }

    /// Raises the error a finalizer gave in the last collection, if any.
    pub(crate) fn take_gc_error(&mut self) -> Result<(), LuaError> {
        self.check_interrupt()?;
        match self.heap.gc_error.take() {
            Some(e) => Err(LuaError::Error(e)),
            None => Ok(()),
        }
    }

    /// Calls `f(args)` catching errors (used for finalizers).
    pub(crate) fn pcall_value(&mut self, f: Value, args: &[Value]) -> Result<(), Value> {
        let func = self.top;
        if self.ensure_stack(func + args.len() + 2).is_err() {
            return Err(Value::Nil);
        }
        self.stack[func] = f;
        self.stack[func + 1..func + 1 + args.len()].copy_from_slice(args);
        self.top = func + 1 + args.len();
        let r = match self.pcall_at(func, 0, None) {
            Ok(r) => r,
            Err(LuaError::Error(v)) => Err(v),
            Err(LuaError::Yield) => Err(Value::Nil),
        };
        self.top = func;
        r
    }
}

/// Work charged for starting a cycle.
const OBJECT_ROOT_WORK: usize = 512;

/// Bytes charged for a coroutine.
fn thread_cost(t: &super::super::state::LuaThread) -> usize {
    256 + t.stack.len() * 16
}

/// What one sweep range did.
struct Swept {
    next: usize,
    slot_count: usize,
    visited: usize,
    objects: usize,
    /// Bytes freed, and bytes of the survivors.
    freed: usize,
    live: usize,
}

/// One sweep range of `arena` from slot `from`: the dead are passed to
/// `unlink` (to leave whatever indexes them) and freed.
fn sweep_arena<T>(
    arena: &mut super::arena::Arena<T>,
    from: usize,
    n: usize,
    cost: impl Fn(&T) -> usize,
    mut unlink: impl FnMut(super::arena::Handle<T>, &mut super::arena::Arena<T>),
) -> Swept {
    let mut dead = Vec::new();
    let (next, objects, live) = arena.sweep_some(from, n, &mut dead, &cost);
    let mut freed = 0;
    for h in dead {
        unlink(h, arena);
        freed += arena.free(h).map_or(0, |v| cost(&v));
    }
    Swept {
        next,
        slot_count: arena.slot_count(),
        visited: next - from,
        objects,
        freed,
        live,
    }
}

#[cfg(test)]
mod tests {
    use crate::lua::Vm;

    /// After a burst has grown the arenas, later cycles wait for allocation
    /// in proportion to the slots they walk: a megabyte of small garbage makes
    /// at most one cycle, not one per `MIN_THRESHOLD`.
    #[test]
    fn a_burst_does_not_make_later_cycles_walk_its_slots_for_little() {
        let mut vm = Vm::new();
        let burst = "local t = {} for i = 1, 200000 do t[i] = {} end t = nil collectgarbage()";
        assert!(vm.eval(burst).is_ok());
        let before = vm.heap.epoch;
        assert!(vm.eval("for i = 1, 20000 do local x = {} end").is_ok());
        let cycles = vm.heap.epoch.wrapping_sub(before);
        assert!(cycles <= 1, "{cycles} cycles");
        // And garbage is still collected: a full cycle frees the burst.
        vm.collect_garbage();
        assert!(vm.heap.tables.len() < 1000, "{}", vm.heap.tables.len());
    }
}
