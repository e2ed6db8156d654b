//! The Lua heap: one typed generational arena per object kind, the byte
//! accounting that drives the collector, and the collector's state.
//!
//! Every collectable object is owned by exactly one arena here; values refer to
//! objects through Copy handles (see [`arena`]). The heap is owned by the
//! [`Vm`](super::state::Vm) and borrowed mutably only through it, so there is
//! no shared mutable state and no `RefCell`.
//!
//! Accounting: `total` is an estimate of the bytes held by live objects,
//! raised by every allocation (and table growth) and lowered by every object
//! the sweep frees. A collector step is due when `total > threshold`; see
//! [`gc`] for the incremental collector and its pause/stepmul rules.
//!
//! Invariants the mutators keep for the incremental collector (the
//! "tri-colour invariant": no marked object points to an unmarked one while
//! marking, except through stacks, which the atomic step rescans):
//! - every store of a reference into a table, a closed upvalue, a function's
//!   environment or upvalues, or a metatable slot goes through
//!   [`Heap::barrier`] while `marking` is set;
//! - an object allocated while the sweep runs, in a slot the sweep has not
//!   reached, is born marked (so this sweep keeps it);
//! - a string the interner hands out again while the sweep runs is marked
//!   when the sweep has not reached it (it was unreachable, now it is not).

pub mod arena;
pub mod gc;
#[cfg(test)]
mod gc_tests;
pub mod mark;
#[cfg(test)]
mod verify;

use super::func::{Function, UpVal};
use super::state::LuaThread;
use super::string::{Interner, LuaStr};
use super::table::Table;
use super::value::{FuncRef, StrRef, TableRef, ThreadRef, UpRef, Value};
use arena::Arena;
use gc::{GcState, Phase};
use std::any::Any;

/// A full userdata (from `newproxy` or the embedding API).
pub struct UserData {
    pub meta: Option<TableRef>,
    /// Arbitrary Rust data owned by the userdata.
    pub data: Option<Box<dyn Any + Send>>,
    /// Its `__gc` already ran; the next collection that finds it dead frees it.
    pub finalized: bool,
    /// Creation order (finalizers run newest first, as in 5.1); set by
    /// [`Heap::new_userdata`].
    pub seq: u64,
}

/// All heap objects and the collector's parameters.
pub struct Heap {
    pub strings: Arena<LuaStr>,
    pub interner: Interner,
    pub tables: Arena<Table>,
    pub funcs: Arena<Function>,
    pub upvals: Arena<UpVal>,
    pub userdata: Arena<UserData>,
    pub threads: Arena<LuaThread>,
    /// Estimated live bytes.
    pub total: usize,
    /// A collection runs at the next safe point once `total` exceeds this.
    pub threshold: usize,
    /// Hard cap on `total` ("not enough memory" beyond it), if any.
    pub limit: Option<usize>,
    pub pause: u32,
    pub stepmul: u32,
    /// `collectgarbage("stop")` in effect: no step is due by allocation.
    pub stopped: bool,
    /// The incremental collector's progress.
    pub(crate) gc: GcState,
    /// True while the collector marks (the barriers are active).
    pub(crate) marking: bool,
    /// Incremented by every collection (marks protos once per cycle).
    pub epoch: u32,
    /// Userdata created so far (the next one's `seq`).
    pub ud_seq: u64,
    /// The first error a finalizer (`__gc`) raised in the last collection, to
    /// be raised where the collection was triggered (as 5.1 does).
    pub gc_error: Option<super::value::Value>,
    /// Bytes of the function prototypes the last mark phase reached.
    pub proto_bytes: usize,
}

/// Bytes charged for a string of `len` bytes.
pub fn str_cost(len: usize) -> usize {
    len + 48
}

/// Smallest threshold, so tiny heaps do not collect constantly.
pub const MIN_THRESHOLD: usize = 256 * 1024;

impl Default for Heap {
    fn default() -> Self {
        Heap {
            strings: Arena::default(),
            interner: Interner::default(),
            tables: Arena::default(),
            funcs: Arena::default(),
            upvals: Arena::default(),
            userdata: Arena::default(),
            threads: Arena::default(),
            total: 0,
            threshold: MIN_THRESHOLD,
            limit: None,
            pause: 200,
            stepmul: 200,
            stopped: false,
            gc: GcState::default(),
            marking: false,
            epoch: 1,
            ud_seq: 0,
            gc_error: None,
            proto_bytes: 0,
        }
    }
}

impl Heap {
    /// True when a collector step should run at the next safe point.
    #[inline(always)]
    pub fn gc_due(&self) -> bool {
        self.total > self.threshold
    }

    /// The interned string with these bytes.
    #[inline]
    pub fn intern(&mut self, b: &[u8]) -> StrRef {
        let (h, new) = self.interner.intern(&mut self.strings, b);
        if new {
            self.total += str_cost(b.len());
            self.born(gc::ARENA_STRINGS, h.idx, str_cost(b.len()));
        } else if self.gc.phase == Phase::Sweep
            && self.gc.unswept(gc::ARENA_STRINGS, h.idx)
            && !self.strings.is_marked(h)
        {
            // found dead but not yet swept: it lives again
            self.strings.mark_index(h.idx);
        }
        h
    }

    /// A new object in slot `idx` of arena `arena`: while the sweep runs and
    /// has not reached that slot, it is marked so the sweep keeps it.
    #[inline(always)]
    fn born(&mut self, arena: u8, idx: u32, bytes: usize) {
        if self.gc.phase != Phase::Sweep {
            return;
        }
        if !self.gc.unswept(arena, idx) {
            // the sweep will not count it: count it now
            self.gc.survivors += bytes;
        } else {
            match arena {
                gc::ARENA_STRINGS => self.strings.mark_index(idx),
                gc::ARENA_TABLES => self.tables.mark_index(idx),
                gc::ARENA_FUNCS => self.funcs.mark_index(idx),
                gc::ARENA_UPVALS => self.upvals.mark_index(idx),
                gc::ARENA_USERDATA => self.userdata.mark_index(idx),
                _ => self.threads.mark_index(idx),
            }
        }
    }

    /// The bytes of a string.
    #[inline(always)]
    pub fn str_bytes(&self, s: StrRef) -> &[u8] {
        &self.strings.get(s).bytes
    }

    pub fn new_table(&mut self, narray: usize, nhash: usize) -> TableRef {
        let t = Table::with_sizes(narray, nhash);
        let bytes = t.mem_size();
        self.total += bytes;
        let h = self.tables.insert(t);
        self.born(gc::ARENA_TABLES, h.idx, bytes);
        h
    }

    #[inline(always)]
    pub fn table(&self, t: TableRef) -> &Table {
        self.tables.get(t)
    }

    /// A table to change. A caller that stores references in it must call
    /// [`Heap::table_barrier`] for them (see the module docs).
    #[inline(always)]
    pub fn table_mut(&mut self, t: TableRef) -> &mut Table {
        self.tables.get_mut(t)
    }

    /// Raw store with accounting of any growth and the collector's barrier
    /// (`Err` for a nil/NaN key).
    #[inline]
    pub fn table_set(
        &mut self,
        t: TableRef,
        k: Value,
        v: Value,
    ) -> Result<(), super::table::KeyError> {
        let tb = self.tables.get_mut(t);
        let before = tb.mem_size();
        let moved = tb.set_moving(k, v, &self.strings)?;
        let after = tb.mem_size();
        if after != before {
            self.total = (self.total + after).saturating_sub(before);
        }
        if self.marking {
            self.table_barrier(t, k, v);
            if let Some((mk, mv)) = moved {
                self.table_barrier(t, mk, mv);
            }
        }
        Ok(())
    }

    /// The barrier for storing `k`, `v` into table `t`: while marking, if `t`
    /// is already marked, they are marked too.
    #[inline]
    pub fn table_barrier(&mut self, t: TableRef, k: Value, v: Value) {
        if self.marking && self.tables.is_marked(t) {
            self.mark_value(k);
            self.mark_value(v);
        }
    }

    /// The barrier for storing `v` into an object that is already marked
    /// (a closed upvalue, a function's environment or upvalues, a metatable
    /// slot): `v` is marked too, while marking.
    #[inline]
    pub fn barrier(&mut self, v: Value) {
        if self.marking {
            self.mark_value(v);
        }
    }

    /// A new userdata with metatable `meta` owning `data`.
    pub fn new_userdata(
        &mut self,
        meta: Option<TableRef>,
        data: Option<Box<dyn Any + Send>>,
    ) -> super::value::UdRef {
        self.ud_seq += 1;
        self.total += USERDATA_COST;
        let h = self.userdata.insert(UserData {
            meta,
            data,
            finalized: false,
            seq: self.ud_seq,
        });
        self.born(gc::ARENA_USERDATA, h.idx, USERDATA_COST);
        h
    }

    pub fn new_function(&mut self, f: Function) -> FuncRef {
        let bytes = function_cost(&f);
        self.total += bytes;
        let h = self.funcs.insert(f);
        self.born(gc::ARENA_FUNCS, h.idx, bytes);
        h
    }

    pub fn new_upval(&mut self, u: UpVal) -> UpRef {
        self.total += UPVAL_COST;
        let h = self.upvals.insert(u);
        self.born(gc::ARENA_UPVALS, h.idx, UPVAL_COST);
        h
    }

    /// A new coroutine object.
    pub fn new_thread(&mut self, th: LuaThread) -> ThreadRef {
        let bytes = 256 + th.stack.len() * 16;
        self.total += bytes;
        let h = self.threads.insert(th);
        self.born(gc::ARENA_THREADS, h.idx, bytes);
        h
    }
}

/// Bytes charged for a userdata and for an upvalue cell.
pub const USERDATA_COST: usize = 64;
pub const UPVAL_COST: usize = 32;

/// Bytes charged for a function object.
pub fn function_cost(f: &Function) -> usize {
    match f {
        Function::Lua(c) => 48 + c.upvals.len() * 8,
        Function::Native(c) => 48 + c.upvals.len() * 16,
    }
}
