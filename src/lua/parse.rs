//! The parser (Lua's `lparser.c`): a one-pass recursive-descent compiler from
//! tokens to a [`Proto`], driving the code generator ([`super::code`]) as it reads.
//!
//! Each grammar rule is a method with the rule as a comment above it. Scoping,
//! upvalue resolution, multiple assignment and the 5.1 limits live here:
//! - locals are registers `0..nactvar`; a name is looked up in the current
//!   function's active locals, then in the enclosing functions' (becoming an
//!   upvalue chain), else it is a global;
//! - multiple assignment evaluates all right-hand expressions before storing, and
//!   stores right to left; a local assigned while also used as a table or key
//!   in an earlier target is copied first (`check_conflict`);
//! - limits: 200 active locals, 60 upvalues, 200 nested syntax levels
//!   ("chunk has too many syntax levels", counted from 0 at the start of
//!   [`compile`], or from the caller's C-call depth with [`compile_at_depth`]),
//!   250 registers ("function or expression too complex").
//!
//! Source bytes are compiled as given: a leading `#` line is skipped by the
//! loaders (as 5.1's `luaL_loadfile` does), not here.

use super::code::*;
use super::lex::{Lexer, Token};
use super::opcode::*;
use super::proto::{LocVar, Proto, VARARG_HASARG, VARARG_ISVARARG, VARARG_NEEDSARG};

pub use super::lex::SyntaxError;

/// The C-call-like nesting limit of the parser (`LUAI_MAXCCALLS`).
const MAXCCALLS: u32 = 200;

type PResult<T> = Result<T, SyntaxError>;

/// Compiles a chunk: `source` is the text, `chunkname` the name errors and debug
/// information show (`@file.lua`, `=stdin`, or the source itself for strings).
/// The result is the main function, a vararg function with no parameters.
pub fn compile(source: &[u8], chunkname: &[u8]) -> Result<Proto, SyntaxError> {
    compile_at_depth(source, chunkname, 0)
}

/// [`compile`] for a caller already `nccalls` C calls deep (5.1's parser counts
/// its nesting on the same counter as C calls, so the depth at which "chunk has
/// too many syntax levels" fires depends on it: `loadstring` called from a
/// script run by the `lua5.1` command starts at 2, `lua_load` from C at 0).
pub fn compile_at_depth(
    source: &[u8],
    chunkname: &[u8],
    nccalls: u32,
) -> Result<Proto, SyntaxError> {
    let mut p = Parser {
        lx: Lexer::new(source, chunkname),
        fs: FuncState::new(chunkname, 1),
        outer: Vec::new(),
        nccalls,
    };
    p.fs.f.is_vararg = VARARG_ISVARARG;
    p.next()?;
    p.chunk()?;
    p.check(Token::Eos)?;
    p.close_func()?;
    Ok(std::mem::take(&mut p.fs.f))
}

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

/// Does the token end a block?
fn block_follow(t: Token) -> bool {
    matches!(
        t,
        Token::Else | Token::Elseif | Token::End | Token::Until | Token::Eos
    )
}

/// One target of a multiple assignment (`LHS_assign`).
struct Lhs {
    v: ExpDesc,
}

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

/// The parser: the lexer plus the stack of functions being compiled.
struct Parser<'a> {
    lx: Lexer<'a>,
    /// The function being compiled.
    fs: FuncState,
    /// Enclosing functions, outermost first.
    outer: Vec<FuncState>,
    /// Nesting depth (`nCcalls`).
    nccalls: u32,
}

impl<'a> Parser<'a> {
    // ----- token helpers -----------------------------------------------------

    /// Reports a pending code-generation error, with the current token.
    fn pending(&self) -> PResult<()> {
        match self.fs.error {
            // a memory-limit error in 5.1 (`luaM_growvector`), raised without position
            Some(m @ "constant table overflow") => Err(SyntaxError::new(m.as_bytes().to_vec())),
            Some(m) => Err(self.lx.syntax_error(m)),
            None => Ok(()),
        }
    }

    fn next(&mut self) -> PResult<()> {
        self.pending()?;
        self.lx.next_token()?;
        self.fs.line = self.lx.lastline;
        Ok(())
    }

    fn lookahead(&mut self) -> PResult<Token> {
        self.pending()?;
        self.lx.lookahead()
    }

    fn tok(&self) -> Token {
        self.lx.t.token
    }

    fn error_expected(&self, t: Token) -> SyntaxError {
        let mut m = b"'".to_vec();
        m.extend_from_slice(&t.to_text());
        m.extend_from_slice(b"' expected");
        self.lx.syntax_error_bytes(&m)
    }

    fn error_limit(&self, limit: u32, what: &str) -> SyntaxError {
        let msg = if self.fs.f.line_defined == 0 {
            format!("main function has more than {limit} {what}")
        } else {
            format!(
                "function at line {} has more than {limit} {what}",
                self.fs.f.line_defined
            )
        };
        self.lx.error(&msg, None)
    }

    fn test_next(&mut self, t: Token) -> PResult<bool> {
        if self.tok() == t {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn check(&self, t: Token) -> PResult<()> {
        if self.tok() != t {
            return Err(self.error_expected(t));
        }
        Ok(())
    }

    fn check_next(&mut self, t: Token) -> PResult<()> {
        self.check(t)?;
        self.next()
    }

    fn check_match(&mut self, what: Token, who: Token, line: u32) -> PResult<()> {
        if !self.test_next(what)? {
            if line == self.lx.linenumber {
                return Err(self.error_expected(what));
            }
            let msg = format!(
                "'{}' expected (to close '{}' at line {})",
                String::from_utf8_lossy(&what.to_text()),
                String::from_utf8_lossy(&who.to_text()),
                line
            );
            return Err(self.lx.syntax_error(&msg));
        }
        Ok(())
    }

    fn str_checkname(&mut self) -> PResult<Vec<u8>> {
        self.check(Token::Name)?;
        let name = std::mem::take(&mut self.lx.t.text);
        self.next()?;
        Ok(name)
    }

    fn code_string(&mut self, s: &[u8]) -> ExpDesc {
        ExpDesc::new(ExpKind::K, self.fs.string_k(s) as i32)
    }

    /// The current token's text as a string constant (the text goes back to the
    /// lexer afterwards, so its buffer is reused).
    fn current_text_k(&mut self) -> ExpDesc {
        let s = std::mem::take(&mut self.lx.t.text);
        let e = self.code_string(&s);
        self.lx.t.text = s;
        e
    }

    fn checkname(&mut self) -> PResult<ExpDesc> {
        self.check(Token::Name)?;
        let e = self.current_text_k();
        self.next()?;
        Ok(e)
    }

    fn enter_level(&mut self) -> PResult<()> {
        self.nccalls += 1;
        if self.nccalls > MAXCCALLS {
            return Err(self.lx.error("chunk has too many syntax levels", None));
        }
        Ok(())
    }

    fn leave_level(&mut self) {
        self.nccalls -= 1;
    }

    // ----- variables -------------------------------------------------------

    /// Declares local `n` (0-based) past the active ones (`new_localvar`).
    fn new_localvar(&mut self, name: Vec<u8>, n: u32) -> PResult<()> {
        if self.fs.nactvar + n + 1 > MAXVARS {
            return Err(self.error_limit(MAXVARS, "local variables"));
        }
        if self.fs.f.loc_vars.len() >= i16::MAX as usize {
            // 5.1's vector-growth limit, raised without position
            return Err(SyntaxError::new(b"too many local variables".to_vec()));
        }
        let idx = self.fs.f.loc_vars.len() as u16;
        self.fs.f.loc_vars.push(LocVar {
            name,
            start_pc: 0,
            end_pc: 0,
        });
        let slot = (self.fs.nactvar + n) as usize;
        if self.fs.actvar.len() <= slot {
            self.fs.actvar.resize(slot + 1, 0);
        }
        self.fs.actvar[slot] = idx;
        Ok(())
    }

    /// Activates the last `nvars` declared locals (`adjustlocalvars`).
    fn adjust_localvars(&mut self, nvars: u32) {
        let fs = &mut self.fs;
        fs.nactvar += nvars;
        let pc = fs.pc() as u32;
        for i in (fs.nactvar - nvars)..fs.nactvar {
            fs.loc_var(i).start_pc = pc;
        }
    }

    /// Ends the scope of locals above `tolevel` (`removevars`).
    fn remove_vars(fs: &mut FuncState, tolevel: u32) {
        let pc = fs.pc() as u32;
        while fs.nactvar > tolevel {
            fs.nactvar -= 1;
            let n = fs.nactvar;
            fs.loc_var(n).end_pc = pc;
        }
    }

    /// The function `level` steps out from the current one (0 = current).
    fn level_mut(&mut self, level: usize) -> &mut FuncState {
        if level == 0 {
            &mut self.fs
        } else {
            let n = self.outer.len();
            &mut self.outer[n - level]
        }
    }

    /// Upvalue index of `v` (a local or upvalue of the enclosing function) in
    /// function `level`, adding it if new (`indexupvalue`).
    fn index_upvalue(&mut self, level: usize, name: &[u8], v: &ExpDesc) -> PResult<u32> {
        let fs = self.level_mut(level);
        for (i, &(k, info)) in fs.upvalues.iter().enumerate() {
            if k == v.k && info == v.info as u32 {
                return Ok(i as u32);
            }
        }
        if fs.upvalues.len() as u32 + 1 > MAXUPVALUES {
            let line_defined = fs.f.line_defined;
            let msg = if line_defined == 0 {
                format!("main function has more than {MAXUPVALUES} upvalues")
            } else {
                format!("function at line {line_defined} has more than {MAXUPVALUES} upvalues")
            };
            return Err(self.lx.error(&msg, None));
        }
        fs.upvalues.push((v.k, v.info as u32));
        fs.f.upvalue_names.push(name.to_vec());
        fs.f.num_upvalues = fs.upvalues.len() as u8;
        Ok(fs.upvalues.len() as u32 - 1)
    }

    /// Resolves a name to a local, an upvalue or a global (`singlevaraux`).
    fn single_var_aux(&mut self, name: &[u8]) -> PResult<ExpDesc> {
        let depth = self.outer.len() + 1;
        let mut found: Option<(usize, u32)> = None;
        for level in 0..depth {
            let fs = self.level_mut(level);
            let mut i = fs.nactvar;
            while i > 0 {
                i -= 1;
                let idx = fs.actvar[i as usize] as usize;
                if fs.f.loc_vars[idx].name == name {
                    found = Some((level, i));
                    break;
                }
            }
            if found.is_some() {
                break;
            }
        }
        let Some((level, reg)) = found else {
            return Ok(ExpDesc::new(ExpKind::Global, NO_REG as i32));
        };
        if level == 0 {
            return Ok(ExpDesc::new(ExpKind::Local, reg as i32));
        }
        // the local will be captured: mark its block (`markupval`)
        {
            let fs = self.level_mut(level);
            if let Some(bl) = fs.bl.iter_mut().rev().find(|b| b.nactvar <= reg) {
                bl.upval = true;
            }
        }
        let mut v = ExpDesc::new(ExpKind::Local, reg as i32);
        for l in (0..level).rev() {
            let idx = self.index_upvalue(l, name, &v)?;
            v = ExpDesc::new(ExpKind::Upval, idx as i32);
        }
        Ok(v)
    }

    /// singlevar -> NAME
    fn single_var(&mut self) -> PResult<ExpDesc> {
        let name = self.str_checkname()?;
        let v = self.single_var_aux(&name).map(|mut v| {
            if v.k == ExpKind::Global {
                v.info = self.fs.string_k(&name) as i32;
            }
            v
        });
        self.lx.recycle(name);
        v
    }

    /// Adjusts `nexps` values (the last being `e`) to `nvars` (`adjust_assign`).
    fn adjust_assign(&mut self, nvars: i32, nexps: i32, e: &mut ExpDesc) {
        let fs = &mut self.fs;
        let mut extra = nvars - nexps;
        if e.has_multret() {
            extra += 1; // includes the call itself
            if extra < 0 {
                extra = 0;
            }
            fs.set_returns(e, extra);
            if extra > 1 {
                fs.reserve_regs(extra as u32 - 1);
            }
        } else {
            if e.k != ExpKind::Void {
                fs.exp2nextreg(e);
            }
            if extra > 0 {
                let reg = fs.freereg;
                fs.reserve_regs(extra as u32);
                fs.nil(reg, extra as u32);
            }
        }
    }

    // ----- functions and blocks ------------------------------------------------

    /// Starts compiling a nested function (`open_func`).
    fn open_func(&mut self, line_defined: u32) {
        let mut fs = FuncState::new(&self.lx.source, self.lx.lastline);
        fs.f.line_defined = line_defined;
        let parent = std::mem::replace(&mut self.fs, fs);
        self.outer.push(parent);
    }

    /// Finishes the current function (`close_func`): final RETURN, trims.
    fn close_func(&mut self) -> PResult<()> {
        Self::remove_vars(&mut self.fs, 0);
        self.fs.ret(0, 0);
        self.pending()?;
        Ok(())
    }

    /// Finishes a nested function and emits its CLOSURE in the enclosing one
    /// (`close_func` + `pushclosure`).
    fn close_nested(&mut self) -> PResult<ExpDesc> {
        self.close_func()?;
        let Some(parent) = self.outer.pop() else {
            return Err(self
                .lx
                .syntax_error("internal error: no enclosing function"));
        };
        let child = std::mem::replace(&mut self.fs, parent);
        self.fs.line = self.lx.lastline;
        let np = self.fs.f.protos.len() as u32;
        let upvalues = child.upvalues;
        self.fs.f.protos.push(child.f);
        let pc = self.fs.code_abx(OpCode::Closure, 0, np);
        for (k, info) in upvalues {
            let op = if k == ExpKind::Local {
                OpCode::Move
            } else {
                OpCode::GetUpval
            };
            self.fs.code_abc(op, 0, info, 0);
        }
        Ok(ExpDesc::new(ExpKind::Relocable, pc))
    }

    fn enter_block(&mut self, isbreakable: bool) {
        let nactvar = self.fs.nactvar;
        self.fs.bl.push(BlockCnt {
            breaklist: NO_JUMP,
            nactvar,
            upval: false,
            isbreakable,
        });
    }

    fn leave_block(&mut self) {
        let fs = &mut self.fs;
        let Some(bl) = fs.bl.pop() else { return };
        Self::remove_vars(fs, bl.nactvar);
        if bl.upval {
            fs.code_abc(OpCode::Close, bl.nactvar, 0, 0);
        }
        fs.freereg = fs.nactvar;
        fs.patch_to_here(bl.breaklist);
    }

    // ----- expressions -----------------------------------------------------

    /// field -> ['.' | ':'] NAME
    fn field(&mut self, v: &mut ExpDesc) -> PResult<()> {
        self.fs.exp2anyreg(v);
        self.next()?; // skip the dot or colon
        let mut key = self.checkname()?;
        self.fs.indexed(v, &mut key);
        Ok(())
    }

    /// index -> '[' expr ']'
    fn yindex(&mut self) -> PResult<ExpDesc> {
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
    fn constructor(&mut self) -> PResult<ExpDesc> {
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
    fn parlist(&mut self) -> PResult<()> {
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
    fn body(&mut self, needself: bool, line: u32) -> PResult<ExpDesc> {
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
    fn explist1(&mut self, v: &mut ExpDesc) -> PResult<i32> {
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
    fn funcargs(&mut self, f: &mut ExpDesc) -> PResult<()> {
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
    fn prefixexp(&mut self) -> PResult<ExpDesc> {
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
    fn primaryexp(&mut self) -> PResult<ExpDesc> {
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
    fn simpleexp(&mut self) -> PResult<ExpDesc> {
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
    fn subexpr(&mut self, v: &mut ExpDesc, limit: u32) -> PResult<Option<BinOpr>> {
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
    fn expr(&mut self) -> PResult<ExpDesc> {
        let mut v = ExpDesc::new(ExpKind::Void, 0);
        self.subexpr(&mut v, 0)?;
        Ok(v)
    }

    // ----- statements --------------------------------------------------------

    /// block -> chunk
    fn block(&mut self) -> PResult<()> {
        self.enter_block(false);
        self.chunk()?;
        self.leave_block();
        Ok(())
    }

    /// Copies a local that an earlier target of a multiple assignment uses as
    /// table or key, so the store to it happens after theirs (`check_conflict`).
    fn check_conflict(&mut self, lhs: &mut [Lhs], v: &ExpDesc) {
        let extra = self.fs.freereg as i32;
        let mut conflict = false;
        for lh in lhs.iter_mut() {
            if lh.v.k == ExpKind::Indexed {
                if lh.v.info == v.info {
                    conflict = true;
                    lh.v.info = extra;
                }
                if lh.v.aux == v.info {
                    conflict = true;
                    lh.v.aux = extra;
                }
            }
        }
        if conflict {
            let fr = self.fs.freereg;
            self.fs.code_abc(OpCode::Move, fr, v.info as u32, 0);
            self.fs.reserve_regs(1);
        }
    }

    /// assignment -> ',' primaryexp assignment | '=' explist1
    ///
    /// `lhs` holds the targets read so far, the last one being the current.
    fn assignment(&mut self, lhs: &mut Vec<Lhs>) -> PResult<()> {
        let nvars = lhs.len() as i32;
        let last = lhs.len() - 1;
        if !matches!(
            lhs[last].v.k,
            ExpKind::Local | ExpKind::Upval | ExpKind::Global | ExpKind::Indexed
        ) {
            return Err(self.lx.syntax_error("syntax error"));
        }
        if self.test_next(Token::Char(b','))? {
            let v = self.primaryexp()?;
            if v.k == ExpKind::Local {
                self.check_conflict(lhs, &v);
            }
            let limit = MAXCCALLS.saturating_sub(self.nccalls);
            if nvars as u32 > limit {
                return Err(self.error_limit(limit, "variables in assignment"));
            }
            lhs.push(Lhs { v });
            self.assignment(lhs)?;
        } else {
            self.check_next(Token::Char(b'='))?;
            let mut e = ExpDesc::new(ExpKind::Void, 0);
            let nexps = self.explist1(&mut e)?;
            if nexps != nvars {
                self.adjust_assign(nvars, nexps, &mut e);
                if nexps > nvars {
                    self.fs.freereg -= (nexps - nvars) as u32;
                }
            } else {
                self.fs.set_one_ret(&mut e);
                let var = lhs[last].v;
                self.fs.store_var(&var, &mut e);
                lhs.pop();
                return Ok(());
            }
        }
        // default: store the value on top of the stack
        let mut e = ExpDesc::new(ExpKind::NonReloc, self.fs.freereg as i32 - 1);
        let var = lhs[last].v;
        self.fs.store_var(&var, &mut e);
        lhs.pop();
        Ok(())
    }

    /// cond -> exp
    fn cond(&mut self) -> PResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False; // all falses are equal here
        }
        self.fs.go_if_true(&mut v);
        Ok(v.f)
    }

    /// breakstat -> BREAK
    fn breakstat(&mut self) -> PResult<()> {
        let fs = &mut self.fs;
        let mut upval = false;
        let mut idx = None;
        for i in (0..fs.bl.len()).rev() {
            if fs.bl[i].isbreakable {
                idx = Some(i);
                break;
            }
            upval |= fs.bl[i].upval;
        }
        let Some(i) = idx else {
            return Err(self.lx.syntax_error("no loop to break"));
        };
        if upval {
            let n = fs.bl[i].nactvar;
            fs.code_abc(OpCode::Close, n, 0, 0);
        }
        let j = fs.jump();
        let mut bl = fs.bl[i].breaklist;
        fs.concat(&mut bl, j);
        fs.bl[i].breaklist = bl;
        Ok(())
    }

    /// whilestat -> WHILE cond DO block END
    fn whilestat(&mut self, line: u32) -> PResult<()> {
        self.next()?; // skip WHILE
        let whileinit = self.fs.get_label();
        let condexit = self.cond()?;
        self.enter_block(true);
        self.check_next(Token::Do)?;
        self.block()?;
        let j = self.fs.jump();
        self.fs.patch_list(j, whileinit);
        self.check_match(Token::End, Token::While, line)?;
        self.leave_block();
        self.fs.patch_to_here(condexit); // false conditions finish the loop
        Ok(())
    }

    /// repeatstat -> REPEAT block UNTIL cond
    fn repeatstat(&mut self, line: u32) -> PResult<()> {
        let repeat_init = self.fs.get_label();
        self.enter_block(true); // loop block
        self.enter_block(false); // scope block
        self.next()?; // skip REPEAT
        self.chunk()?;
        self.check_match(Token::Until, Token::Repeat, line)?;
        let condexit = self.cond()?; // read condition (inside scope block)
        let scope_upval = self.fs.bl.last().is_some_and(|b| b.upval);
        if !scope_upval {
            self.leave_block();
            self.fs.patch_list(condexit, repeat_init);
        } else {
            // captured locals must be closed on every way out
            self.breakstat()?;
            self.fs.patch_to_here(condexit);
            self.leave_block();
            let j = self.fs.jump();
            self.fs.patch_list(j, repeat_init);
        }
        self.leave_block(); // finish loop
        Ok(())
    }

    /// exp1 -> expr (into the next register)
    fn exp1(&mut self) -> PResult<()> {
        let mut e = self.expr()?;
        self.fs.exp2nextreg(&mut e);
        Ok(())
    }

    /// forbody -> DO block
    fn forbody(&mut self, base: u32, line: u32, nvars: u32, isnum: bool) -> PResult<()> {
        self.adjust_localvars(3); // control variables
        self.check_next(Token::Do)?;
        let prep = if isnum {
            self.fs.code_asbx(OpCode::ForPrep, base, NO_JUMP)
        } else {
            self.fs.jump()
        };
        self.enter_block(false); // scope for declared variables
        self.adjust_localvars(nvars);
        self.fs.reserve_regs(nvars);
        self.block()?;
        self.leave_block();
        self.fs.patch_to_here(prep);
        let endfor = if isnum {
            self.fs.code_asbx(OpCode::ForLoop, base, NO_JUMP)
        } else {
            self.fs.code_abc(OpCode::TForLoop, base, 0, nvars)
        };
        self.fs.fix_line(line); // the loop instruction belongs to the `for` line
        let list = if isnum { endfor } else { self.fs.jump() };
        self.fs.patch_list(list, prep + 1);
        Ok(())
    }

    /// fornum -> NAME = exp1 ',' exp1 [',' exp1] forbody
    fn fornum(&mut self, varname: Vec<u8>, line: u32) -> PResult<()> {
        let base = self.fs.freereg;
        self.new_localvar(b"(for index)".to_vec(), 0)?;
        self.new_localvar(b"(for limit)".to_vec(), 1)?;
        self.new_localvar(b"(for step)".to_vec(), 2)?;
        self.new_localvar(varname, 3)?;
        self.check_next(Token::Char(b'='))?;
        self.exp1()?; // initial value
        self.check_next(Token::Char(b','))?;
        self.exp1()?; // limit
        if self.test_next(Token::Char(b','))? {
            self.exp1()?; // step
        } else {
            let fr = self.fs.freereg;
            let k = self.fs.number_k(1.0);
            self.fs.code_abx(OpCode::LoadK, fr, k);
            self.fs.reserve_regs(1);
        }
        self.forbody(base, line, 1, true)
    }

    /// forlist -> NAME {',' NAME} IN explist1 forbody
    fn forlist(&mut self, indexname: Vec<u8>) -> PResult<()> {
        let base = self.fs.freereg;
        self.new_localvar(b"(for generator)".to_vec(), 0)?;
        self.new_localvar(b"(for state)".to_vec(), 1)?;
        self.new_localvar(b"(for control)".to_vec(), 2)?;
        self.new_localvar(indexname, 3)?;
        let mut nvars = 4;
        while self.test_next(Token::Char(b','))? {
            let name = self.str_checkname()?;
            self.new_localvar(name, nvars)?;
            nvars += 1;
        }
        self.check_next(Token::In)?;
        let line = self.lx.linenumber;
        let mut e = ExpDesc::new(ExpKind::Void, 0);
        let n = self.explist1(&mut e)?;
        self.adjust_assign(3, n, &mut e);
        self.fs.check_stack(3); // room to call the generator
        self.forbody(base, line, nvars - 3, false)
    }

    /// forstat -> FOR (fornum | forlist) END
    fn forstat(&mut self, line: u32) -> PResult<()> {
        self.enter_block(true); // scope for loop and control variables
        self.next()?; // skip FOR
        let varname = self.str_checkname()?;
        match self.tok() {
            Token::Char(b'=') => self.fornum(varname, line)?,
            Token::Char(b',') | Token::In => self.forlist(varname)?,
            _ => return Err(self.lx.syntax_error("'=' or 'in' expected")),
        }
        self.check_match(Token::End, Token::For, line)?;
        self.leave_block(); // `break` jumps here
        Ok(())
    }

    /// test_then_block -> [IF | ELSEIF] cond THEN block
    fn test_then_block(&mut self) -> PResult<i32> {
        self.next()?; // skip IF or ELSEIF
        let condexit = self.cond()?;
        self.check_next(Token::Then)?;
        self.block()?;
        Ok(condexit)
    }

    /// ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END
    fn ifstat(&mut self, line: u32) -> PResult<()> {
        let mut escapelist = NO_JUMP;
        let mut flist = self.test_then_block()?;
        while self.tok() == Token::Elseif {
            let j = self.fs.jump();
            self.fs.concat(&mut escapelist, j);
            self.fs.patch_to_here(flist);
            flist = self.test_then_block()?;
        }
        if self.tok() == Token::Else {
            let j = self.fs.jump();
            self.fs.concat(&mut escapelist, j);
            self.fs.patch_to_here(flist);
            self.next()?; // skip ELSE (after the patch, for the line info)
            self.block()?;
        } else {
            self.fs.concat(&mut escapelist, flist);
        }
        self.fs.patch_to_here(escapelist);
        self.check_match(Token::End, Token::If, line)
    }

    /// localfunc -> LOCAL FUNCTION NAME body
    fn localfunc(&mut self) -> PResult<()> {
        let name = self.str_checkname()?;
        self.new_localvar(name, 0)?;
        let v = ExpDesc::new(ExpKind::Local, self.fs.freereg as i32);
        self.fs.reserve_regs(1);
        self.adjust_localvars(1);
        let line = self.lx.linenumber;
        let mut b = self.body(false, line)?;
        self.fs.store_var(&v, &mut b);
        // debug information sees the variable only after this point
        let pc = self.fs.pc() as u32;
        let n = self.fs.nactvar - 1;
        self.fs.loc_var(n).start_pc = pc;
        Ok(())
    }

    /// localstat -> LOCAL NAME {',' NAME} ['=' explist1]
    fn localstat(&mut self) -> PResult<()> {
        let mut nvars = 0;
        loop {
            let name = self.str_checkname()?;
            self.new_localvar(name, nvars)?;
            nvars += 1;
            if !self.test_next(Token::Char(b','))? {
                break;
            }
        }
        let mut e = ExpDesc::new(ExpKind::Void, 0);
        let nexps = if self.test_next(Token::Char(b'='))? {
            self.explist1(&mut e)?
        } else {
            0
        };
        self.adjust_assign(nvars as i32, nexps, &mut e);
        self.adjust_localvars(nvars);
        Ok(())
    }

    /// funcname -> NAME {field} [':' NAME]
    fn funcname(&mut self, v: &mut ExpDesc) -> PResult<bool> {
        *v = self.single_var()?;
        while self.tok() == Token::Char(b'.') {
            self.field(v)?;
        }
        if self.tok() == Token::Char(b':') {
            self.field(v)?;
            return Ok(true);
        }
        Ok(false)
    }

    /// funcstat -> FUNCTION funcname body
    fn funcstat(&mut self, line: u32) -> PResult<()> {
        self.next()?; // skip FUNCTION
        let mut v = ExpDesc::new(ExpKind::Void, 0);
        let needself = self.funcname(&mut v)?;
        let mut b = self.body(needself, line)?;
        self.fs.store_var(&v, &mut b);
        self.fs.fix_line(line); // the definition "happens" in the first line
        Ok(())
    }

    /// exprstat -> func | assignment
    fn exprstat(&mut self) -> PResult<()> {
        let v = self.primaryexp()?;
        if v.k == ExpKind::Call {
            set_c(self.fs.getcode(&v), 1); // a call statement keeps no results
            Ok(())
        } else {
            let mut lhs = vec![Lhs { v }];
            self.assignment(&mut lhs)
        }
    }

    /// retstat -> RETURN [explist1]
    fn retstat(&mut self) -> PResult<()> {
        self.next()?; // skip RETURN
        let first;
        let nret;
        if block_follow(self.tok()) || self.tok() == Token::Char(b';') {
            first = 0;
            nret = 0;
        } else {
            let mut e = ExpDesc::new(ExpKind::Void, 0);
            let n = self.explist1(&mut e)?;
            let fs = &mut self.fs;
            if e.has_multret() {
                fs.set_multret(&e);
                if e.k == ExpKind::Call && n == 1 {
                    // a tail call
                    let i = fs.getcode(&e);
                    *i = (*i & !0x3f) | OpCode::TailCall as u32;
                }
                first = fs.nactvar;
                nret = LUA_MULTRET;
            } else if n == 1 {
                first = fs.exp2anyreg(&mut e);
                nret = 1;
            } else {
                fs.exp2nextreg(&mut e);
                first = fs.nactvar;
                nret = n;
            }
        }
        self.fs.ret(first, nret);
        Ok(())
    }

    /// statement -> ifstat | whilestat | DO block END | forstat | repeatstat |
    ///              funcstat | localstat | localfunc | retstat | breakstat | exprstat
    ///
    /// Returns true for statements that must be last in a block (return, break).
    fn statement(&mut self) -> PResult<bool> {
        let line = self.lx.linenumber;
        match self.tok() {
            Token::If => self.ifstat(line)?,
            Token::While => self.whilestat(line)?,
            Token::Do => {
                self.next()?;
                self.block()?;
                self.check_match(Token::End, Token::Do, line)?;
            }
            Token::For => self.forstat(line)?,
            Token::Repeat => self.repeatstat(line)?,
            Token::Function => self.funcstat(line)?,
            Token::Local => {
                self.next()?;
                if self.test_next(Token::Function)? {
                    self.localfunc()?;
                } else {
                    self.localstat()?;
                }
            }
            Token::Return => {
                self.retstat()?;
                return Ok(true);
            }
            Token::Break => {
                self.next()?;
                self.breakstat()?;
                return Ok(true);
            }
            _ => self.exprstat()?,
        }
        Ok(false)
    }

    /// chunk -> { stat [';'] }
    fn chunk(&mut self) -> PResult<()> {
        self.enter_level()?;
        let mut islast = false;
        while !islast && !block_follow(self.tok()) {
            islast = self.statement()?;
            self.test_next(Token::Char(b';'))?;
            self.fs.freereg = self.fs.nactvar; // free registers
        }
        self.leave_level();
        Ok(())
    }
}

#[cfg(test)]
mod error_cases;
#[cfg(test)]
mod tests;
