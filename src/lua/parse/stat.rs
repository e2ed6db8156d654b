//! Statements (part of the parser, Lua's `lparser.c`): blocks and scopes,
//! assignment (multiple, with 5.1's evaluation order and conflict copies),
//! control structures with their jump lists, `local`, `function`, `return`,
//! `break`. Each method reads one grammar rule, shown above it.

use super::super::code::*;
use super::super::lex::Token;
use super::super::opcode::*;
use super::{PResult, Parser, MAXCCALLS};

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

impl<'a> Parser<'a> {
    // ----- statements --------------------------------------------------------

    /// block -> chunk
    pub(super) fn block(&mut self) -> PResult<()> {
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
    pub(super) fn cond(&mut self) -> PResult<i32> {
        let mut v = self.expr()?;
        if v.k == ExpKind::Nil {
            v.k = ExpKind::False; // all falses are equal here
        }
        self.fs.go_if_true(&mut v);
        Ok(v.f)
    }

    /// breakstat -> BREAK
    pub(super) fn breakstat(&mut self) -> PResult<()> {
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
    pub(super) fn whilestat(&mut self, line: u32) -> PResult<()> {
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
    pub(super) fn repeatstat(&mut self, line: u32) -> PResult<()> {
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
    pub(super) fn exp1(&mut self) -> PResult<()> {
        let mut e = self.expr()?;
        self.fs.exp2nextreg(&mut e);
        Ok(())
    }

    /// forbody -> DO block
    pub(super) fn forbody(&mut self, base: u32, line: u32, nvars: u32, isnum: bool) -> PResult<()> {
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
    pub(super) fn fornum(&mut self, varname: Vec<u8>, line: u32) -> PResult<()> {
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
    pub(super) fn forlist(&mut self, indexname: Vec<u8>) -> PResult<()> {
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
    pub(super) fn forstat(&mut self, line: u32) -> PResult<()> {
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
    pub(super) fn test_then_block(&mut self) -> PResult<i32> {
        self.next()?; // skip IF or ELSEIF
        let condexit = self.cond()?;
        self.check_next(Token::Then)?;
        self.block()?;
        Ok(condexit)
    }

    /// ifstat -> IF cond THEN block {ELSEIF cond THEN block} [ELSE block] END
    pub(super) fn ifstat(&mut self, line: u32) -> PResult<()> {
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
    pub(super) fn localfunc(&mut self) -> PResult<()> {
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
    pub(super) fn localstat(&mut self) -> PResult<()> {
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
    pub(super) fn funcname(&mut self, v: &mut ExpDesc) -> PResult<bool> {
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
    pub(super) fn funcstat(&mut self, line: u32) -> PResult<()> {
        self.next()?; // skip FUNCTION
        let mut v = ExpDesc::new(ExpKind::Void, 0);
        let needself = self.funcname(&mut v)?;
        let mut b = self.body(needself, line)?;
        self.fs.store_var(&v, &mut b);
        self.fs.fix_line(line); // the definition "happens" in the first line
        Ok(())
    }

    /// exprstat -> func | assignment
    pub(super) fn exprstat(&mut self) -> PResult<()> {
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
    pub(super) fn retstat(&mut self) -> PResult<()> {
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
    pub(super) fn statement(&mut self) -> PResult<bool> {
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
    pub(super) fn chunk(&mut self) -> PResult<()> {
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
