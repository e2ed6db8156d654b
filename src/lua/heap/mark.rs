//! Marking: the gray stack, the traversal of each kind of object, the roots,
//! and what the atomic step does between marking and sweeping (Lua 5.1's
//! lgc.c `propagatemark`, `markroot`, `atomic`, weak tables and `__gc`).
//!
//! Colours in this arena world: an object is *white* when its slot's mark bit
//! is clear, *gray* when it is marked and on the gray stack, *black* when it
//! is marked and was traversed. Marking pops gray objects and marks what they
//! reference, a budget of work at a time (see [`super::gc`]).
//!
//! Roots: the running coroutine's stack below `top` (slots above are cleared
//! to nil), its open upvalues, every coroutine on the resume chain, the main
//! thread, the globals, the registry, the per-type metatables (the string
//! metatable among them), the metamethod name strings, the values Rust code
//! pinned ([`Vm::pin`]), a pending interrupt and the debug hook.
//!
//! Weak tables (`__mode` with `k` and/or `v`) are traversed without marking
//! their weak parts; the atomic step clears entries whose weak key or value
//! is an unmarked object (strings are values, never cleared). Userdata with a
//! `__gc` metamethod that die are resurrected once, their `__gc` is called
//! after the sweep, and a later cycle frees them.

use super::super::func::{Function, LProto, UpVal};
use super::super::state::{Tm, Vm};
use super::super::value::{FuncRef, TableRef, ThreadRef, UdRef, Value};
use super::Heap;

/// An object marked and waiting to be traversed.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Gray {
    Table(TableRef),
    /// A big table traversed up to entry position `from` while its layout
    /// was `layout` (see [`TABLE_CHUNK`]).
    TablePart {
        t: TableRef,
        from: usize,
        layout: u32,
    },
    Func(FuncRef),
    Ud(UdRef),
    Thread(ThreadRef),
}

/// Work units (about half a byte of 5.1's each) charged for traversing an
/// object's header.
const OBJECT_WORK: usize = 64;
/// Work units charged per reference an object holds.
const REF_WORK: usize = 32;

/// Entries of a table traversed in one piece: a bigger table is traversed
/// a piece per step (5.1 does a whole table at once, so one table of a
/// million entries was a pause of its own). A table whose layout changes
/// (a rehash) between pieces is traversed again from its start; stores into
/// its traversed part meanwhile go through the barrier (the table is marked).
const TABLE_CHUNK: usize = if cfg!(test) { 64 } else { 16 * 1024 };

impl Heap {
    /// Marks `v` (gray for objects that hold references, black for strings).
    #[inline]
    pub(crate) fn mark_value(&mut self, v: Value) {
        match v {
            Value::Str(s) => {
                self.strings.mark(s);
            }
            Value::Table(t) if self.tables.mark(t) => self.gc.gray.push(Gray::Table(t)),
            Value::Func(f) if self.funcs.mark(f) => self.gc.gray.push(Gray::Func(f)),
            Value::UserData(u) if self.userdata.mark(u) => self.gc.gray.push(Gray::Ud(u)),
            Value::Thread(t) if self.threads.mark(t) => self.gc.gray.push(Gray::Thread(t)),
            _ => {}
        }
    }

    /// True when `v` is an object the current mark phase has not reached.
    pub(crate) fn is_white(&self, v: &Value) -> bool {
        match *v {
            Value::Table(t) => !self.tables.is_marked(t),
            Value::Func(f) => !self.funcs.is_marked(f),
            Value::UserData(u) => !self.userdata.is_marked(u),
            Value::Thread(t) => !self.threads.is_marked(t),
            _ => false,
        }
    }
}

impl Vm {
    /// Marks the constants of `p` and its nested functions, once per cycle
    /// (a proto is shared by every closure made from it).
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

    /// Lists the references of gray object `g` in `scratch`; returns the work.
    fn traverse(&mut self, g: Gray, scratch: &mut Vec<Value>) -> usize {
        let epoch = self.heap.epoch;
        match g {
            Gray::Table(t) => self.traverse_table(t, 0, scratch),
            Gray::TablePart { t, from, layout } => {
                let from = if self.heap.table(t).layout == layout {
                    from
                } else {
                    0
                };
                self.traverse_table(t, from, scratch)
            }
            Gray::Func(f) => match self.heap.funcs.get(f) {
                Function::Lua(c) => {
                    scratch.push(Value::Table(c.env));
                    let p = c.proto.clone();
                    let n = c.upvals.len();
                    for i in 0..n {
                        let u = match self.heap.funcs.get(f) {
                            Function::Lua(c) => c.upvals[i],
                            Function::Native(_) => break,
                        };
                        if self.heap.upvals.mark(u) {
                            match *self.heap.upvals.get(u) {
                                UpVal::Closed(v) => scratch.push(v),
                                UpVal::Open { thread, .. } => scratch.push(Value::Thread(thread)),
                            }
                        }
                    }
                    let before = scratch.len();
                    self.mark_proto(&p, epoch, scratch);
                    OBJECT_WORK + REF_WORK * (n + scratch.len() - before)
                }
                Function::Native(nc) => {
                    scratch.push(Value::Table(nc.env));
                    scratch.extend_from_slice(&nc.upvals);
                    OBJECT_WORK + REF_WORK * nc.upvals.len()
                }
            },
            Gray::Ud(u) => {
                if let Some(mt) = self.heap.userdata.get(u).meta {
                    scratch.push(Value::Table(mt));
                }
                OBJECT_WORK
            }
            Gray::Thread(t) => self.traverse_thread(t, scratch),
        }
    }

    /// Table `t` from entry position `from`, a [`TABLE_CHUNK`] at most; the
    /// rest goes back on the gray stack.
    fn traverse_table(&mut self, t: TableRef, from: usize, scratch: &mut Vec<Value>) -> usize {
        let meta = self.heap.table(t).meta;
        let (wk, wv) = self.weak_mode(meta);
        if from == 0 {
            if let Some(mt) = meta {
                scratch.push(Value::Table(mt));
            }
            if wk || wv {
                self.heap.gc.weak.push((t, wk, wv));
            }
        }
        let tb = self.heap.table(t);
        let next = tb.for_each_from(from, TABLE_CHUNK, |k, v| {
            if !wk || matches!(k, Value::Str(_)) {
                scratch.push(*k);
            }
            if !wv || matches!(v, Value::Str(_)) {
                scratch.push(*v);
            }
        });
        let done = next - from;
        if next < tb.entry_slots() {
            let layout = tb.layout;
            self.heap.gc.gray.push(Gray::TablePart {
                t,
                from: next,
                layout,
            });
        }
        OBJECT_WORK + REF_WORK * done
    }

    /// A suspended coroutine's stack (up to the highest frame top; slots
    /// above are dead temporaries, cleared), open upvalues, environment and hook.
    fn traverse_thread(&mut self, t: ThreadRef, scratch: &mut Vec<Value>) -> usize {
        if t == self.cur_thread {
            // the running thread's state lives in the Vm; the roots cover it
            return OBJECT_WORK;
        }
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
            .max(th.top)
            .min(th.stack.len());
        scratch.extend_from_slice(&th.stack[..extent]);
        let ups = th.open_upvals.clone();
        for u in ups {
            self.heap.upvals.mark(u);
        }
        let th = self.heap.threads.get_mut(t);
        for v in th.stack.iter_mut().skip(extent) {
            *v = Value::Nil;
        }
        OBJECT_WORK + REF_WORK * extent
    }

    /// Traverses gray objects until about `budget` work is done or none is
    /// left; returns the work done.
    pub(crate) fn propagate(&mut self, budget: usize) -> usize {
        let mut scratch = std::mem::take(&mut self.heap.gc.scratch);
        let mut work = 0;
        while work < budget {
            let Some(g) = self.heap.gc.gray.pop() else {
                break;
            };
            scratch.clear();
            work += self.traverse(g, &mut scratch);
            for v in scratch.drain(..) {
                self.heap.mark_value(v);
            }
        }
        self.heap.gc.scratch = scratch;
        work
    }

    /// Marks the roots (see the module docs). The running stack above `top`
    /// holds only dead temporaries: it is cleared.
    pub(crate) fn mark_roots(&mut self) {
        let extent = self.top.min(self.stack.len());
        for v in self.stack.iter_mut().skip(extent) {
            *v = Value::Nil;
        }
        for i in 0..extent {
            let v = self.stack[i];
            self.heap.mark_value(v);
        }
        for i in 0..self.open_upvals.len() {
            let u = self.open_upvals[i];
            self.heap.upvals.mark(u);
        }
        self.heap.mark_value(Value::Table(self.globals));
        self.heap.mark_value(Value::Table(self.registry));
        self.heap.mark_value(Value::Thread(self.main_thread));
        self.heap.mark_value(Value::Thread(self.cur_thread));
        for i in 0..self.co_chain.len() {
            let t = self.co_chain[i];
            self.heap.mark_value(Value::Thread(t));
        }
        for i in 0..self.type_meta.len() {
            if let Some(t) = self.type_meta[i] {
                self.heap.mark_value(Value::Table(t));
            }
        }
        for i in 0..self.tm_names.len() {
            let s = self.tm_names[i];
            self.heap.mark_value(Value::Str(s));
        }
        for i in 0..self.roots.len() {
            let v = self.roots[i];
            self.heap.mark_value(v);
        }
        if let Some(v) = self.interrupt {
            self.heap.mark_value(v);
        }
        self.heap.mark_value(self.dhook.func);
    }

    /// The atomic step between marking and sweeping: the roots and every
    /// marked coroutine's stack again (stacks change without barriers), the
    /// rest of the marking, the userdata to finalize (resurrected), then the
    /// weak tables' dead entries cleared.
    pub(crate) fn atomic(&mut self) {
        self.mark_roots();
        let threads: Vec<ThreadRef> = self
            .heap
            .threads
            .handles()
            .filter(|&t| self.heap.threads.is_marked(t))
            .collect();
        for t in threads {
            self.heap.gc.gray.push(Gray::Thread(t));
        }
        self.propagate(usize::MAX);
        // userdata with __gc that just died: resurrect for finalization,
        // newest first as 5.1 calls them
        let mut uds: Vec<UdRef> = self
            .heap
            .userdata
            .handles()
            .filter(|&u| !self.heap.userdata.is_marked(u) && !self.heap.userdata.get(u).finalized)
            .collect();
        uds.sort_by_key(|&u| std::cmp::Reverse(self.heap.userdata.get(u).seq));
        let mut to_finalize = Vec::new();
        for u in uds {
            let f = self.metamethod(Value::UserData(u), Tm::Gc);
            if !f.is_nil() {
                to_finalize.push((u, f));
            }
        }
        for &(u, f) in &to_finalize {
            self.heap.mark_value(Value::UserData(u));
            self.heap.mark_value(f);
        }
        self.propagate(usize::MAX);
        // clear weak entries; as in 5.1, a userdata about to be finalized is
        // cleared where it is a weak value, but stays as a weak key until a
        // later cycle frees it
        let finalizing: std::collections::HashSet<UdRef> =
            to_finalize.iter().map(|(u, _)| *u).collect();
        for (t, wk, wv) in std::mem::take(&mut self.heap.gc.weak) {
            let mut dead = Vec::new();
            self.heap.table(t).for_each(|k, v| {
                let value_finalizing = matches!(v, Value::UserData(u) if finalizing.contains(u));
                if (wk && self.heap.is_white(k))
                    || (wv && (self.heap.is_white(v) || value_finalizing))
                {
                    dead.push(*k);
                }
            });
            let heap = &mut self.heap;
            let tb = heap.tables.get_mut(t);
            for k in dead {
                let _ = tb.set(k, Value::Nil, &heap.strings);
            }
        }
        self.heap.gc.to_finalize = to_finalize;
        #[cfg(test)]
        if self.heap.gc.verify {
            self.verify_marks();
        }
    }
}
