//! Debug information for error messages and tracebacks (Lua 5.1's ldebug.c).
//!
//! - positions: `chunkid:line:` of a frame's current instruction;
//! - variable descriptions: [`getobjname`] runs the bytecode symbolically up to
//!   the failing instruction to find which instruction last wrote a register,
//!   so an error can say `global 'x'`, `local 'y'`, `field 'z'`, `upvalue 'w'`
//!   or `method 'm'`;
//! - function names for `bad argument ... to 'f'` and tracebacks come from the
//!   caller's CALL instruction in the same way.

use super::func::{Function, LProto};
use super::opcode::*;
use super::proto::chunk_id;
use super::state::{CallInfo, LuaError, Vm, CI_LUA};
use super::value::{ThreadRef, Value};

/// Does `op` write register A (5.1's `testAMode`)? As in 5.1's opcode table,
/// TEST counts as writing A: so a value that went through `and`/`or` has no
/// name (`(a or b) + 1` blames "a nil value", not `global 'a'`).
fn writes_a(op: OpCode) -> bool {
    !matches!(
        op,
        OpCode::SetGlobal
            | OpCode::SetUpval
            | OpCode::SetTable
            | OpCode::Jmp
            | OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
            | OpCode::Return
            | OpCode::TForLoop
            | OpCode::SetList
            | OpCode::Close
    )
}

/// The instruction that last wrote register `reg` before `lastpc` (5.1's `symbexec`).
fn symbexec(p: &LProto, lastpc: usize, reg: usize) -> Option<u32> {
    let mut last = p.code.len().checked_sub(1)?;
    let mut pc = 0;
    while pc < lastpc && pc < p.code.len() {
        let i = p.code[pc];
        let op = OpCode::of(i)?;
        let a = get_a(i) as usize;
        if writes_a(op) && a == reg {
            last = pc;
        }
        match op {
            OpCode::LoadNil if a <= reg && reg <= get_b(i) as usize => {
                last = pc;
            }
            OpCode::Jmp => {
                let dest = pc as i64 + 1 + get_sbx(i) as i64;
                if (pc as i64) < dest && dest <= lastpc as i64 {
                    pc = (dest - 1) as usize;
                }
            }
            OpCode::Call | OpCode::TailCall if reg >= a => {
                last = pc;
            }
            OpCode::TForLoop if reg >= a + 2 => {
                last = pc;
            }
            OpCode::SetList if get_c(i) == 0 => {
                pc += 1;
            }
            OpCode::Closure => {
                let nup = p
                    .protos
                    .get(get_bx(i) as usize)
                    .map_or(0, |q| q.num_upvalues as usize);
                pc += nup;
            }
            _ => {}
        }
        pc += 1;
    }
    p.code.get(last).copied()
}

fn kname(p: &LProto, vm: &Vm, c: u32) -> String {
    if is_k(c) {
        if let Some(Value::Str(s)) = p.k.get(index_k(c) as usize) {
            return String::from_utf8_lossy(vm.heap.str_bytes(*s)).into_owned();
        }
    }
    "?".to_string()
}

/// Describes register `reg` at instruction `pc`: `("global", "x")` etc.
pub fn getobjname(vm: &Vm, p: &LProto, pc: usize, reg: usize) -> Option<(&'static str, String)> {
    if let Some(n) = p.local_name(reg + 1, pc) {
        return Some(("local", String::from_utf8_lossy(n).into_owned()));
    }
    let i = symbexec(p, pc, reg)?;
    match OpCode::of(i)? {
        OpCode::GetGlobal => match p.k.get(get_bx(i) as usize) {
            Some(Value::Str(s)) => Some((
                "global",
                String::from_utf8_lossy(vm.heap.str_bytes(*s)).into_owned(),
            )),
            _ => None,
        },
        OpCode::Move => {
            let (a, b) = (get_a(i) as usize, get_b(i) as usize);
            if b < a {
                getobjname(vm, p, pc, b)
            } else {
                None
            }
        }
        OpCode::GetTable => Some(("field", kname(p, vm, get_c(i)))),
        OpCode::GetUpval => {
            let u = get_b(i) as usize;
            let name = p
                .upvalue_names
                .get(u)
                .map_or("?".to_string(), |n| String::from_utf8_lossy(n).into_owned());
            Some(("upvalue", name))
        }
        OpCode::OpSelf => Some(("method", kname(p, vm, get_c(i)))),
        _ => None,
    }
}

impl Vm {
    /// The proto of a Lua frame.
    pub(crate) fn frame_proto(&self, ci: &CallInfo) -> Option<&LProto> {
        if ci.flags & CI_LUA == 0 {
            return None;
        }
        match self.heap.funcs.get(ci.closure) {
            Function::Lua(c) => Some(&c.proto),
            Function::Native(_) => None,
        }
    }

    /// Current line of a frame (None for native frames).
    pub(crate) fn frame_line(&self, ci: &CallInfo) -> Option<u32> {
        let p = self.frame_proto(ci)?;
        Some(p.line(ci.pc.saturating_sub(1)))
    }

    /// `chunkid:line: ` of the frame `level` levels up (0 = running function),
    /// or "" when that is not a Lua function (5.1's `luaL_where`).
    pub fn where_(&self, level: usize) -> String {
        let Some(Level::Frame(idx)) = level_of(&self.frames, level as i64) else {
            return String::new();
        };
        let ci = &self.frames[idx];
        match (self.frame_proto(ci), self.frame_line(ci)) {
            (Some(p), Some(line)) if line > 0 => {
                format!(
                    "{}:{}: ",
                    String::from_utf8_lossy(&chunk_id(&p.source)),
                    line
                )
            }
            _ => String::new(),
        }
    }

    /// The frames of coroutine `t` (the running one's when `t` is it or None).
    pub(crate) fn thread_frames(&self, t: Option<ThreadRef>) -> &[CallInfo] {
        match t {
            Some(t) if t != self.cur_thread => &self.heap.threads.get(t).frames,
            _ => &self.frames,
        }
    }

    /// A runtime error raised by the VM itself (5.1's `luaG_runerror`): the
    /// position of the running Lua function, if the running function is Lua.
    pub fn runtime_error(&mut self, msg: &str) -> LuaError {
        let pos = match self.frames.last() {
            Some(ci) if ci.flags & CI_LUA != 0 => self.where_(0),
            _ => String::new(),
        };
        let v = self.new_str(format!("{}{}", pos, msg).as_bytes());
        LuaError::Error(v)
    }

    /// A `luaL_error`-style error: position of the Lua code that called the
    /// running native function, then `msg`.
    pub fn error_str(&mut self, msg: &str) -> LuaError {
        let pos = self.where_(1);
        let v = self.new_str(format!("{}{}", pos, msg).as_bytes());
        LuaError::Error(v)
    }

    /// Describes the register `reg` (absolute stack index) of the running Lua
    /// frame, as in `global 'x'`.
    pub(crate) fn describe_reg(&self, reg: usize) -> Option<(&'static str, String)> {
        let ci = self.frames.last()?;
        let p = self.frame_proto(ci)?;
        if reg < ci.base {
            return None;
        }
        getobjname(self, p, ci.pc.saturating_sub(1), reg - ci.base)
    }

    /// `attempt to <op> <desc> (a <type> value)` for a value in register `reg`.
    pub(crate) fn type_error_reg(&mut self, v: Value, op: &str, reg: Option<usize>) -> LuaError {
        let t = v.type_name();
        let msg = match reg.and_then(|r| self.describe_reg(r)) {
            Some((kind, name)) => format!("attempt to {} {} '{}' (a {} value)", op, kind, name, t),
            None => format!("attempt to {} a {} value", op, t),
        };
        self.runtime_error(&msg)
    }

    /// Name of the function running in frame `idx`, from its caller's call
    /// instruction: `(name, namewhat)` with namewhat one of global, local,
    /// method, field, upvalue, for iterator, or "" when unknown.
    pub(crate) fn frame_function_name(&self, idx: usize) -> (String, &'static str) {
        self.frame_function_name_in(&self.frames, idx)
    }

    /// [`Vm::frame_function_name`] in the frames of any coroutine.
    pub(crate) fn frame_function_name_in(
        &self,
        frames: &[CallInfo],
        idx: usize,
    ) -> (String, &'static str) {
        if idx == 0 || idx >= frames.len() {
            return (String::new(), "");
        }
        let ci = &frames[idx];
        if ci.tailcalls > 0 {
            return (String::new(), "");
        }
        let caller = &frames[idx - 1];
        let Some(p) = self.frame_proto(caller) else {
            return (String::new(), "");
        };
        let pc = caller.pc.saturating_sub(1);
        let Some(&i) = p.code.get(pc) else {
            return (String::new(), "");
        };
        match OpCode::of(i) {
            Some(OpCode::Call) | Some(OpCode::TailCall) => {
                match getobjname(self, p, pc, get_a(i) as usize) {
                    Some((what, name)) => (name, what),
                    None => (String::new(), ""),
                }
            }
            Some(OpCode::TForLoop) => ("?".to_string(), "for iterator"),
            _ => (String::new(), ""),
        }
    }

    /// Name of the running (native) function.
    pub(crate) fn current_function_name(&self) -> (String, &'static str) {
        if self.frames.is_empty() {
            return (String::new(), "");
        }
        self.frame_function_name(self.frames.len() - 1)
    }

    /// A `stack traceback:` text like lua5.1's, starting `level` levels up
    /// in the running coroutine, ending with the host's entry (`[C]: ?`, the
    /// C function lua.c runs scripts under) when that is the main thread.
    pub fn traceback(&self, level: usize) -> String {
        self.traceback_of(None, level)
    }

    /// [`Vm::traceback`] of coroutine `t` (None: the running one), following
    /// 5.1's `db_errorfb`: tail calls show as `(tail call): ?`, and of a deep
    /// stack the first 12 and last 10 levels with `...` between.
    pub(crate) fn traceback_of(&self, t: Option<ThreadRef>, level: usize) -> String {
        const LEVELS1: usize = 12;
        const LEVELS2: usize = 10;
        let thread = t.unwrap_or(self.cur_thread);
        let frames = self.thread_frames(t);
        // every level, top first
        let mut levels: Vec<Level> = Vec::new();
        for idx in (0..frames.len()).rev() {
            levels.push(Level::Frame(idx));
            if frames[idx].flags & CI_LUA != 0 {
                for _ in 0..frames[idx].tailcalls {
                    levels.push(Level::Tail);
                }
            }
        }
        let host = thread == self.main_thread;
        let total = levels.len() + usize::from(host);
        let exists = |l: usize| l < total;
        let mut out = String::from("stack traceback:");
        let mut level = level;
        let mut firstpart = true;
        while exists(level) {
            let cur = level;
            level += 1;
            if level > LEVELS1 && firstpart {
                if !exists(level + LEVELS2) {
                    level -= 1;
                } else {
                    out.push_str("\n\t...");
                    while exists(level + LEVELS2) {
                        level += 1;
                    }
                }
                firstpart = false;
                continue;
            }
            out.push_str("\n\t");
            match levels.get(cur) {
                None => out.push_str("[C]: ?"),
                Some(Level::Tail) => out.push_str("(tail call): ?"),
                Some(Level::Frame(idx)) => {
                    let ci = &frames[*idx];
                    let (name, namewhat) = self.frame_function_name_in(frames, *idx);
                    match self.frame_proto(ci) {
                        Some(p) => {
                            let src = String::from_utf8_lossy(&chunk_id(&p.source)).into_owned();
                            let line = p.line(ci.pc.saturating_sub(1));
                            out.push_str(&format!("{}:", src));
                            if line > 0 {
                                out.push_str(&format!("{}:", line));
                            }
                            if !namewhat.is_empty() {
                                out.push_str(&format!(" in function '{}'", name));
                            } else if p.line_defined == 0 {
                                out.push_str(" in main chunk");
                            } else {
                                out.push_str(&format!(" in function <{}:{}>", src, p.line_defined));
                            }
                        }
                        None => {
                            out.push_str("[C]:");
                            if !namewhat.is_empty() {
                                out.push_str(&format!(" in function '{}'", name));
                            } else {
                                out.push_str(" ?");
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// A stack level as the debug library counts them: a frame, or a call a
/// tail call replaced (5.1 keeps only their number).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    Frame(usize),
    Tail,
}

/// Level `level` (0 = the top frame) of `frames` (5.1's `lua_getstack`).
pub(crate) fn level_of(frames: &[CallInfo], level: i64) -> Option<Level> {
    let mut level = level;
    let mut ci = frames.len() as i64 - 1;
    while level > 0 && ci >= 0 {
        level -= 1;
        let f = &frames[ci as usize];
        if f.flags & CI_LUA != 0 {
            level -= f.tailcalls as i64;
        }
        ci -= 1;
    }
    if level == 0 && ci >= 0 {
        Some(Level::Frame(ci as usize))
    } else if level < 0 {
        Some(Level::Tail)
    } else {
        None
    }
}
