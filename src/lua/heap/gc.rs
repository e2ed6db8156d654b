//! The collector: stop-the-world mark and sweep over the arenas (Lua 5.1's lgc.c,
//! without the incremental steps).
//!
//! Roots: the running coroutine's stack below `top` (slots above are
//! cleared to nil), its open upvalues, every coroutine on the resume
//! chain, the main thread, the globals, the registry, the per-type metatables
//! (the string metatable among them), the metamethod name strings and the
//! values Rust code pinned ([`Vm::pin`]).
//!
//! Weak tables (`__mode` with `k` and/or `v`) are traversed without marking
//! their weak parts; after marking, entries whose weak key or value is an
//! unmarked object are cleared (strings are values, never cleared).
//! Userdata with a `__gc` metamethod that die are resurrected once, their
//! `__gc` is called after the sweep, and they are freed by a later cycle.
//!
//! When it runs: [`Vm::gc_check`] at the VM's safe points once the allocation
//! estimate passes the threshold; the next threshold is `pause`% of what
//! survived, but at least enough allocation to pay for the next sweep (which
//! walks every arena slot, so it costs what the arenas' high-water mark is). With a heap limit set, a collection that cannot get under the
//! limit raises "not enough memory".

use super::super::func::{Function, LProto, UpVal};
use super::super::state::{LuaError, Tm, Vm};
use super::super::value::{TableRef, ThreadRef, UdRef, Value};
use super::{str_cost, MIN_THRESHOLD};

/// Bytes of allocation that pay for sweeping one arena slot (see the end of
/// [`Vm::collect_garbage`]).
const SWEEP_PAY: usize = 32;

enum Gray {
    Table(TableRef),
    Func(super::super::value::FuncRef),
    Ud(UdRef),
    Thread(ThreadRef),
}

struct Marker {
    gray: Vec<Gray>,
    weak: Vec<(TableRef, bool, bool)>,
}

impl Vm {
    /// Collects if the allocation estimate passed the threshold; fails with
    /// "not enough memory" when a heap limit cannot be met.
    pub(crate) fn gc_check(&mut self) -> Result<(), LuaError> {
        if !self.heap.stopped || self.heap.limit.is_some_and(|l| self.heap.total > l) {
            self.collect_garbage();
            self.take_gc_error()?;
        }
        if let Some(limit) = self.heap.limit {
            if self.heap.total > limit {
                let v = self.new_str(b"not enough memory");
                return Err(LuaError::Error(v));
            }
        }
        Ok(())
    }

    #[inline]
    fn mark_value(&mut self, v: Value, m: &mut Marker) {
        match v {
            Value::Str(s) => {
                self.heap.strings.mark(s);
            }
            Value::Table(t) if self.heap.tables.mark(t) => {
                m.gray.push(Gray::Table(t));
            }
            Value::Func(f) if self.heap.funcs.mark(f) => {
                m.gray.push(Gray::Func(f));
            }
            Value::UserData(u) if self.heap.userdata.mark(u) => {
                m.gray.push(Gray::Ud(u));
            }
            Value::Thread(t) if self.heap.threads.mark(t) => {
                m.gray.push(Gray::Thread(t));
            }
            _ => {}
        }
    }

    fn mark_proto(&mut self, p: &LProto, epoch: u32, scratch: &mut Vec<Value>) {
        if p.gc_epoch.load(std::sync::atomic::Ordering::Relaxed) == epoch {
            return;
        }
        p.gc_epoch
            .store(epoch, std::sync::atomic::Ordering::Relaxed);
        // a main chunk carries the chunk name its nested functions share
        let name = if p.line_defined == 0 {
            p.source.len()
        } else {
            0
        };
        self.heap.proto_bytes += p.mem_size() + name;
        scratch.extend_from_slice(&p.k);
        for q in &p.protos {
            self.mark_proto(q, epoch, scratch);
        }
    }

    /// The weak mode of a metatable: (weak keys, weak values).
    fn weak_mode(&self, mt: Option<TableRef>) -> (bool, bool) {
        let Some(mt) = mt else { return (false, false) };
        match self.fast_tm(mt, Tm::Mode) {
            Value::Str(s) => {
                let b = self.heap.str_bytes(s);
                (b.contains(&b'k'), b.contains(&b'v'))
            }
            _ => (false, false),
        }
    }

    fn propagate(&mut self, m: &mut Marker) {
        let mut scratch: Vec<Value> = Vec::new();
        let epoch = self.heap.epoch;
        while let Some(g) = m.gray.pop() {
            scratch.clear();
            match g {
                Gray::Table(t) => {
                    let meta = self.heap.table(t).meta;
                    let (wk, wv) = self.weak_mode(meta);
                    if let Some(mt) = meta {
                        scratch.push(Value::Table(mt));
                    }
                    if wk || wv {
                        m.weak.push((t, wk, wv));
                    }
                    let tb = self.heap.table(t);
                    tb.for_each(|k, v| {
                        if !wk {
                            scratch.push(*k);
                        } else if let Value::Str(_) = k {
                            scratch.push(*k);
                        }
                        if !wv {
                            scratch.push(*v);
                        } else if let Value::Str(_) = v {
                            scratch.push(*v);
                        }
                    });
                }
                Gray::Func(f) => match self.heap.funcs.get(f) {
                    Function::Lua(c) => {
                        scratch.push(Value::Table(c.env));
                        let p = c.proto.clone();
                        let ups = c.upvals.clone();
                        for u in ups {
                            if self.heap.upvals.mark(u) {
                                match *self.heap.upvals.get(u) {
                                    UpVal::Closed(v) => scratch.push(v),
                                    UpVal::Open { thread, .. } => {
                                        scratch.push(Value::Thread(thread))
                                    }
                                }
                            }
                        }
                        self.mark_proto(&p, epoch, &mut scratch);
                    }
                    Function::Native(n) => {
                        scratch.push(Value::Table(n.env));
                        scratch.extend_from_slice(&n.upvals);
                    }
                },
                Gray::Ud(u) => {
                    if let Some(mt) = self.heap.userdata.get(u).meta {
                        scratch.push(Value::Table(mt));
                    }
                }
                Gray::Thread(t) => {
                    let th = self.heap.threads.get(t);
                    if let Some(env) = th.env {
                        scratch.push(Value::Table(env));
                    }
                    scratch.push(th.hook.func);
                    let extent = th
                        .frames
                        .iter()
                        .map(|c| c.top)
                        .max()
                        .unwrap_or(0)
                        .max(th.top);
                    let extent = extent.min(th.stack.len());
                    scratch.extend_from_slice(&th.stack[..extent]);
                    let ups = th.open_upvals.clone();
                    for u in ups {
                        self.heap.upvals.mark(u);
                    }
                    let th = self.heap.threads.get_mut(t);
                    for v in th.stack.iter_mut().skip(extent) {
                        *v = Value::Nil;
                    }
                }
            }
            for v in scratch.drain(..) {
                self.mark_value(v, m);
            }
        }
    }

    fn is_dead(&self, v: &Value) -> bool {
        match *v {
            Value::Table(t) => !self.heap.tables.is_marked(t),
            Value::Func(f) => !self.heap.funcs.is_marked(f),
            Value::UserData(u) => !self.heap.userdata.is_marked(u),
            Value::Thread(t) => !self.heap.threads.is_marked(t),
            _ => false,
        }
    }

    /// A full collection cycle.
    pub fn collect_garbage(&mut self) {
        self.heap.epoch = self.heap.epoch.wrapping_add(1);
        self.heap.proto_bytes = 0;
        let mut m = Marker {
            gray: Vec::new(),
            weak: Vec::new(),
        };
        // roots: the running stack
        // Everything live is below `top`: callers' registers lie below the
        // callee's function slot, and the VM sets `top` to the frame's extent
        // before any safe point. Slots above are dead temporaries: cleared.
        let extent = self.top.min(self.stack.len());
        for v in self.stack.iter_mut().skip(extent) {
            *v = Value::Nil;
        }
        for i in 0..extent {
            let v = self.stack[i];
            self.mark_value(v, &mut m);
        }
        for i in 0..self.open_upvals.len() {
            let u = self.open_upvals[i];
            self.heap.upvals.mark(u);
        }
        let mut roots = vec![
            Value::Table(self.globals),
            Value::Table(self.registry),
            Value::Thread(self.main_thread),
            Value::Thread(self.cur_thread),
        ];
        roots.extend(self.co_chain.iter().map(|t| Value::Thread(*t)));
        roots.extend(self.type_meta.iter().flatten().map(|t| Value::Table(*t)));
        roots.extend(self.tm_names.iter().map(|s| Value::Str(*s)));
        roots.extend_from_slice(&self.roots);
        roots.extend(self.interrupt);
        roots.push(self.dhook.func);
        for v in roots {
            self.mark_value(v, &mut m);
        }
        self.propagate(&mut m);
        // userdata with __gc that just died: resurrect for finalization
        let mut to_finalize = Vec::new();
        // Newest first, as 5.1 calls finalizers.
        let mut uds: Vec<UdRef> = self.heap.userdata.handles().collect();
        uds.sort_by_key(|&u| std::cmp::Reverse(self.heap.userdata.get(u).seq));
        for u in uds {
            if !self.heap.userdata.is_marked(u) && !self.heap.userdata.get(u).finalized {
                let f = self.metamethod(Value::UserData(u), Tm::Gc);
                if !f.is_nil() {
                    to_finalize.push((u, f));
                    self.mark_value(Value::UserData(u), &mut m);
                    self.mark_value(f, &mut m);
                }
            }
        }
        self.propagate(&mut m);
        // clear weak entries; as in 5.1, a userdata about to be finalized is
        // cleared where it is a weak value, but stays as a weak key until a
        // later cycle frees it
        let finalizing: std::collections::HashSet<UdRef> =
            to_finalize.iter().map(|(u, _)| *u).collect();
        for (t, wk, wv) in std::mem::take(&mut m.weak) {
            let mut dead = Vec::new();
            self.heap.table(t).for_each(|k, v| {
                let value_finalizing = matches!(v, Value::UserData(u) if finalizing.contains(u));
                if (wk && self.is_dead(k)) || (wv && (self.is_dead(v) || value_finalizing)) {
                    dead.push(*k);
                }
            });
            let tb = self.heap.tables.get_mut(t);
            for k in dead {
                let _ = tb.set(k, Value::Nil, &self.heap.strings);
            }
        }
        // sweep
        self.heap.strings.sweep(|_, _| {});
        self.heap.tables.sweep(|_, _| {});
        self.heap.funcs.sweep(|_, _| {});
        self.heap.upvals.sweep(|_, _| {});
        self.heap.userdata.sweep(|_, _| {});
        self.heap.threads.sweep(|_, _| {});
        let heap = &mut self.heap;
        heap.interner.rebuild(&mut heap.strings);
        // recount
        let mut total = 0usize;
        for s in heap.strings.handles().collect::<Vec<_>>() {
            total += str_cost(heap.strings.get(s).bytes.len());
        }
        for t in heap.tables.handles().collect::<Vec<_>>() {
            total += heap.tables.get(t).mem_size();
        }
        total += heap.funcs.len() * 64 + heap.upvals.len() * 32 + heap.userdata.len() * 64;
        for t in heap.threads.handles().collect::<Vec<_>>() {
            total += 256 + heap.threads.get(t).stack.len() * 16;
        }
        total += self.stack.len() * 16;
        total += self.heap.proto_bytes;
        let heap = &mut self.heap;
        heap.total = total;
        heap.step_debt = 0;
        // A cycle walks every slot of every arena, free ones included, so the
        // next one waits for at least SWEEP_PAY bytes of allocation per slot:
        // after a burst has grown the arenas, a small live heap must not make
        // each of many cycles walk them all again (that made a server's scripts
        // run 6 times slower after a million tiny ones).
        let slots = heap.strings.slot_count()
            + heap.tables.slot_count()
            + heap.funcs.slot_count()
            + heap.upvals.slot_count()
            + heap.userdata.slot_count()
            + heap.threads.slot_count();
        let mut th = (total / 100)
            .saturating_mul(heap.pause as usize)
            .max(MIN_THRESHOLD)
            .max(total.saturating_add(slots.saturating_mul(SWEEP_PAY)));
        if let Some(l) = heap.limit {
            th = th.min(l);
        }
        heap.threshold = th;
        // finalizers
        for (u, f) in to_finalize {
            self.heap.userdata.get_mut(u).finalized = true;
            let saved = self.top;
            if let Err(e) = self.pcall_value(f, &[Value::UserData(u)]) {
                self.heap.gc_error.get_or_insert(e);
            }
            self.top = saved;
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
