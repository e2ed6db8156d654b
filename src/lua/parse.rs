//! The parser (Lua's `lparser.c`): a one-pass recursive-descent compiler from
//! tokens to a [`Proto`], driving the code generator ([`super::code`]) as it reads.
//!
//! Each grammar rule is a method with the rule as a comment above it: this file
//! holds the parser state, token helpers, variables and scopes; `parse/expr.rs`
//! the expression rules and `parse/stat.rs` the statement rules. Scoping,
//! upvalue resolution, multiple assignment and the 5.1 limits:
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
use super::proto::{LocVar, Proto, VARARG_ISVARARG};

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
    let lx = Lexer::new(source, chunkname);
    let fs = FuncState::new(lx.source.clone(), 1);
    let mut p = Parser {
        lx,
        fs,
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

/// The parser: the lexer plus the stack of functions being compiled.
pub(super) struct Parser<'a> {
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
        let mut fs = FuncState::new(self.lx.source.clone(), self.lx.lastline);
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
}

mod expr;
mod stat;

#[cfg(test)]
mod error_cases;
#[cfg(test)]
mod tests;
