//! Expression code generation (part of the code generator, Lua's `lcode.c`):
//! discharging expression descriptors into registers, RK operands or jumps,
//! storing to variables, logical operators through jump lists, arithmetic with
//! 5.1's constant folding, comparisons, concatenation chains and SETLIST.

use super::super::opcode::*;
use super::{BinOpr, ExpDesc, ExpKind, FuncState, UnOpr, LUA_MULTRET, NO_JUMP, NO_REG};

impl FuncState {
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
}

/// Folds `op` over two numerals into `e1` as 5.1 does; false (no folding) when an
/// operand is not a numeral, the divisor is zero, or the result is NaN.
pub(super) fn const_folding(op: OpCode, e1: &mut ExpDesc, e2: &ExpDesc) -> bool {
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
