//! Expressions (part of the parser, Lua's `lparser.c`): primary and simple
//! expressions, operators by priority, table constructors, function bodies and
//! call arguments. Each method reads one grammar rule, shown above it, and leaves
//! an expression descriptor for the code generator.

use super::super::code::*;
use super::super::lex::Token;
use super::super::opcode::*;
use super::super::proto::{VARARG_HASARG, VARARG_ISVARARG, VARARG_NEEDSARG};
use super::{PResult, Parser};

/// Unary operator of a token.
fn unopr(t: Token) -> Option<UnOpr> {
    match t {
        Token::Not => Some(UnOpr::Not),
        Token::Char(b'-') => Some(UnOpr::Minus),
        Token::Char(b'#') => Some(UnOpr::Len),
        _ => None,
    }
}

/// Binary operator of a token.
fn binopr(t: Token) -> Option<BinOpr> {
    Some(match t {
        Token::Char(b'+') => BinOpr::Add,
        Token::Char(b'-') => BinOpr::Sub,
        Token::Char(b'*') => BinOpr::Mul,
        Token::Char(b'/') => BinOpr::Div,
        Token::Char(b'%') => BinOpr::Mod,
        Token::Char(b'^') => BinOpr::Pow,
        Token::Concat => BinOpr::Concat,
        Token::Ne => BinOpr::Ne,
        Token::Eq => BinOpr::Eq,
        Token::Char(b'<') => BinOpr::Lt,
        Token::Le => BinOpr::Le,
        Token::Char(b'>') => BinOpr::Gt,
        Token::Ge => BinOpr::Ge,
        Token::And => BinOpr::And,
        Token::Or => BinOpr::Or,
        _ => return None,
    })
}

/// Left and right priorities of a binary operator (right < left: right
/// associative).
fn priority(op: BinOpr) -> (u32, u32) {
    match op {
        BinOpr::Add | BinOpr::Sub => (6, 6),
        BinOpr::Mul | BinOpr::Div | BinOpr::Mod => (7, 7),
        BinOpr::Pow => (10, 9),
        BinOpr::Concat => (5, 4),
        BinOpr::Ne | BinOpr::Eq | BinOpr::Lt | BinOpr::Le | BinOpr::Gt | BinOpr::Ge => (3, 3),
        BinOpr::And => (2, 2),
        BinOpr::Or => (1, 1),
    }
}

/// Priority of unary operators.
const UNARY_PRIORITY: u32 = 8;

/// Table constructor state (`ConsControl`).
struct ConsControl {
    /// Last list item read, not yet stored in a register.
    v: ExpDesc,
    /// Register of the table.
    table: u32,
    /// Hash items.
    nh: i32,
    /// Array items.
    na: i32,
    /// Array items pending a SETLIST.
    tostore: i32,
}

impl<'a> Parser<'a> {
    // ----- expressions -----------------------------------------------------

    /// field -> ['.' | ':'] NAME
    pub(super) fn field(&mut self, v: &mut ExpDesc) -> PResult<()> {
        self.fs.exp2anyreg(v);
        self.next()?; // skip the dot or colon
        let mut key = self.checkname()?;
        self.fs.indexed(v, &mut key);
        Ok(())
    }

    /// index -> '[' expr ']'
    pub(super) fn yindex(&mut self) -> PResult<ExpDesc> {
        self.next()?; // skip the '['
        let mut v = self.expr()?;
        self.fs.exp2val(&mut v);
        self.check_next(Token::Char(b']'))?;
        Ok(v)
    }

    /// recfield -> (NAME | '[' exp1 ']') = exp1
    fn recfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        let reg = self.fs.freereg;
        let mut key = if self.tok() == Token::Name {
            self.checkname()?
        } else {
            self.yindex()?
        };
        cc.nh += 1;
        self.check_next(Token::Char(b'='))?;
        let rkkey = self.fs.exp2rk(&mut key);
        let mut val = self.expr()?;
        let rkval = self.fs.exp2rk(&mut val);
        self.fs.code_abc(OpCode::SetTable, cc.table, rkkey, rkval);
        self.fs.freereg = reg;
        Ok(())
    }

    fn close_listfield(&mut self, cc: &mut ConsControl) {
        if cc.v.k == ExpKind::Void {
            return;
        }
        self.fs.exp2nextreg(&mut cc.v);
        cc.v.k = ExpKind::Void;
        if cc.tostore == LFIELDS_PER_FLUSH as i32 {
            self.fs.set_list(cc.table, cc.na, cc.tostore);
            cc.tostore = 0;
        }
    }

    fn last_listfield(&mut self, cc: &mut ConsControl) {
        if cc.tostore == 0 {
            return;
        }
        if cc.v.has_multret() {
            self.fs.set_multret(&cc.v);
            self.fs.set_list(cc.table, cc.na, LUA_MULTRET);
            cc.na -= 1; // the open item does not count in the size hint
        } else {
            if cc.v.k != ExpKind::Void {
                self.fs.exp2nextreg(&mut cc.v);
            }
            self.fs.set_list(cc.table, cc.na, cc.tostore);
        }
    }

    /// listfield -> expr
    fn listfield(&mut self, cc: &mut ConsControl) -> PResult<()> {
        cc.v = self.expr()?;
        cc.na += 1;
        cc.tostore += 1;
        Ok(())
    }

    /// constructor -> '{' [ field { fieldsep field } [ fieldsep ] ] '}'
    /// field -> listfield | recfield
    /// fieldsep -> ',' | ';'
    pub(super) fn constructor(&mut self) -> PResult<ExpDesc> {
        let line = self.lx.linenumber;
        let pc = self.fs.code_abc(OpCode::NewTable, 0, 0, 0);
        let mut t = ExpDesc::new(ExpKind::Relocable, pc);
        self.fs.exp2nextreg(&mut t); // fix it at stack top
        let mut cc = ConsControl {
            v: ExpDesc::new(ExpKind::Void, 0),
            table: t.info as u32,
            nh: 0,
            na: 0,
            tostore: 0,
        };
        self.check_next(Token::Char(b'{'))?;
        loop {
            if self.tok() == Token::Char(b'}') {
                break;
            }
            self.close_listfield(&mut cc);
            match self.tok() {
                Token::Name => {
                    if self.lookahead()? != Token::Char(b'=') {
                        self.listfield(&mut cc)?;
                    } else {
                        self.recfield(&mut cc)?;
                    }
                }
                Token::Char(b'[') => self.recfield(&mut cc)?,
                _ => self.listfield(&mut cc)?,
            }
            if !(self.test_next(Token::Char(b','))? || self.test_next(Token::Char(b';'))?) {
                break;
            }
        }
        self.check_match(Token::Char(b'}'), Token::Char(b'{'), line)?;
        self.last_listfield(&mut cc);
        let code = &mut self.fs.f.code[pc as usize];
        set_b(code, int2fb(cc.na.max(0) as u32) & MAXARG_B);
        set_c(code, int2fb(cc.nh as u32) & MAXARG_C);
        Ok(t)
    }

    /// parlist -> [ param { ',' param } ]
    /// param -> NAME | '...'
    pub(super) fn parlist(&mut self) -> PResult<()> {
        let mut nparams = 0;
        self.fs.f.is_vararg = 0;
        if self.tok() != Token::Char(b')') {
            loop {
                match self.tok() {
                    Token::Name => {
                        let name = self.str_checkname()?;
                        self.new_localvar(name, nparams)?;
                        nparams += 1;
                    }
                    Token::Dots => {
                        self.next()?;
                        // 5.1 compatibility: the `arg` table of the varargs
                        self.new_localvar(b"arg".to_vec(), nparams)?;
                        nparams += 1;
                        self.fs.f.is_vararg = VARARG_HASARG | VARARG_NEEDSARG | VARARG_ISVARARG;
                    }
                    _ => return Err(self.lx.syntax_error("<name> or '...' expected")),
                }
                if self.fs.f.is_vararg != 0 || !self.test_next(Token::Char(b','))? {
                    break;
                }
            }
        }
        self.adjust_localvars(nparams);
        let fs = &mut self.fs;
        fs.f.num_params = (fs.nactvar - (fs.f.is_vararg & VARARG_HASARG) as u32) as u8;
        let n = fs.nactvar;
        fs.reserve_regs(n);
        Ok(())
    }

    /// body -> '(' parlist ')' chunk END
    pub(super) fn body(&mut self, needself: bool, line: u32) -> PResult<ExpDesc> {
        self.open_func(line);
        self.check_next(Token::Char(b'('))?;
        if needself {
            self.new_localvar(b"self".to_vec(), 0)?;
            self.adjust_localvars(1);
        }
        self.parlist()?;
        self.check_next(Token::Char(b')'))?;
        self.chunk()?;
        self.fs.f.last_line_defined = self.lx.linenumber;
        self.check_match(Token::End, Token::Function, line)?;
        self.close_nested()
    }

    /// explist1 -> expr { ',' expr }
    pub(super) fn explist1(&mut self, v: &mut ExpDesc) -> PResult<i32> {
        let mut n = 1;
        *v = self.expr()?;
        while self.test_next(Token::Char(b','))? {
            self.fs.exp2nextreg(v);
            *v = self.expr()?;
            n += 1;
        }
        Ok(n)
    }

    /// funcargs -> '(' [ explist1 ] ')' | constructor | STRING
    pub(super) fn funcargs(&mut self, f: &mut ExpDesc) -> PResult<()> {
        let line = self.lx.linenumber;
        let mut args;
        match self.tok() {
            Token::Char(b'(') => {
                if line != self.lx.lastline {
                    return Err(self
                        .lx
                        .syntax_error("ambiguous syntax (function call x new statement)"));
                }
                self.next()?;
                if self.tok() == Token::Char(b')') {
                    args = ExpDesc::new(ExpKind::Void, 0);
                } else {
                    args = ExpDesc::new(ExpKind::Void, 0);
                    self.explist1(&mut args)?;
                    self.fs.set_multret(&args);
                }
                self.check_match(Token::Char(b')'), Token::Char(b'('), line)?;
            }
            Token::Char(b'{') => {
                args = self.constructor()?;
            }
            Token::String => {
                args = self.current_text_k();
                self.next()?;
            }
            _ => return Err(self.lx.syntax_error("function arguments expected")),
        }
        let base = f.info as u32;
        let nparams: i32 = if args.has_multret() {
            LUA_MULTRET
        } else {
            if args.k != ExpKind::Void {
                self.fs.exp2nextreg(&mut args);
            }
            self.fs.freereg as i32 - (base as i32 + 1)
        };
        let pc = self
            .fs
            .code_abc(OpCode::Call, base, (nparams + 1) as u32, 2);
        *f = ExpDesc::new(ExpKind::Call, pc);
        self.fs.fix_line(line);
        self.fs.freereg = base + 1;
        Ok(())
    }

    /// prefixexp -> NAME | '(' expr ')'
    pub(super) fn prefixexp(&mut self) -> PResult<ExpDesc> {
        match self.tok() {
            Token::Char(b'(') => {
                let line = self.lx.linenumber;
                self.next()?;
                let mut v = self.expr()?;
                self.check_match(Token::Char(b')'), Token::Char(b'('), line)?;
                self.fs.discharge_vars(&mut v);
                Ok(v)
            }
            Token::Name => self.single_var(),
            _ => Err(self.lx.syntax_error("unexpected symbol")),
        }
    }

    /// primaryexp -> prefixexp { '.' NAME | '[' exp ']' | ':' NAME funcargs | funcargs }
    pub(super) fn primaryexp(&mut self) -> PResult<ExpDesc> {
        let mut v = self.prefixexp()?;
        loop {
            match self.tok() {
                Token::Char(b'.') => self.field(&mut v)?,
                Token::Char(b'[') => {
                    self.fs.exp2anyreg(&mut v);
                    let mut key = self.yindex()?;
                    self.fs.indexed(&mut v, &mut key);
                }
                Token::Char(b':') => {
                    self.next()?;
                    let mut key = self.checkname()?;
                    self.fs.self_(&mut v, &mut key);
                    self.funcargs(&mut v)?;
                }
                Token::Char(b'(') | Token::String | Token::Char(b'{') => {
                    self.fs.exp2nextreg(&mut v);
                    self.funcargs(&mut v)?;
                }
                _ => return Ok(v),
            }
        }
    }

    /// simpleexp -> NUMBER | STRING | NIL | true | false | ... |
    ///              constructor | FUNCTION body | primaryexp
    pub(super) fn simpleexp(&mut self) -> PResult<ExpDesc> {
        let v = match self.tok() {
            Token::Number => ExpDesc::num(self.lx.t.num),
            Token::String => self.current_text_k(),
            Token::Nil => ExpDesc::new(ExpKind::Nil, 0),
            Token::True => ExpDesc::new(ExpKind::True, 0),
            Token::False => ExpDesc::new(ExpKind::False, 0),
            Token::Dots => {
                if self.fs.f.is_vararg == 0 {
                    return Err(self
                        .lx
                        .syntax_error("cannot use '...' outside a vararg function"));
                }
                self.fs.f.is_vararg &= !VARARG_NEEDSARG; // `arg` is not needed
                let pc = self.fs.code_abc(OpCode::VarArg, 0, 1, 0);
                ExpDesc::new(ExpKind::VarArg, pc)
            }
            Token::Char(b'{') => return self.constructor(),
            Token::Function => {
                self.next()?;
                let line = self.lx.linenumber;
                return self.body(false, line);
            }
            _ => return self.primaryexp(),
        };
        self.next()?;
        Ok(v)
    }

    /// subexpr -> (simpleexp | unop subexpr) { binop subexpr }
    /// where each binop's priority is higher than `limit`; returns the first
    /// operator not consumed.
    pub(super) fn subexpr(&mut self, v: &mut ExpDesc, limit: u32) -> PResult<Option<BinOpr>> {
        self.enter_level()?;
        if let Some(uop) = unopr(self.tok()) {
            self.next()?;
            self.subexpr(v, UNARY_PRIORITY)?;
            self.fs.prefix(uop, v);
        } else {
            *v = self.simpleexp()?;
        }
        let mut op = binopr(self.tok());
        while let Some(o) = op {
            let (left, right) = priority(o);
            if left <= limit {
                break;
            }
            self.next()?;
            self.fs.infix(o, v);
            let mut v2 = ExpDesc::new(ExpKind::Void, 0);
            let nextop = self.subexpr(&mut v2, right)?;
            self.fs.posfix(o, v, &mut v2);
            op = nextop;
        }
        self.leave_level();
        Ok(op)
    }

    /// expr -> subexpr
    pub(super) fn expr(&mut self) -> PResult<ExpDesc> {
        let mut v = ExpDesc::new(ExpKind::Void, 0);
        self.subexpr(&mut v, 0)?;
        Ok(v)
    }
}
