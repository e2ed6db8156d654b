//! The Lua heap: one typed generational arena per object kind, plus the byte
//! accounting that drives the collector.
//!
//! Every collectable object is owned by exactly one arena here; values refer to
//! objects through Copy handles (see [`arena`]). The heap is owned by the
//! [`Vm`](super::state::Vm) and borrowed mutably only through it, so there is
//! no shared mutable state and no `RefCell`.
//!
//! Accounting: `total` is an estimate of the bytes held by live objects,
//! updated on every allocation (and table growth) and recomputed by each
//! collection. A collection is due when `total > threshold`; after one,
//! `threshold = live * pause / 100` (Lua's `setpause`, default 200).

pub mod arena;
pub mod gc;

use super::func::{Function, UpVal};
use super::state::LuaThread;
use super::string::{Interner, LuaStr};
use super::table::Table;
use super::value::{FuncRef, StrRef, TableRef, UpRef, Value};
use arena::Arena;
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
    /// `collectgarbage("stop")` in effect.
    pub stopped: bool,
    /// Incremented by every collection (marks protos once per cycle).
    pub epoch: u32,
    /// Userdata created so far (the next one's `seq`).
    pub ud_seq: u64,
    /// The first error a finalizer (`__gc`) raised in the last collection, to
    /// be raised where the collection was triggered (as 5.1 does).
    pub gc_error: Option<super::value::Value>,
    /// Bytes of the function prototypes the last mark phase reached.
    pub proto_bytes: usize,
    /// Work requested by `collectgarbage("step")` since the last cycle.
    pub step_debt: usize,
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
            epoch: 1,
            ud_seq: 0,
            gc_error: None,
            step_debt: 0,
            proto_bytes: 0,
        }
    }
}

impl Heap {
    /// True when a collection should run at the next safe point.
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
        }
        h
    }

    /// The bytes of a string.
    #[inline(always)]
    pub fn str_bytes(&self, s: StrRef) -> &[u8] {
        &self.strings.get(s).bytes
    }

    pub fn new_table(&mut self, narray: usize, nhash: usize) -> TableRef {
        let t = Table::with_sizes(narray, nhash);
        self.total += t.mem_size();
        self.tables.insert(t)
    }

    #[inline(always)]
    pub fn table(&self, t: TableRef) -> &Table {
        self.tables.get(t)
    }

    #[inline(always)]
    pub fn table_mut(&mut self, t: TableRef) -> &mut Table {
        self.tables.get_mut(t)
    }

    /// Raw store with accounting of any growth (`Err` for a nil/NaN key).
    #[inline]
    pub fn table_set(
        &mut self,
        t: TableRef,
        k: Value,
        v: Value,
    ) -> Result<(), super::table::KeyError> {
        let tb = self.tables.get_mut(t);
        let before = tb.mem_size();
        tb.set(k, v, &self.strings)?;
        let after = tb.mem_size();
        if after != before {
            self.total = (self.total + after).saturating_sub(before);
        }
        Ok(())
    }

    /// A new userdata with metatable `meta` owning `data`.
    pub fn new_userdata(
        &mut self,
        meta: Option<TableRef>,
        data: Option<Box<dyn Any + Send>>,
    ) -> super::value::UdRef {
        self.ud_seq += 1;
        self.userdata.insert(UserData {
            meta,
            data,
            finalized: false,
            seq: self.ud_seq,
        })
    }

    pub fn new_function(&mut self, f: Function) -> FuncRef {
        self.total += match &f {
            Function::Lua(c) => 48 + c.upvals.len() * 8,
            Function::Native(c) => 48 + c.upvals.len() * 16,
        };
        self.funcs.insert(f)
    }

    pub fn new_upval(&mut self, u: UpVal) -> UpRef {
        self.total += 32;
        self.upvals.insert(u)
    }
}
