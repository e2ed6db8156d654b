//! The Lua value: a 16-byte `Copy` enum.
//!
//! Scalars (nil, booleans, numbers, light userdata) are stored inline; every
//! collectable object is a generational [`Handle`](super::heap::arena::Handle)
//! into the typed arena that owns it (see [`super::heap`]). Copying a `Value`
//! never allocates and never touches a reference count.
//!
//! Invariant: a `Value` reachable from a GC root always names a live object.
//! A `Value` held only in a Rust local is *not* a root: it stays valid until
//! the next collection, which can only start inside Lua execution (see
//! [`super::heap::gc`]).

use super::func::{Function, UpVal};
use super::heap::arena::Handle;
use super::heap::UserData;
use super::state::LuaThread;
use super::string::LuaStr;
use super::table::Table;

/// Handle to an interned string.
pub type StrRef = Handle<LuaStr>;
/// Handle to a table.
pub type TableRef = Handle<Table>;
/// Handle to a function (Lua closure or native function).
pub type FuncRef = Handle<Function>;
/// Handle to a full userdata.
pub type UdRef = Handle<UserData>;
/// Handle to a coroutine.
pub type ThreadRef = Handle<LuaThread>;
/// Handle to an upvalue cell.
pub type UpRef = Handle<UpVal>;

/// A Lua value.
///
/// `repr(u64)` puts the tag in a full word and every payload at offset 8, so a
/// copy is two plain 8-byte moves (no partial overlapping moves that defeat
/// store forwarding, which the default layout with `Bool` at offset 1 causes).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(u64)]
pub enum Value {
    #[default]
    Nil,
    Bool(bool),
    Num(f64),
    Str(StrRef),
    Table(TableRef),
    Func(FuncRef),
    UserData(UdRef),
    Thread(ThreadRef),
    /// A bare pointer-sized number with identity semantics (`lua_pushlightuserdata`).
    LightUserData(usize),
}

// Values must stay 16 bytes: the VM copies them constantly.
const _: () = assert!(std::mem::size_of::<Value>() == 16);

/// The type tags, in `lua_type` order; [`Type::name`] gives `type()`'s words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    Nil = 0,
    Bool = 1,
    LightUserData = 2,
    Number = 3,
    String = 4,
    Table = 5,
    Function = 6,
    UserData = 7,
    Thread = 8,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Nil => "nil",
            Type::Bool => "boolean",
            Type::LightUserData | Type::UserData => "userdata",
            Type::Number => "number",
            Type::String => "string",
            Type::Table => "table",
            Type::Function => "function",
            Type::Thread => "thread",
        }
    }
}

impl Value {
    #[inline(always)]
    pub fn type_of(&self) -> Type {
        match self {
            Value::Nil => Type::Nil,
            Value::Bool(_) => Type::Bool,
            Value::Num(_) => Type::Number,
            Value::Str(_) => Type::String,
            Value::Table(_) => Type::Table,
            Value::Func(_) => Type::Function,
            Value::UserData(_) => Type::UserData,
            Value::Thread(_) => Type::Thread,
            Value::LightUserData(_) => Type::LightUserData,
        }
    }

    /// `type(v)`'s answer.
    pub fn type_name(&self) -> &'static str {
        self.type_of().name()
    }

    /// Lua truth: everything but nil and false.
    #[inline(always)]
    pub fn truthy(&self) -> bool {
        !matches!(self, Value::Nil | Value::Bool(false))
    }

    #[inline(always)]
    pub fn is_nil(&self) -> bool {
        matches!(self, Value::Nil)
    }

    /// Raw equality (`rawequal`): numbers by value, everything else by identity.
    /// Interned strings make string equality an identity test too.
    #[inline(always)]
    pub fn raw_eq(&self, o: &Value) -> bool {
        // The derived `==` compares numbers as f64 (so NaN ~= NaN) and handles by
        // (index, generation).
        self == o
    }
}
