//! The instruction set: Lua 5.1's 38 opcodes and its 32-bit instruction encoding.
//!
//! An instruction is a `u32` laid out exactly as in PUC-Rio Lua 5.1, so a listing
//! reads like `luac -l`:
//!
//! ```text
//!  31        23        14       6      0
//!  |    B    |    C    |   A    |  OP  |   iABC
//!  |       Bx          |   A    |  OP  |   iABx   (Bx unsigned, 18 bits)
//!  |       sBx         |   A    |  OP  |   iAsBx  (sBx = Bx - MAXARG_SBX)
//! ```
//!
//! Notation in the one-line descriptions below: `R(x)` is register x of the current
//! frame, `Kst(x)` constant x, `RK(x)` is `Kst(x - 256)` when x has bit 8 set and
//! `R(x)` otherwise, `UpValue[x]` the closure's upvalue x, `Gbl[k]` the function's
//! environment table, `pc` the next instruction.

/// Lua 5.1 opcodes, in their 5.1 numbering.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpCode {
    /// `R(A) := R(B)`
    Move = 0,
    /// `R(A) := Kst(Bx)`
    LoadK,
    /// `R(A) := (Bool)B; if (C) pc++`
    LoadBool,
    /// `R(A) := ... := R(B) := nil`
    LoadNil,
    /// `R(A) := UpValue[B]`
    GetUpval,
    /// `R(A) := Gbl[Kst(Bx)]`
    GetGlobal,
    /// `R(A) := R(B)[RK(C)]`
    GetTable,
    /// `Gbl[Kst(Bx)] := R(A)`
    SetGlobal,
    /// `UpValue[B] := R(A)`
    SetUpval,
    /// `R(A)[RK(B)] := RK(C)`
    SetTable,
    /// `R(A) := {}` with array size hint B and hash size hint C (both "floating point bytes")
    NewTable,
    /// `R(A+1) := R(B); R(A) := R(B)[RK(C)]`
    OpSelf,
    /// `R(A) := RK(B) + RK(C)`
    Add,
    /// `R(A) := RK(B) - RK(C)`
    Sub,
    /// `R(A) := RK(B) * RK(C)`
    Mul,
    /// `R(A) := RK(B) / RK(C)`
    Div,
    /// `R(A) := RK(B) % RK(C)`
    Mod,
    /// `R(A) := RK(B) ^ RK(C)`
    Pow,
    /// `R(A) := -R(B)`
    Unm,
    /// `R(A) := not R(B)`
    Not,
    /// `R(A) := length of R(B)`
    Len,
    /// `R(A) := R(B) .. ... .. R(C)`
    Concat,
    /// `pc += sBx`
    Jmp,
    /// `if ((RK(B) == RK(C)) ~= A) then pc++`
    Eq,
    /// `if ((RK(B) <  RK(C)) ~= A) then pc++`
    Lt,
    /// `if ((RK(B) <= RK(C)) ~= A) then pc++`
    Le,
    /// `if not (R(A) <=> C) then pc++`
    Test,
    /// `if (R(B) <=> C) then R(A) := R(B) else pc++`
    TestSet,
    /// `R(A), ... ,R(A+C-2) := R(A)(R(A+1), ... ,R(A+B-1))`
    Call,
    /// `return R(A)(R(A+1), ... ,R(A+B-1))`
    TailCall,
    /// `return R(A), ... ,R(A+B-2)`
    Return,
    /// `R(A) += R(A+2); if R(A) <?= R(A+1) then { pc += sBx; R(A+3) := R(A) }`
    ForLoop,
    /// `R(A) -= R(A+2); pc += sBx`
    ForPrep,
    /// `R(A+3), ... ,R(A+2+C) := R(A)(R(A+1), R(A+2)); if R(A+3) ~= nil then R(A+2) := R(A+3) else pc++`
    TForLoop,
    /// `R(A)[(C-1)*FPF+i] := R(A+i), 1 <= i <= B`
    SetList,
    /// close all upvalues of registers `>= R(A)`
    Close,
    /// `R(A) := closure(KPROTO[Bx], R(A), ... ,R(A+n))`
    Closure,
    /// `R(A), R(A+1), ..., R(A+B-1) = vararg`
    VarArg,
}

/// Number of opcodes.
pub const NUM_OPCODES: usize = 38;

/// Operand layout of an instruction (named as in lopcodes.h).
#[allow(clippy::upper_case_acronyms)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpMode {
    ABC,
    ABx,
    AsBx,
}

pub const SIZE_OP: u32 = 6;
pub const SIZE_A: u32 = 8;
pub const SIZE_B: u32 = 9;
pub const SIZE_C: u32 = 9;
pub const SIZE_BX: u32 = SIZE_B + SIZE_C;
pub const POS_OP: u32 = 0;
pub const POS_A: u32 = POS_OP + SIZE_OP;
pub const POS_C: u32 = POS_A + SIZE_A;
pub const POS_B: u32 = POS_C + SIZE_C;
pub const POS_BX: u32 = POS_C;

pub const MAXARG_A: u32 = (1 << SIZE_A) - 1;
pub const MAXARG_B: u32 = (1 << SIZE_B) - 1;
pub const MAXARG_C: u32 = (1 << SIZE_C) - 1;
pub const MAXARG_BX: u32 = (1 << SIZE_BX) - 1;
pub const MAXARG_SBX: i32 = (MAXARG_BX >> 1) as i32;

/// Bit 8 of a B or C operand marks a constant index (see `RK` above).
pub const BITRK: u32 = 1 << (SIZE_B - 1);
/// Largest constant index that fits in an RK operand.
pub const MAXINDEXRK: u32 = BITRK - 1;
/// Array items a SETLIST flushes at a time ("fields per flush").
pub const LFIELDS_PER_FLUSH: u32 = 50;

/// True when the RK operand `x` names a constant.
#[inline(always)]
pub fn is_k(x: u32) -> bool {
    x & BITRK != 0
}
/// The constant index held in the RK operand `x`.
#[inline(always)]
pub fn index_k(x: u32) -> u32 {
    x & !BITRK
}
/// The RK operand naming constant `k`.
#[inline(always)]
pub fn rk_as_k(k: u32) -> u32 {
    k | BITRK
}

#[inline(always)]
pub fn get_op(i: u32) -> u8 {
    (i & 0x3f) as u8
}
#[inline(always)]
pub fn get_a(i: u32) -> u32 {
    (i >> POS_A) & MAXARG_A
}
#[inline(always)]
pub fn get_b(i: u32) -> u32 {
    (i >> POS_B) & MAXARG_B
}
#[inline(always)]
pub fn get_c(i: u32) -> u32 {
    (i >> POS_C) & MAXARG_C
}
#[inline(always)]
pub fn get_bx(i: u32) -> u32 {
    i >> POS_BX
}
#[inline(always)]
pub fn get_sbx(i: u32) -> i32 {
    get_bx(i) as i32 - MAXARG_SBX
}

pub fn create_abc(op: OpCode, a: u32, b: u32, c: u32) -> u32 {
    (op as u32) | (a << POS_A) | (b << POS_B) | (c << POS_C)
}
pub fn create_abx(op: OpCode, a: u32, bx: u32) -> u32 {
    (op as u32) | (a << POS_A) | (bx << POS_BX)
}
#[cfg(test)]
pub fn create_asbx(op: OpCode, a: u32, sbx: i32) -> u32 {
    create_abx(op, a, (sbx + MAXARG_SBX) as u32)
}
pub fn set_a(i: &mut u32, a: u32) {
    *i = (*i & !(MAXARG_A << POS_A)) | (a << POS_A);
}
pub fn set_b(i: &mut u32, b: u32) {
    *i = (*i & !(MAXARG_B << POS_B)) | (b << POS_B);
}
pub fn set_c(i: &mut u32, c: u32) {
    *i = (*i & !(MAXARG_C << POS_C)) | (c << POS_C);
}
pub fn set_bx(i: &mut u32, bx: u32) {
    *i = (*i & !(MAXARG_BX << POS_BX)) | (bx << POS_BX);
}
pub fn set_sbx(i: &mut u32, sbx: i32) {
    set_bx(i, (sbx + MAXARG_SBX) as u32);
}

impl OpCode {
    /// All opcodes in numbering order.
    pub const ALL: [OpCode; NUM_OPCODES] = [
        OpCode::Move,
        OpCode::LoadK,
        OpCode::LoadBool,
        OpCode::LoadNil,
        OpCode::GetUpval,
        OpCode::GetGlobal,
        OpCode::GetTable,
        OpCode::SetGlobal,
        OpCode::SetUpval,
        OpCode::SetTable,
        OpCode::NewTable,
        OpCode::OpSelf,
        OpCode::Add,
        OpCode::Sub,
        OpCode::Mul,
        OpCode::Div,
        OpCode::Mod,
        OpCode::Pow,
        OpCode::Unm,
        OpCode::Not,
        OpCode::Len,
        OpCode::Concat,
        OpCode::Jmp,
        OpCode::Eq,
        OpCode::Lt,
        OpCode::Le,
        OpCode::Test,
        OpCode::TestSet,
        OpCode::Call,
        OpCode::TailCall,
        OpCode::Return,
        OpCode::ForLoop,
        OpCode::ForPrep,
        OpCode::TForLoop,
        OpCode::SetList,
        OpCode::Close,
        OpCode::Closure,
        OpCode::VarArg,
    ];

    /// The opcode of instruction `i`, or `None` for a number outside 0..38
    /// (only possible in a corrupt binary chunk).
    #[inline(always)]
    pub fn of(i: u32) -> Option<OpCode> {
        OpCode::ALL.get(get_op(i) as usize).copied()
    }

    /// The upper-case name `luac -l` prints.
    pub fn name(self) -> &'static str {
        match self {
            OpCode::Move => "MOVE",
            OpCode::LoadK => "LOADK",
            OpCode::LoadBool => "LOADBOOL",
            OpCode::LoadNil => "LOADNIL",
            OpCode::GetUpval => "GETUPVAL",
            OpCode::GetGlobal => "GETGLOBAL",
            OpCode::GetTable => "GETTABLE",
            OpCode::SetGlobal => "SETGLOBAL",
            OpCode::SetUpval => "SETUPVAL",
            OpCode::SetTable => "SETTABLE",
            OpCode::NewTable => "NEWTABLE",
            OpCode::OpSelf => "SELF",
            OpCode::Add => "ADD",
            OpCode::Sub => "SUB",
            OpCode::Mul => "MUL",
            OpCode::Div => "DIV",
            OpCode::Mod => "MOD",
            OpCode::Pow => "POW",
            OpCode::Unm => "UNM",
            OpCode::Not => "NOT",
            OpCode::Len => "LEN",
            OpCode::Concat => "CONCAT",
            OpCode::Jmp => "JMP",
            OpCode::Eq => "EQ",
            OpCode::Lt => "LT",
            OpCode::Le => "LE",
            OpCode::Test => "TEST",
            OpCode::TestSet => "TESTSET",
            OpCode::Call => "CALL",
            OpCode::TailCall => "TAILCALL",
            OpCode::Return => "RETURN",
            OpCode::ForLoop => "FORLOOP",
            OpCode::ForPrep => "FORPREP",
            OpCode::TForLoop => "TFORLOOP",
            OpCode::SetList => "SETLIST",
            OpCode::Close => "CLOSE",
            OpCode::Closure => "CLOSURE",
            OpCode::VarArg => "VARARG",
        }
    }

    /// The operand layout.
    pub fn mode(self) -> OpMode {
        match self {
            OpCode::LoadK | OpCode::GetGlobal | OpCode::SetGlobal | OpCode::Closure => OpMode::ABx,
            OpCode::Jmp | OpCode::ForLoop | OpCode::ForPrep => OpMode::AsBx,
            _ => OpMode::ABC,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_round_trip() {
        let i = create_abc(OpCode::Call, 3, 2, 1);
        assert_eq!(OpCode::of(i), Some(OpCode::Call));
        assert_eq!((get_a(i), get_b(i), get_c(i)), (3, 2, 1));
        let j = create_asbx(OpCode::Jmp, 0, -5);
        assert_eq!(get_sbx(j), -5);
        let k = create_abx(OpCode::LoadK, 255, MAXARG_BX);
        assert_eq!((get_a(k), get_bx(k)), (255, MAXARG_BX));
        let mut m = create_abc(OpCode::Add, 1, rk_as_k(7), 2);
        assert!(is_k(get_b(m)) && index_k(get_b(m)) == 7 && !is_k(get_c(m)));
        set_c(&mut m, 9);
        assert_eq!(get_c(m), 9);
    }

    #[test]
    fn numbering_matches_lua_5_1() {
        for (n, op) in OpCode::ALL.iter().enumerate() {
            assert_eq!(*op as usize, n);
        }
        assert_eq!(OpCode::VarArg as u8, 37);
        assert_eq!(OpCode::Jmp as u8, 22);
    }
}
