//! The decoder of the `cjson` library ([`super::cjson`]): a tokenizer and a
//! parser that accept and reject exactly what lua-cjson 2.1.0 does, token by
//! token, so that its error messages (`Expected value but found invalid token
//! at character 1`) and positions are the same.
//!
//! Invariants: a NUL byte (or the end of the data) is the end token; positions
//! in messages are 1-based byte offsets of the offending token, except the
//! nesting error which, as lua-cjson's, reports the 0-based offset after the
//! opening bracket; open objects and arrays are kept on an explicit stack
//! (no Rust recursion) bounded by the configured maximum and a hard cap, so
//! hostile input cannot exhaust the Rust stack.

use super::cjson::{Cfg, DECODE_DEPTH_CAP};
use crate::lua::{LuaError, Value, Vm};

#[derive(Clone, Copy, PartialEq)]
enum Tok {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    /// The decoded text is in `Parser::tmp`.
    Str,
    Num(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Tok {
    fn name(self) -> &'static str {
        match self {
            Tok::ObjBegin => "T_OBJ_BEGIN",
            Tok::ObjEnd => "T_OBJ_END",
            Tok::ArrBegin => "T_ARR_BEGIN",
            Tok::ArrEnd => "T_ARR_END",
            Tok::Str => "T_STRING",
            Tok::Num(_) => "T_NUMBER",
            Tok::Bool(_) => "T_BOOLEAN",
            Tok::Null => "T_NULL",
            Tok::Colon => "T_COLON",
            Tok::Comma => "T_COMMA",
            Tok::End => "T_END",
            Tok::Error(m) => m,
        }
    }
}

struct Parser<'a> {
    data: &'a [u8],
    pos: usize,
    depth: i64,
    cfg: Cfg,
    tmp: Vec<u8>,
    /// Start offset of the last token.
    index: usize,
}

impl<'a> Parser<'a> {
    #[inline]
    fn at(&self, i: usize) -> u8 {
        self.data.get(i).copied().unwrap_or(0)
    }

    /// lua-cjson's `json_is_invalid_number`: hex, leading zeros, `+`, inf, nan.
    fn is_invalid_number(&self) -> bool {
        let mut p = self.pos;
        if self.at(p) == b'+' {
            return true;
        }
        if self.at(p) == b'-' {
            p += 1;
        }
        let c = self.at(p);
        if c == b'0' {
            let c2 = self.at(p + 1);
            return (c2 | 0x20) == b'x' || c2.is_ascii_digit();
        }
        if c <= b'9' {
            return false;
        }
        let word: Vec<u8> = (p..p + 3)
            .map(|j| self.at(j).to_ascii_lowercase())
            .collect();
        word == b"inf" || word == b"nan"
    }

    fn number(&mut self) -> Tok {
        // C's strtod, as lua-cjson calls it at the token's first byte.
        let r = crate::num::strtod(&self.data[self.pos.min(self.data.len())..]);
        if r.end == 0 {
            return Tok::Error("invalid number");
        }
        self.pos += r.end;
        Tok::Num(r.value)
    }

    fn starts_with(&self, w: &[u8]) -> bool {
        self.data.len() >= self.pos + w.len() && &self.data[self.pos..self.pos + w.len()] == w
    }

    fn next_token(&mut self) -> Tok {
        while matches!(self.at(self.pos), b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
        self.index = self.pos;
        let c = self.at(self.pos);
        let single = match c {
            b'{' => Some(Tok::ObjBegin),
            b'}' => Some(Tok::ObjEnd),
            b'[' => Some(Tok::ArrBegin),
            b']' => Some(Tok::ArrEnd),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            0 => return Tok::End,
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return t;
        }
        match c {
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => {
                if !self.cfg.dec_invalid && self.is_invalid_number() {
                    Tok::Error("invalid number")
                } else {
                    self.number()
                }
            }
            _ if self.starts_with(b"true") => {
                self.pos += 4;
                Tok::Bool(true)
            }
            _ if self.starts_with(b"false") => {
                self.pos += 5;
                Tok::Bool(false)
            }
            _ if self.starts_with(b"null") => {
                self.pos += 4;
                Tok::Null
            }
            b'f' | b'i' | b'I' | b'n' | b'N' | b't' | b'+'
                if self.cfg.dec_invalid && self.is_invalid_number() =>
            {
                self.number()
            }
            _ => Tok::Error("invalid token"),
        }
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let mut v = 0;
        for i in 0..4 {
            v = v * 16 + (self.at(at + i) as char).to_digit(16)?;
        }
        Some(v)
    }

    /// A `\uXXXX` escape (or a surrogate pair of them) at `pos`, appended as UTF-8.
    fn unicode_escape(&mut self) -> bool {
        let Some(mut cp) = self.hex4(self.pos + 2) else {
            return false;
        };
        let mut len = 6;
        if cp & 0xF800 == 0xD800 {
            if cp & 0x400 != 0 || self.at(self.pos + 6) != b'\\' || self.at(self.pos + 7) != b'u' {
                return false;
            }
            let Some(low) = self.hex4(self.pos + 8) else {
                return false;
            };
            if low & 0xFC00 != 0xDC00 {
                return false;
            }
            cp = (((cp & 0x3FF) << 10) | (low & 0x3FF)) + 0x10000;
            len = 12;
        }
        match char::from_u32(cp) {
            Some(ch) => {
                let mut b = [0u8; 4];
                self.tmp
                    .extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
            None => return false,
        }
        self.pos += len;
        true
    }

    fn string(&mut self) -> Tok {
        self.pos += 1;
        self.tmp.clear();
        loop {
            // copy a run of plain bytes at once
            let rest = &self.data[self.pos.min(self.data.len())..];
            let run = rest
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b == 0)
                .unwrap_or(rest.len());
            self.tmp.extend_from_slice(&rest[..run]);
            self.pos += run;
            match self.at(self.pos) {
                b'"' => break,
                0 => {
                    self.index = self.pos;
                    return Tok::Error("unexpected end of string");
                }
                _ => {}
            }
            let e = self.at(self.pos + 1);
            let ch = match e {
                b'"' | b'\\' | b'/' => e,
                b'b' => 8,
                b't' => b'\t',
                b'n' => b'\n',
                b'f' => 12,
                b'r' => b'\r',
                b'u' => {
                    if self.unicode_escape() {
                        continue;
                    }
                    self.index = self.pos;
                    return Tok::Error("invalid unicode escape code");
                }
                _ => {
                    self.index = self.pos;
                    return Tok::Error("invalid escape code");
                }
            };
            self.tmp.push(ch);
            self.pos += 2;
        }
        self.pos += 1;
        Tok::Str
    }

    fn parse_error(&self, vm: &mut Vm, expected: &str, tok: Tok) -> LuaError {
        vm.error_str(&format!(
            "Expected {} but found {} at character {}",
            expected,
            tok.name(),
            self.index + 1
        ))
    }

    fn descend(&mut self, vm: &mut Vm) -> Result<(), LuaError> {
        self.depth += 1;
        if self.depth > self.cfg.dec_depth || self.depth > DECODE_DEPTH_CAP {
            return Err(vm.error_str(&format!(
                "Found too many nested data structures ({}) at character {}",
                self.depth, self.pos
            )));
        }
        Ok(())
    }

    /// Reads an object key (the string token in `tok`) and its colon, and
    /// leaves the token after the colon in `tok`.
    fn object_key(&mut self, vm: &mut Vm, tok: &mut Tok) -> Result<Value, LuaError> {
        if *tok != Tok::Str {
            return Err(self.parse_error(vm, "object key string", *tok));
        }
        let key = vm.new_str(&self.tmp);
        *tok = self.next_token();
        if *tok != Tok::Colon {
            return Err(self.parse_error(vm, "colon", *tok));
        }
        *tok = self.next_token();
        Ok(key)
    }

    /// Parses one value starting with `tok`. Objects and arrays being filled
    /// live on an explicit stack, so nesting never recurses in Rust.
    fn value(&mut self, vm: &mut Vm, mut tok: Tok) -> Result<Value, LuaError> {
        let mut open: Vec<Open> = Vec::new();
        loop {
            // `tok` starts a value
            let mut v = match tok {
                Tok::Str => vm.new_str(&self.tmp),
                Tok::Num(n) => Value::Num(n),
                Tok::Bool(b) => Value::Bool(b),
                Tok::Null => Value::LightUserData(0),
                Tok::ObjBegin => {
                    self.descend(vm)?;
                    let t = vm.new_table();
                    tok = self.next_token();
                    if tok == Tok::ObjEnd {
                        self.depth -= 1;
                        Value::Table(t)
                    } else {
                        let key = self.object_key(vm, &mut tok)?;
                        open.push(Open {
                            t,
                            key: Some(key),
                            next: 0,
                        });
                        continue;
                    }
                }
                Tok::ArrBegin => {
                    self.descend(vm)?;
                    let t = vm.new_table();
                    tok = self.next_token();
                    if tok == Tok::ArrEnd {
                        self.depth -= 1;
                        Value::Table(t)
                    } else {
                        open.push(Open {
                            t,
                            key: None,
                            next: 1,
                        });
                        continue;
                    }
                }
                other => return Err(self.parse_error(vm, "value", other)),
            };
            // store `v` in the innermost open container; close finished ones
            loop {
                let Some(top) = open.last_mut() else {
                    return Ok(v);
                };
                let t = top.t;
                let (end, what) = match top.key {
                    Some(k) => {
                        vm.raw_set(t, k, v)?;
                        (Tok::ObjEnd, "comma or object end")
                    }
                    None => {
                        vm.raw_set_int(t, top.next, v);
                        top.next += 1;
                        (Tok::ArrEnd, "comma or array end")
                    }
                };
                tok = self.next_token();
                if tok == end {
                    self.depth -= 1;
                    open.pop();
                    v = Value::Table(t);
                    continue;
                }
                if tok != Tok::Comma {
                    return Err(self.parse_error(vm, what, tok));
                }
                tok = self.next_token();
                if end == Tok::ObjEnd {
                    let key = self.object_key(vm, &mut tok)?;
                    if let Some(top) = open.last_mut() {
                        top.key = Some(key);
                    }
                }
                break;
            }
        }
    }
}

/// An object (with the key waiting for its value) or an array (with the
/// index of its next item) being filled.
struct Open {
    t: crate::lua::TableRef,
    key: Option<Value>,
    next: i64,
}

/// Decodes one JSON text into a Lua value (`null` becomes `cjson.null`, the
/// NULL light userdata).
pub(crate) fn decode(vm: &mut Vm, cfg: &Cfg, data: &[u8]) -> Result<Value, LuaError> {
    if data.len() >= 2 && (data[0] == 0 || data[1] == 0) {
        return Err(vm.error_str("JSON parser does not support UTF-16 or UTF-32"));
    }
    let mut p = Parser {
        data,
        pos: 0,
        depth: 0,
        cfg: *cfg,
        tmp: Vec::new(),
        index: 0,
    };
    let tok = p.next_token();
    let v = p.value(vm, tok)?;
    let tok = p.next_token();
    if tok != Tok::End {
        return Err(p.parse_error(vm, "the end", tok));
    }
    Ok(v)
}
