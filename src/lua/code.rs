//! The code generator (Lua's `lcode.c`): the per-function compiler state and the
//! operations the parser calls to turn expression descriptors into instructions.
//!
//! The ideas, all as in Lua 5.1:
//! - **Expression descriptors** ([`ExpDesc`]) delay code: a variable, constant or
//!   comparison is not materialised until the parser knows where its value must go
//!   (a given register, any register, an RK operand, or a jump).
//! - **Free-register stack discipline**: registers `0..nactvar` hold locals,
//!   `nactvar..freereg` temporaries; temporaries are freed in stack order, so
//!   `freereg` always names the next free register.
//! - **Jump lists**: pending jumps are chained through their own sBx fields and
//!   patched when the target is known; `jpc` holds jumps to "the next instruction"
//!   until one is emitted. A conditional jump whose control is a TESTSET can
//!   deliver the tested value into a register (`patch_test_reg`).
//! - **Constant folding** of arithmetic on numerals, except when the result would
//!   be NaN or the divisor is zero (the VM must raise or produce those at run time).
//!
//! Errors found here (too many registers, a jump too long, too many constants) do
//! not unwind: the first one is recorded in [`FuncState::error`] and the parser
//! reports it, with the current token, before it reads the next token. Until then
//! the generator keeps its invariants (no panics, registers clamped).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::opcode::*;
use super::proto::{Constant, LocVar, Proto};

/// A small multiplicative hasher for the constant caches (keys come from the
/// source being compiled; a collision only costs time, and the map stays
/// linear in the number of distinct constants).
#[derive(Default)]
pub struct KHasher(u64);

impl Hasher for KHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, x: usize) {
        self.write_u64(x as u64);
    }
    fn write_u8(&mut self, x: u8) {
        self.write_u64(x as u64);
    }
    fn finish(&self) -> u64 {
        // spread high bits down (hashbrown indexes buckets by the low bits, and
        // numbers like 123.5 differ only in high bits)
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

type KMap<K> = HashMap<K, u32, BuildHasherDefault<KHasher>>;

/// The end of a jump list.
pub const NO_JUMP: i32 = -1;
/// "No register" for TESTSET patching (an A operand no register can have).
pub const NO_REG: u32 = MAXARG_A;
/// "All results" for calls, varargs and returns.
pub const LUA_MULTRET: i32 = -1;
/// Registers a function may use (`MAXSTACK`).
pub const MAXSTACK: u32 = 250;
/// Locals a function may have active (`LUAI_MAXVARS`).
pub const MAXVARS: u32 = 200;
/// Upvalues a function may have (`LUAI_MAXUPVALUES`).
pub const MAXUPVALUES: u32 = 60;

/// What an expression descriptor describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpKind {
    /// No value (an empty expression list).
    Void,
    Nil,
    True,
    False,
    /// Constant `info` of the constant table.
    K,
    /// A numeral with value `nval`.
    KNum,
    /// Local variable in register `info`.
    Local,
    /// Upvalue `info`.
    Upval,
    /// Global whose name is constant `info`.
    Global,
    /// Table in register `info` indexed by RK operand `aux`.
    Indexed,
    /// A comparison; `info` is the pc of its JMP.
    Jmp,
    /// An instruction at pc `info` whose target register A is still open.
    Relocable,
    /// A value already in register `info`.
    NonReloc,
    /// A call at pc `info` (open number of results).
    Call,
    /// A VARARG at pc `info` (open number of results).
    VarArg,
}

/// An expression descriptor (`expdesc`): a value not yet placed, plus the lists of
/// jumps taken when it is true (`t`) or false (`f`).
#[derive(Clone, Copy, Debug)]
pub struct ExpDesc {
    pub k: ExpKind,
    pub info: i32,
    pub aux: i32,
    pub nval: f64,
    pub t: i32,
    pub f: i32,
}

impl ExpDesc {
    pub fn new(k: ExpKind, info: i32) -> Self {
        ExpDesc {
            k,
            info,
            aux: 0,
            nval: 0.0,
            t: NO_JUMP,
            f: NO_JUMP,
        }
    }
    pub fn num(n: f64) -> Self {
        let mut e = ExpDesc::new(ExpKind::KNum, 0);
        e.nval = n;
        e
    }
    fn has_jumps(&self) -> bool {
        self.t != self.f
    }
    fn is_numeral(&self) -> bool {
        self.k == ExpKind::KNum && self.t == NO_JUMP && self.f == NO_JUMP
    }
    /// True for an open call or vararg (`hasmultret`).
    pub fn has_multret(&self) -> bool {
        matches!(self.k, ExpKind::Call | ExpKind::VarArg)
    }
}

/// Binary operators, in 5.1's order (`BinOpr`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOpr {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Ne,
    Eq,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOpr {
    Minus,
    Not,
    Len,
}

/// A block scope (`BlockCnt`).
#[derive(Clone, Copy, Debug)]
pub struct BlockCnt {
    /// Jumps out of this loop (`break`).
    pub breaklist: i32,
    /// Active locals outside the block.
    pub nactvar: u32,
    /// Some local of the block is captured by a closure.
    pub upval: bool,
    /// The block is a loop.
    pub isbreakable: bool,
}

/// The compiler state of one function being compiled (`FuncState`).
pub struct FuncState {
    pub f: Proto,
    str_k: KMap<Vec<u8>>,
    num_k: KMap<u64>,
    bool_k: [Option<u32>; 2],
    nil_k: Option<u32>,
    /// pc of the last jump target (no peephole across it).
    pub lasttarget: i32,
    /// Jumps pending to the next instruction emitted.
    pub jpc: i32,
    /// First free register.
    pub freereg: u32,
    /// Active locals.
    pub nactvar: u32,
    /// `loc_vars` index of each active (and declared, pending) local.
    pub actvar: Vec<u16>,
    /// How each upvalue is captured from the enclosing function: a local
    /// (`ExpKind::Local`, register) or its upvalue (`ExpKind::Upval`, index).
    pub upvalues: Vec<(ExpKind, u32)>,
    /// Enclosing blocks, innermost last.
    pub bl: Vec<BlockCnt>,
    /// Line given to instructions emitted now (the lexer's `lastline`).
    pub line: u32,
    /// First code-generation error, reported by the parser.
    pub error: Option<&'static str>,
}

/// Is `op` followed by a jump it controls (`testTMode`)?
fn test_mode(op: u32) -> bool {
    op == OpCode::Eq as u32
        || op == OpCode::Lt as u32
        || op == OpCode::Le as u32
        || op == OpCode::Test as u32
        || op == OpCode::TestSet as u32
        || op == OpCode::TForLoop as u32
}

/// `luaO_int2fb`: encodes `x` as a "floating point byte" (eeeeexxx), rounding up.
pub fn int2fb(mut x: u32) -> u32 {
    let mut e = 0;
    while x >= 16 {
        x = (x + 1) >> 1;
        e += 1;
    }
    if x < 8 {
        x
    } else {
        ((e + 1) << 3) | (x - 8)
    }
}

impl FuncState {
    /// A fresh function state (`open_func`): registers 0 and 1 always exist.
    pub fn new(source: &[u8], line: u32) -> Self {
        let f = Proto {
            source: source.to_vec(),
            max_stack_size: 2,
            ..Proto::default()
        };
        FuncState {
            f,
            str_k: KMap::default(),
            num_k: KMap::default(),
            bool_k: [None, None],
            nil_k: None,
            lasttarget: -1,
            jpc: NO_JUMP,
            freereg: 0,
            nactvar: 0,
            actvar: Vec::new(),
            upvalues: Vec::new(),
            bl: Vec::new(),
            line,
            error: None,
        }
    }

    fn fail(&mut self, msg: &'static str) {
        if self.error.is_none() {
            self.error = Some(msg);
        }
    }

    /// Current pc (number of instructions emitted).
    #[inline]
    pub fn pc(&self) -> i32 {
        self.f.code.len() as i32
    }

    #[inline]
    fn code_at(&mut self, pc: i32) -> &mut u32 {
        &mut self.f.code[pc as usize]
    }

    /// The instruction an expression of kind Relocable/Call/VarArg refers to.
    pub fn getcode(&mut self, e: &ExpDesc) -> &mut u32 {
        self.code_at(e.info)
    }

    // ----- constants -------------------------------------------------------

    fn push_k(&mut self, c: Constant) -> u32 {
        let n = self.f.constants.len() as u32;
        if n >= MAXARG_BX {
            self.fail("constant table overflow");
        }
        self.f.constants.push(c);
        n
    }

    /// Index of the string constant `s` (`luaK_stringK`).
    pub fn string_k(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.str_k.get(s) {
            return i;
        }
        let i = self.push_k(Constant::Str(s.to_vec()));
        self.str_k.insert(s.to_vec(), i);
        i
    }

    /// Index of the number constant `r` (`luaK_numberK`); 0 and -0 share a slot,
    /// as they are one key in a Lua table.
    pub fn number_k(&mut self, r: f64) -> u32 {
        let key = if r == 0.0 { 0u64 } else { r.to_bits() };
        if let Some(&i) = self.num_k.get(&key) {
            return i;
        }
        let i = self.push_k(Constant::Number(r));
        self.num_k.insert(key, i);
        i
    }

    fn bool_k(&mut self, b: bool) -> u32 {
        if let Some(i) = self.bool_k[b as usize] {
            return i;
        }
        let i = self.push_k(Constant::Bool(b));
        self.bool_k[b as usize] = Some(i);
        i
    }

    fn nil_k(&mut self) -> u32 {
        if let Some(i) = self.nil_k {
            return i;
        }
        let i = self.push_k(Constant::Nil);
        self.nil_k = Some(i);
        i
    }

    // ----- emitting --------------------------------------------------------

    /// Appends an instruction (`luaK_code`), first resolving jumps to here.
    pub fn code(&mut self, i: u32, line: u32) -> i32 {
        self.discharge_jpc();
        self.f.code.push(i);
        self.f.line_info.push(line);
        self.pc() - 1
    }

    pub fn code_abc(&mut self, op: OpCode, a: u32, b: u32, c: u32) -> i32 {
        let line = self.line;
        self.code(
            create_abc(op, a & MAXARG_A, b & MAXARG_B, c & MAXARG_C),
            line,
        )
    }

    pub fn code_abx(&mut self, op: OpCode, a: u32, bx: u32) -> i32 {
        let line = self.line;
        self.code(create_abx(op, a & MAXARG_A, bx & MAXARG_BX), line)
    }

    pub fn code_asbx(&mut self, op: OpCode, a: u32, sbx: i32) -> i32 {
        self.code_abx(op, a, (sbx + MAXARG_SBX) as u32)
    }

    /// Sets the line of the last instruction (`luaK_fixline`).
    pub fn fix_line(&mut self, line: u32) {
        if let Some(l) = self.f.line_info.last_mut() {
            *l = line;
        }
    }

    /// Sets registers `from..from+n` to nil, merging with a LOADNIL just before
    /// when no jump lands in between (`luaK_nil`).
    pub fn nil(&mut self, from: u32, n: u32) {
        if self.pc() > self.lasttarget {
            if self.pc() == 0 {
                if from >= self.nactvar {
                    return; // fresh registers of a new function are nil already
                }
            } else {
                let prev = self.f.code[self.f.code.len() - 1];
                if get_op(prev) == OpCode::LoadNil as u8 {
                    let pfrom = get_a(prev);
                    let pto = get_b(prev);
                    if pfrom <= from && from <= pto + 1 {
                        if from + n - 1 > pto {
                            let last = self.f.code.len() - 1;
                            set_b(&mut self.f.code[last], from + n - 1);
                        }
                        return;
                    }
                }
            }
        }
        self.code_abc(OpCode::LoadNil, from, from + n - 1, 0);
    }

    // ----- jumps -----------------------------------------------------------

    /// Emits a JMP that also carries the jumps pending to here (`luaK_jump`).
    pub fn jump(&mut self) -> i32 {
        let jpc = self.jpc;
        self.jpc = NO_JUMP;
        let mut j = self.code_asbx(OpCode::Jmp, 0, NO_JUMP);
        self.concat(&mut j, jpc);
        j
    }

    /// Emits `RETURN first nret`.
    pub fn ret(&mut self, first: u32, nret: i32) {
        self.code_abc(OpCode::Return, first, (nret + 1) as u32, 0);
    }

    fn cond_jump(&mut self, op: OpCode, a: u32, b: u32, c: u32) -> i32 {
        self.code_abc(op, a, b, c);
        self.jump()
    }

    fn fix_jump(&mut self, pc: i32, dest: i32) {
        let offset = dest - (pc + 1);
        if offset.abs() > MAXARG_SBX {
            self.fail("control structure too long");
            return;
        }
        set_sbx(self.code_at(pc), offset);
    }

    /// Marks the current pc as a jump target and returns it (`luaK_getlabel`).
    pub fn get_label(&mut self) -> i32 {
        self.lasttarget = self.pc();
        self.pc()
    }

    fn get_jump(&self, pc: i32) -> i32 {
        let offset = get_sbx(self.f.code[pc as usize]);
        if offset == NO_JUMP {
            NO_JUMP
        } else {
            pc + 1 + offset
        }
    }

    /// The instruction controlling the jump at `pc`: the test before it, if any.
    fn jump_control(&self, pc: i32) -> usize {
        let p = pc as usize;
        if p >= 1 && test_mode(get_op(self.f.code[p - 1]) as u32) {
            p - 1
        } else {
            p
        }
    }

    /// Does some jump in `list` need to produce a value (is not a TESTSET)?
    fn need_value(&self, mut list: i32) -> bool {
        while list != NO_JUMP {
            let i = self.f.code[self.jump_control(list)];
            if get_op(i) != OpCode::TestSet as u8 {
                return true;
            }
            list = self.get_jump(list);
        }
        false
    }

    /// Makes the TESTSET controlling `node` put its value in `reg`, or turns it
    /// into a TEST when no value is wanted; false when the control is not a TESTSET.
    fn patch_test_reg(&mut self, node: i32, reg: u32) -> bool {
        let ctl = self.jump_control(node);
        let i = self.f.code[ctl];
        if get_op(i) != OpCode::TestSet as u8 {
            return false;
        }
        if reg != NO_REG && reg != get_b(i) {
            set_a(&mut self.f.code[ctl], reg);
        } else {
            self.f.code[ctl] = create_abc(OpCode::Test, get_b(i), 0, get_c(i));
        }
        true
    }

    fn remove_values(&mut self, mut list: i32) {
        while list != NO_JUMP {
            self.patch_test_reg(list, NO_REG);
            list = self.get_jump(list);
        }
    }

    fn patch_list_aux(&mut self, mut list: i32, vtarget: i32, reg: u32, dtarget: i32) {
        while list != NO_JUMP {
            let next = self.get_jump(list);
            if self.patch_test_reg(list, reg) {
                self.fix_jump(list, vtarget);
            } else {
                self.fix_jump(list, dtarget);
            }
            list = next;
        }
    }

    fn discharge_jpc(&mut self) {
        let pc = self.pc();
        let jpc = self.jpc;
        self.patch_list_aux(jpc, pc, NO_REG, pc);
        self.jpc = NO_JUMP;
    }

    /// Points every jump of `list` at `target` (`luaK_patchlist`).
    pub fn patch_list(&mut self, list: i32, target: i32) {
        if target == self.pc() {
            self.patch_to_here(list);
        } else {
            self.patch_list_aux(list, target, NO_REG, target);
        }
    }

    /// Points every jump of `list` at the next instruction (`luaK_patchtohere`).
    pub fn patch_to_here(&mut self, list: i32) {
        self.get_label();
        let mut jpc = self.jpc;
        self.concat(&mut jpc, list);
        self.jpc = jpc;
    }

    /// Appends jump list `l2` to `l1` (`luaK_concat`).
    pub fn concat(&mut self, l1: &mut i32, l2: i32) {
        if l2 == NO_JUMP {
            return;
        }
        if *l1 == NO_JUMP {
            *l1 = l2;
            return;
        }
        let mut list = *l1;
        loop {
            let next = self.get_jump(list);
            if next == NO_JUMP {
                break;
            }
            list = next;
        }
        self.fix_jump(list, l2);
    }

    // ----- registers -------------------------------------------------------

    /// Makes sure `n` more registers fit (`luaK_checkstack`).
    pub fn check_stack(&mut self, n: u32) {
        let newstack = self.freereg + n;
        if newstack > self.f.max_stack_size as u32 {
            if newstack >= MAXSTACK {
                self.fail("function or expression too complex");
                return;
            }
            self.f.max_stack_size = newstack as u8;
        }
    }

    /// Reserves `n` registers (`luaK_reserveregs`).
    pub fn reserve_regs(&mut self, n: u32) {
        self.check_stack(n);
        self.freereg += n;
    }

    fn free_reg(&mut self, reg: u32) {
        if !is_k(reg) && reg >= self.nactvar && self.freereg > 0 {
            self.freereg -= 1;
            debug_assert!(reg == self.freereg || self.error.is_some());
        }
    }

    fn free_exp(&mut self, e: &ExpDesc) {
        if e.k == ExpKind::NonReloc {
            self.free_reg(e.info as u32);
        }
    }

    // ----- expressions -----------------------------------------------------

    /// Fixes the number of results of an open call or vararg (`luaK_setreturns`).
    pub fn set_returns(&mut self, e: &ExpDesc, nresults: i32) {
        if e.k == ExpKind::Call {
            set_c(self.getcode(e), (nresults + 1) as u32);
        } else if e.k == ExpKind::VarArg {
            let fr = self.freereg;
            let i = self.getcode(e);
            set_b(i, (nresults + 1) as u32);
            set_a(i, fr & MAXARG_A);
            self.reserve_regs(1);
        }
    }

    pub fn set_multret(&mut self, e: &ExpDesc) {
        self.set_returns(e, LUA_MULTRET);
    }

    /// Truncates an open call or vararg to one result (`luaK_setoneret`).
    pub fn set_one_ret(&mut self, e: &mut ExpDesc) {
        if e.k == ExpKind::Call {
            e.k = ExpKind::NonReloc;
            e.info = get_a(*self.getcode(e)) as i32;
        } else if e.k == ExpKind::VarArg {
            set_b(self.getcode(e), 2);
            e.k = ExpKind::Relocable;
        }
    }

    /// Emits the load of a variable, leaving a Relocable/NonReloc value
    /// (`luaK_dischargevars`).
    pub fn discharge_vars(&mut self, e: &mut ExpDesc) {
        match e.k {
            ExpKind::Local => e.k = ExpKind::NonReloc,
            ExpKind::Upval => {
                e.info = self.code_abc(OpCode::GetUpval, 0, e.info as u32, 0);
                e.k = ExpKind::Relocable;
            }
            ExpKind::Global => {
                e.info = self.code_abx(OpCode::GetGlobal, 0, e.info as u32);
                e.k = ExpKind::Relocable;
            }
            ExpKind::Indexed => {
                self.free_reg(e.aux as u32);
                self.free_reg(e.info as u32);
                e.info = self.code_abc(OpCode::GetTable, 0, e.info as u32, e.aux as u32);
                e.k = ExpKind::Relocable;
            }
            ExpKind::VarArg | ExpKind::Call => self.set_one_ret(e),
            _ => {}
        }
    }

    fn code_label(&mut self, a: u32, b: u32, jump: u32) -> i32 {
        self.get_label();
        self.code_abc(OpCode::LoadBool, a, b, jump)
    }

    fn discharge2reg(&mut self, e: &mut ExpDesc, reg: u32) {
        self.discharge_vars(e);
        match e.k {
            ExpKind::Nil => self.nil(reg, 1),
            ExpKind::False | ExpKind::True => {
                self.code_abc(OpCode::LoadBool, reg, (e.k == ExpKind::True) as u32, 0);
            }
            ExpKind::K => {
                self.code_abx(OpCode::LoadK, reg, e.info as u32);
            }
            ExpKind::KNum => {
                let k = self.number_k(e.nval);
                self.code_abx(OpCode::LoadK, reg, k);
            }
            ExpKind::Relocable => set_a(self.getcode(e), reg & MAXARG_A),
            ExpKind::NonReloc => {
                if reg != e.info as u32 {
                    self.code_abc(OpCode::Move, reg, e.info as u32, 0);
                }
            }
            _ => return, // Void or Jmp: nothing to do
        }
        e.info = reg as i32;
        e.k = ExpKind::NonReloc;
    }

    fn discharge2anyreg(&mut self, e: &mut ExpDesc) {
        if e.k != ExpKind::NonReloc {
            self.reserve_regs(1);
            let r = self.freereg - 1;
            self.discharge2reg(e, r);
        }
    }

    fn exp2reg(&mut self, e: &mut ExpDesc, reg: u32) {
        self.discharge2reg(e, reg);
        if e.k == ExpKind::Jmp {
            let mut t = e.t;
            self.concat(&mut t, e.info);
            e.t = t;
        }
        if e.has_jumps() {
            let mut p_f = NO_JUMP;
            let mut p_t = NO_JUMP;
            if self.need_value(e.t) || self.need_value(e.f) {
                let fj = if e.k == ExpKind::Jmp {
                    NO_JUMP
                } else {
                    self.jump()
                };
                p_f = self.code_label(reg, 0, 1);
                p_t = self.code_label(reg, 1, 0);
                self.patch_to_here(fj);
            }
            let fin = self.get_label();
            self.patch_list_aux(e.f, fin, reg, p_f);
            self.patch_list_aux(e.t, fin, reg, p_t);
        }
        e.f = NO_JUMP;
        e.t = NO_JUMP;
        e.info = reg as i32;
        e.k = ExpKind::NonReloc;
    }

    /// Puts the value in the next free register (`luaK_exp2nextreg`).
    pub fn exp2nextreg(&mut self, e: &mut ExpDesc) {
        self.discharge_vars(e);
        self.free_exp(e);
        self.reserve_regs(1);
        let r = self.freereg - 1;
        self.exp2reg(e, r);
    }

    /// Puts the value in some register and returns it (`luaK_exp2anyreg`).
    pub fn exp2anyreg(&mut self, e: &mut ExpDesc) -> u32 {
        self.discharge_vars(e);
        if e.k == ExpKind::NonReloc {
            if !e.has_jumps() {
                return e.info as u32;
            }
            if e.info as u32 >= self.nactvar {
                let r = e.info as u32;
                self.exp2reg(e, r);
                return r;
            }
        }
        self.exp2nextreg(e);
        e.info as u32
    }

    /// Makes the expression a value: in a register if it has jumps, else
    /// discharged (`luaK_exp2val`).
    pub fn exp2val(&mut self, e: &mut ExpDesc) {
        if e.has_jumps() {
            self.exp2anyreg(e);
        } else {
            self.discharge_vars(e);
        }
    }

    /// Returns an RK operand for the expression (`luaK_exp2RK`).
    pub fn exp2rk(&mut self, e: &mut ExpDesc) -> u32 {
        self.exp2val(e);
        match e.k {
            ExpKind::KNum | ExpKind::True | ExpKind::False | ExpKind::Nil
                if self.f.constants.len() as u32 <= MAXINDEXRK =>
            {
                e.info = match e.k {
                    ExpKind::Nil => self.nil_k(),
                    ExpKind::KNum => self.number_k(e.nval),
                    _ => self.bool_k(e.k == ExpKind::True),
                } as i32;
                e.k = ExpKind::K;
                return rk_as_k(e.info as u32);
            }
            ExpKind::K if e.info as u32 <= MAXINDEXRK => return rk_as_k(e.info as u32),
            _ => {}
        }
        self.exp2anyreg(e)
    }

    /// Stores `ex` into the variable `var` (`luaK_storevar`).
    pub fn store_var(&mut self, var: &ExpDesc, ex: &mut ExpDesc) {
        match var.k {
            ExpKind::Local => {
                self.free_exp(ex);
                self.exp2reg(ex, var.info as u32);
                return;
            }
            ExpKind::Upval => {
                let e = self.exp2anyreg(ex);
                self.code_abc(OpCode::SetUpval, e, var.info as u32, 0);
            }
            ExpKind::Global => {
                let e = self.exp2anyreg(ex);
                self.code_abx(OpCode::SetGlobal, e, var.info as u32);
            }
            ExpKind::Indexed => {
                let e = self.exp2rk(ex);
                self.code_abc(OpCode::SetTable, var.info as u32, var.aux as u32, e);
            }
            _ => {}
        }
        self.free_exp(ex);
    }

    /// `e:key` — loads the method and the receiver into two fresh registers
    /// (`luaK_self`).
    pub fn self_(&mut self, e: &mut ExpDesc, key: &mut ExpDesc) {
        self.exp2anyreg(e);
        self.free_exp(e);
        let func = self.freereg;
        self.reserve_regs(2);
        let k = self.exp2rk(key);
        self.code_abc(OpCode::OpSelf, func, e.info as u32, k);
        self.free_exp(key);
        e.info = func as i32;
        e.k = ExpKind::NonReloc;
    }

    fn invert_jump(&mut self, e: &ExpDesc) {
        let ctl = self.jump_control(e.info);
        let i = &mut self.f.code[ctl];
        let a = get_a(*i);
        set_a(i, (a == 0) as u32);
    }

    fn jump_on_cond(&mut self, e: &mut ExpDesc, cond: bool) -> i32 {
        if e.k == ExpKind::Relocable {
            let ie = *self.getcode(e);
            if get_op(ie) == OpCode::Not as u8 {
                self.f.code.pop(); // remove the NOT: test its operand instead
                self.f.line_info.pop();
                return self.cond_jump(OpCode::Test, get_b(ie), 0, (!cond) as u32);
            }
        }
        self.discharge2anyreg(e);
        self.free_exp(e);
        self.cond_jump(OpCode::TestSet, NO_REG, e.info as u32, cond as u32)
    }

    /// Falls through when `e` is true, jumps (list `e.f`) when false
    /// (`luaK_goiftrue`). As in 5.1.5, a constant `false` is tested at run time
    /// (5.1.5 dropped the "always jump" shortcut of earlier releases).
    pub fn go_if_true(&mut self, e: &mut ExpDesc) {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::K | ExpKind::KNum | ExpKind::True => NO_JUMP,
            ExpKind::Jmp => {
                self.invert_jump(e);
                e.info
            }
            _ => self.jump_on_cond(e, false),
        };
        let mut f = e.f;
        self.concat(&mut f, pc);
        e.f = f;
        self.patch_to_here(e.t);
        e.t = NO_JUMP;
    }

    fn go_if_false(&mut self, e: &mut ExpDesc) {
        self.discharge_vars(e);
        let pc = match e.k {
            ExpKind::Nil | ExpKind::False => NO_JUMP,
            ExpKind::Jmp => e.info,
            _ => self.jump_on_cond(e, true),
        };
        let mut t = e.t;
        self.concat(&mut t, pc);
        e.t = t;
        self.patch_to_here(e.f);
        e.f = NO_JUMP;
    }

    fn code_not(&mut self, e: &mut ExpDesc) {
        self.discharge_vars(e);
        match e.k {
            ExpKind::Nil | ExpKind::False => e.k = ExpKind::True,
            ExpKind::K | ExpKind::KNum | ExpKind::True => e.k = ExpKind::False,
            ExpKind::Jmp => self.invert_jump(e),
            ExpKind::Relocable | ExpKind::NonReloc => {
                self.discharge2anyreg(e);
                self.free_exp(e);
                e.info = self.code_abc(OpCode::Not, 0, e.info as u32, 0);
                e.k = ExpKind::Relocable;
            }
            _ => {}
        }
        std::mem::swap(&mut e.f, &mut e.t);
        self.remove_values(e.f);
        self.remove_values(e.t);
    }

    /// Turns `t` into the indexed expression `t[k]` (`luaK_indexed`).
    pub fn indexed(&mut self, t: &mut ExpDesc, k: &mut ExpDesc) {
        t.aux = self.exp2rk(k) as i32;
        t.k = ExpKind::Indexed;
    }

    fn code_arith(&mut self, op: OpCode, e1: &mut ExpDesc, e2: &mut ExpDesc) {
        if const_folding(op, e1, e2) {
            return;
        }
        let o2 = if op != OpCode::Unm && op != OpCode::Len {
            self.exp2rk(e2)
        } else {
            0
        };
        let o1 = self.exp2rk(e1);
        if o1 > o2 {
            self.free_exp(e1);
            self.free_exp(e2);
        } else {
            self.free_exp(e2);
            self.free_exp(e1);
        }
        e1.info = self.code_abc(op, 0, o1, o2);
        e1.k = ExpKind::Relocable;
    }

    fn code_comp(&mut self, op: OpCode, cond: bool, e1: &mut ExpDesc, e2: &mut ExpDesc) {
        let mut o1 = self.exp2rk(e1);
        let mut o2 = self.exp2rk(e2);
        self.free_exp(e2);
        self.free_exp(e1);
        let mut cond = cond;
        if !cond && op != OpCode::Eq {
            // `a > b` is coded as `b < a`
            std::mem::swap(&mut o1, &mut o2);
            cond = true;
        }
        e1.info = self.cond_jump(op, cond as u32, o1, o2);
        e1.k = ExpKind::Jmp;
    }

    /// Applies a unary operator (`luaK_prefix`).
    pub fn prefix(&mut self, op: UnOpr, e: &mut ExpDesc) {
        let mut e2 = ExpDesc::num(0.0);
        match op {
            UnOpr::Minus => {
                if !e.is_numeral() {
                    self.exp2anyreg(e);
                }
                self.code_arith(OpCode::Unm, e, &mut e2);
            }
            UnOpr::Not => self.code_not(e),
            UnOpr::Len => {
                self.exp2anyreg(e);
                self.code_arith(OpCode::Len, e, &mut e2);
            }
        }
    }

    /// Prepares the left operand before the right one is read (`luaK_infix`).
    pub fn infix(&mut self, op: BinOpr, v: &mut ExpDesc) {
        match op {
            BinOpr::And => self.go_if_true(v),
            BinOpr::Or => self.go_if_false(v),
            BinOpr::Concat => self.exp2nextreg(v),
            BinOpr::Add | BinOpr::Sub | BinOpr::Mul | BinOpr::Div | BinOpr::Mod | BinOpr::Pow => {
                if !v.is_numeral() {
                    self.exp2rk(v);
                }
            }
            _ => {
                self.exp2rk(v);
            }
        }
    }

    /// Combines both operands (`luaK_posfix`).
    pub fn posfix(&mut self, op: BinOpr, e1: &mut ExpDesc, e2: &mut ExpDesc) {
        match op {
            BinOpr::And => {
                self.discharge_vars(e2);
                let mut f = e2.f;
                self.concat(&mut f, e1.f);
                e2.f = f;
                *e1 = *e2;
            }
            BinOpr::Or => {
                self.discharge_vars(e2);
                let mut t = e2.t;
                self.concat(&mut t, e1.t);
                e2.t = t;
                *e1 = *e2;
            }
            BinOpr::Concat => {
                self.exp2val(e2);
                if e2.k == ExpKind::Relocable && get_op(*self.getcode(e2)) == OpCode::Concat as u8 {
                    self.free_exp(e1);
                    set_b(self.getcode(e2), e1.info as u32);
                    e1.k = ExpKind::Relocable;
                    e1.info = e2.info;
                } else {
                    self.exp2nextreg(e2);
                    self.code_arith(OpCode::Concat, e1, e2);
                }
            }
            BinOpr::Add => self.code_arith(OpCode::Add, e1, e2),
            BinOpr::Sub => self.code_arith(OpCode::Sub, e1, e2),
            BinOpr::Mul => self.code_arith(OpCode::Mul, e1, e2),
            BinOpr::Div => self.code_arith(OpCode::Div, e1, e2),
            BinOpr::Mod => self.code_arith(OpCode::Mod, e1, e2),
            BinOpr::Pow => self.code_arith(OpCode::Pow, e1, e2),
            BinOpr::Eq => self.code_comp(OpCode::Eq, true, e1, e2),
            BinOpr::Ne => self.code_comp(OpCode::Eq, false, e1, e2),
            BinOpr::Lt => self.code_comp(OpCode::Lt, true, e1, e2),
            BinOpr::Le => self.code_comp(OpCode::Le, true, e1, e2),
            BinOpr::Gt => self.code_comp(OpCode::Lt, false, e1, e2),
            BinOpr::Ge => self.code_comp(OpCode::Le, false, e1, e2),
        }
    }

    /// Emits a SETLIST storing `tostore` items (or up to top) as items
    /// `nelems-tostore+1..nelems` of the table in `base` (`luaK_setlist`).
    pub fn set_list(&mut self, base: u32, nelems: i32, tostore: i32) {
        let c = ((nelems - 1) / LFIELDS_PER_FLUSH as i32 + 1) as u32;
        let b = if tostore == LUA_MULTRET {
            0
        } else {
            tostore as u32
        };
        if c <= MAXARG_C {
            self.code_abc(OpCode::SetList, base, b, c);
        } else {
            // C = 0: the batch number is the next "instruction"
            self.code_abc(OpCode::SetList, base, b, 0);
            let line = self.line;
            self.code(c, line);
        }
        self.freereg = base + 1;
    }

    // ----- locals ------------------------------------------------------------

    /// The `loc_vars` entry of active local `i`.
    pub fn loc_var(&mut self, i: u32) -> &mut LocVar {
        let idx = self.actvar[i as usize] as usize;
        &mut self.f.loc_vars[idx]
    }
}

/// Folds `op` over two numerals into `e1` as 5.1 does; false (no folding) when an
/// operand is not a numeral, the divisor is zero, or the result is NaN.
fn const_folding(op: OpCode, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
    if !e1.is_numeral() || !e2.is_numeral() {
        return false;
    }
    let (v1, v2) = (e1.nval, e2.nval);
    let r = match op {
        OpCode::Add => v1 + v2,
        OpCode::Sub => v1 - v2,
        OpCode::Mul => v1 * v2,
        OpCode::Div => {
            if v2 == 0.0 {
                return false;
            }
            v1 / v2
        }
        OpCode::Mod => {
            if v2 == 0.0 {
                return false;
            }
            v1 - (v1 / v2).floor() * v2
        }
        OpCode::Pow => v1.powf(v2),
        OpCode::Unm => -v1,
        _ => return false,
    };
    if r.is_nan() {
        return false;
    }
    e1.nval = r;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int2fb_matches_lua() {
        // values checked against luac5.1 NEWTABLE operands
        assert_eq!(int2fb(0), 0);
        assert_eq!(int2fb(7), 7);
        assert_eq!(int2fb(8), 8);
        assert_eq!(int2fb(15), 15);
        assert_eq!(int2fb(16), 16);
        assert_eq!(int2fb(17), 17);
        assert_eq!(int2fb(100), 37);
    }

    #[test]
    fn folding_rules() {
        let mut a = ExpDesc::num(7.0);
        assert!(const_folding(OpCode::Mod, &mut a, &ExpDesc::num(-3.0)));
        assert_eq!(a.nval, -2.0);
        let mut b = ExpDesc::num(1.0);
        assert!(!const_folding(OpCode::Div, &mut b, &ExpDesc::num(0.0)));
        let mut c = ExpDesc::num(-1.0);
        assert!(!const_folding(OpCode::Pow, &mut c, &ExpDesc::num(0.5)));
        let mut d = ExpDesc::num(2.0);
        assert!(const_folding(OpCode::Pow, &mut d, &ExpDesc::num(10.0)));
        assert_eq!(d.nval, 1024.0);
    }

    #[test]
    fn constant_hash_spreads_numbers() {
        // numbers like 123.5 differ only in their high bits; the low bits of the
        // hash (which pick the bucket) must still differ, or the cache goes quadratic
        use std::hash::{BuildHasher, BuildHasherDefault};
        let b = BuildHasherDefault::<KHasher>::default();
        let mut low = std::collections::HashSet::new();
        for i in 0..4096 {
            low.insert(b.hash_one((i as f64 + 0.5).to_bits()) & 0xfff);
        }
        assert!(low.len() > 2000, "{}", low.len());
    }

    #[test]
    fn nil_merging() {
        let mut fs = FuncState::new(b"=t", 1);
        fs.nactvar = 3;
        fs.nil(0, 1);
        fs.nil(1, 2);
        assert_eq!(fs.f.code.len(), 1);
        assert_eq!(get_b(fs.f.code[0]), 2);
        // at function start, registers past the active locals are already nil
        let mut g = FuncState::new(b"=t", 1);
        g.nil(0, 2);
        assert!(g.f.code.is_empty());
    }
}
