//! Functions and upvalues (Lua 5.1's lfunc.c).
//!
//! - [`LProto`] is the runtime form of a compiled [`Proto`]: its constants are
//!   already [`Value`]s (strings interned at load time), so LOADK and RK operands
//!   are a plain copy. Protos are immutable and shared by every closure made
//!   from them (`Arc`, never mutated after load; the GC marks their constants
//!   through the closures that use them).
//! - A [`Function`] is either a Lua closure or a native function with optional
//!   upvalues.
//! - An [`UpVal`] is a heap cell, *open* while the variable still lives in a
//!   stack slot of a running coroutine (`thread`, `idx`) and *closed* (holding
//!   the value itself) once that frame is gone. Every coroutine keeps its open
//!   upvalues sorted by stack index, so two closures created in one loop
//!   iteration share a cell and different iterations get different cells.

use super::proto::{LocVar, Proto};
use super::state::Vm;
use super::value::{TableRef, ThreadRef, UpRef, Value};
use super::LuaError;
use std::sync::atomic::AtomicU32;
use std::sync::Arc;

/// A native function. Arguments are the stack window of its frame (read them
/// with [`Vm::arg`] and friends); it pushes its results with [`Vm::push`] and
/// returns how many it pushed. See the module docs of [`super::state`].
pub type NativeFn = fn(&mut Vm) -> Result<usize, LuaError>;

/// The loaded form of a function prototype.
pub struct LProto {
    pub code: Vec<u32>,
    pub k: Vec<Value>,
    pub protos: Vec<Arc<LProto>>,
    pub num_params: u8,
    pub is_vararg: u8,
    pub max_stack: u8,
    pub num_upvalues: u8,
    pub source: Arc<[u8]>,
    pub line_defined: u32,
    pub last_line_defined: u32,
    pub line_info: Vec<u32>,
    pub loc_vars: Vec<LocVar>,
    pub upvalue_names: Vec<Vec<u8>>,
    /// Collection cycle in which the constants were last marked (so a proto
    /// shared by many closures is traversed once per cycle).
    pub(crate) gc_epoch: AtomicU32,
    /// One inline-cache cell per instruction: for a field read or write by
    /// a string key, the node index where the key was found last time (see
    /// [`super::table::Table::get_str_hinted`]). Only a hint: every use checks
    /// the node's key, so a stale or foreign value costs a normal lookup.
    pub(crate) hints: Vec<AtomicU32>,
}

impl LProto {
    /// Converts a compiled proto, interning its string constants with `intern`.
    pub fn load(
        p: Proto,
        source: Option<Arc<[u8]>>,
        intern: &mut dyn FnMut(&[u8]) -> Value,
    ) -> LProto {
        let source: Arc<[u8]> = source.unwrap_or_else(|| p.source.clone());
        let k = p
            .constants
            .iter()
            .map(|c| match c {
                super::proto::Constant::Nil => Value::Nil,
                super::proto::Constant::Bool(b) => Value::Bool(*b),
                super::proto::Constant::Number(n) => Value::Num(*n),
                super::proto::Constant::Str(s) => intern(s),
            })
            .collect();
        let protos = p
            .protos
            .into_iter()
            .map(|q| Arc::new(LProto::load(q, Some(source.clone()), intern)))
            .collect();
        let hints = p.code.iter().map(|_| AtomicU32::new(0)).collect();
        LProto {
            hints,
            code: p.code,
            k,
            protos,
            num_params: p.num_params,
            is_vararg: p.is_vararg,
            max_stack: p.max_stack_size.max(2),
            num_upvalues: p.num_upvalues,
            source,
            line_defined: p.line_defined,
            last_line_defined: p.last_line_defined,
            line_info: p.line_info,
            loc_vars: p.loc_vars,
            upvalue_names: p.upvalue_names,
            gc_epoch: AtomicU32::new(0),
        }
    }

    /// Source line of instruction `pc` (0 when unknown).
    pub fn line(&self, pc: usize) -> u32 {
        self.line_info.get(pc).copied().unwrap_or(0)
    }

    /// Name of the `n`-th (1-based) local active at `pc`.
    pub fn local_name(&self, mut n: usize, pc: usize) -> Option<&[u8]> {
        for v in &self.loc_vars {
            if v.start_pc as usize > pc {
                break;
            }
            if pc < v.end_pc as usize {
                n -= 1;
                if n == 0 {
                    return Some(&v.name);
                }
            }
        }
        None
    }

    /// Approximate bytes of this function alone (nested ones not included;
    /// constant strings are heap strings, counted there), for accounting.
    pub fn mem_size(&self) -> usize {
        std::mem::size_of::<LProto>()
            + self.code.len() * 4
            + self.k.len() * 16
            + self.protos.len() * 8
            + self.line_info.len() * 4
            + super::proto::debug_info_bytes(&self.loc_vars, &self.upvalue_names)
    }

    /// [`LProto::mem_size`] of this function and every nested one, plus the
    /// chunk name once.
    pub fn tree_mem_size(&self) -> usize {
        fn walk(p: &LProto) -> usize {
            p.mem_size() + p.protos.iter().map(|q| walk(q)).sum::<usize>()
        }
        walk(self) + self.source.len()
    }
}

/// A Lua closure: a proto, its upvalue cells and its environment table.
pub struct LClosure {
    pub proto: Arc<LProto>,
    pub upvals: Vec<UpRef>,
    pub env: TableRef,
}

/// A native function value, with upvalues of its own (e.g. the state of a
/// `string.gmatch` iterator or the coroutine behind a `coroutine.wrap`).
pub struct NClosure {
    pub f: NativeFn,
    pub upvals: Vec<Value>,
    /// Name for tracebacks when no better one can be derived.
    pub name: &'static str,
    pub env: TableRef,
}

/// A function object.
pub enum Function {
    Lua(LClosure),
    Native(NClosure),
}

/// An upvalue cell.
#[derive(Clone, Copy, Debug)]
pub enum UpVal {
    /// The variable still lives in `thread`'s stack at `idx`.
    Open {
        thread: ThreadRef,
        idx: u32,
    },
    Closed(Value),
}
