//! The lexer: turns Lua 5.1 source bytes into tokens, one at a time, as the
//! one-pass parser asks for them (Lua's `llex.c`).
//!
//! What it knows about, and how it mirrors `lua5.1`:
//! - reserved words, names (ASCII letters, digits, `_`; every byte `>= 0x80` is a
//!   one-byte token of its own, as in the C locale), the two- and three-byte
//!   operators `== <= >= ~= .. ...`;
//! - short strings with every 5.1 escape: `\a \b \f \n \r \t \v \\ \" \'`, a
//!   backslash before a newline (the newline is kept), `\ddd` with up to three
//!   decimal digits (`escape sequence too large` above 255), and any other escaped
//!   byte standing for itself (5.1 accepts `\q` as `q`);
//! - long strings and long comments `[==[ ... ]==]` of any level, skipping a
//!   first newline, and 5.1's "nesting of [[...]] is deprecated" error for `[[`
//!   inside a level-0 long string or comment;
//! - numerals read greedily as 5.1 reads them (digits and dots, an optional
//!   exponent sign, then any letters, digits or `_`) and converted like
//!   `luaO_str2d` ([`str2number`]: decimal via strtod rules, hexadecimal
//!   `0x...`), so `3x` is a "malformed number";
//! - line counting where `\n`, `\r`, `\r\n` and `\n\r` each end one line.
//!
//! Invariant: after [`Lexer::next`] the buffer `buf` holds the raw text of the
//! current token (for names, strings and numbers), which is what error messages
//! quote after `near`. Errors carry the complete message as `lua5.1` prints it:
//! `chunkname:line: message near 'token'`.

use std::fmt;

use super::numfmt::str2number;

/// A compile error, with the complete message as `lua5.1` prints it, e.g.
/// `[string "x = = 1"]:1: unexpected symbol near '='`.
///
/// `bytes` is the exact message (chunk names and quoted tokens may hold any
/// bytes, e.g. `near '\255'`); `message` is the same text as UTF-8, with invalid
/// sequences replaced. A Lua-visible error value should be built from `bytes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub bytes: Vec<u8>,
}

impl SyntaxError {
    /// An error with the exact message `bytes`.
    pub fn new(bytes: Vec<u8>) -> Self {
        SyntaxError {
            message: String::from_utf8_lossy(&bytes).into_owned(),
            bytes,
        }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SyntaxError {}

/// Token kinds. Single-byte tokens (`+`, `(`, ...) are `Char(byte)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Char(u8),
    And,
    Break,
    Do,
    Else,
    Elseif,
    End,
    False,
    For,
    Function,
    If,
    In,
    Local,
    Nil,
    Not,
    Or,
    Repeat,
    Return,
    Then,
    True,
    Until,
    While,
    /// `..`
    Concat,
    /// `...`
    Dots,
    /// `==`
    Eq,
    /// `>=`
    Ge,
    /// `<=`
    Le,
    /// `~=`
    Ne,
    Number,
    Name,
    String,
    Eos,
}

const RESERVED: [(&[u8], Token); 21] = [
    (b"and", Token::And),
    (b"break", Token::Break),
    (b"do", Token::Do),
    (b"else", Token::Else),
    (b"elseif", Token::Elseif),
    (b"end", Token::End),
    (b"false", Token::False),
    (b"for", Token::For),
    (b"function", Token::Function),
    (b"if", Token::If),
    (b"in", Token::In),
    (b"local", Token::Local),
    (b"nil", Token::Nil),
    (b"not", Token::Not),
    (b"or", Token::Or),
    (b"repeat", Token::Repeat),
    (b"return", Token::Return),
    (b"then", Token::Then),
    (b"true", Token::True),
    (b"until", Token::Until),
    (b"while", Token::While),
];

/// The reserved word spelled `w`, if any.
fn reserved(w: &[u8]) -> Option<Token> {
    if w.len() < 2 || w.len() > 8 || !w[0].is_ascii_lowercase() {
        return None;
    }
    RESERVED
        .iter()
        .find(|(word, _)| *word == w)
        .map(|&(_, t)| t)
}

impl Token {
    /// The token as 5.1's `luaX_token2str` shows it: the symbol itself, a reserved
    /// word, `<eof>`, `<name>`..., or `char(N)` for a control byte.
    pub fn to_text(self) -> Vec<u8> {
        let s: &str = match self {
            Token::Char(c) => {
                return if c < 32 || c == 127 {
                    format!("char({c})").into_bytes()
                } else {
                    vec![c]
                }
            }
            Token::Concat => "..",
            Token::Dots => "...",
            Token::Eq => "==",
            Token::Ge => ">=",
            Token::Le => "<=",
            Token::Ne => "~=",
            Token::Number => "<number>",
            Token::Name => "<name>",
            Token::String => "<string>",
            Token::Eos => "<eof>",
            other => {
                for (word, t) in RESERVED {
                    if t == other {
                        return word.to_vec();
                    }
                }
                "?"
            }
        };
        s.as_bytes().to_vec()
    }
}

/// A token with its semantic value.
#[derive(Clone, Debug)]
pub struct TokenInfo {
    pub token: Token,
    /// Value of a `Number`.
    pub num: f64,
    /// Bytes of a `Name` or `String`.
    pub text: Vec<u8>,
}

impl TokenInfo {
    fn eos() -> Self {
        TokenInfo {
            token: Token::Eos,
            num: 0.0,
            text: Vec::new(),
        }
    }
}

/// End of input marker for `current`.
const EOZ: i32 = -1;

/// The lexer state (Lua's `LexState` minus the parser's part).
pub struct Lexer<'a> {
    src: &'a [u8],
    /// Index of the byte after `current`.
    pos: usize,
    /// The byte under the cursor, or `EOZ`.
    current: i32,
    /// Line of `current`.
    pub linenumber: u32,
    /// Line of the last token consumed (instructions get this line).
    pub lastline: u32,
    /// The current token.
    pub t: TokenInfo,
    /// A token read ahead by [`Lexer::lookahead`], `Eos` when none.
    pub ahead: TokenInfo,
    /// Raw text of the token being scanned (see the module invariant).
    buf: Vec<u8>,
    /// The chunk name as given (`@file`, `=name` or source text).
    pub source: std::sync::Arc<[u8]>,
    /// A buffer handed back by the parser, reused for the next token's text.
    spare: Vec<u8>,
}

fn is_alpha(c: i32) -> bool {
    (b'a' as i32..=b'z' as i32).contains(&c) || (b'A' as i32..=b'Z' as i32).contains(&c)
}
fn is_digit(c: i32) -> bool {
    (b'0' as i32..=b'9' as i32).contains(&c)
}
fn is_alnum(c: i32) -> bool {
    is_alpha(c) || is_digit(c)
}
fn is_space(c: i32) -> bool {
    c == b' ' as i32 || (9..=13).contains(&c)
}
fn is_newline(c: i32) -> bool {
    c == b'\n' as i32 || c == b'\r' as i32
}

/// The chunk name as 5.1's lexer shows it in syntax errors (`luaO_chunkid` with
/// the parser's 80-byte buffer, which is wider than the runtime's).
pub fn syntax_chunk_id(source: &[u8]) -> Vec<u8> {
    const BUFFLEN: usize = 80;
    let mut out = Vec::with_capacity(BUFFLEN);
    if let Some(rest) = source.strip_prefix(b"=") {
        out.extend_from_slice(&rest[..rest.len().min(BUFFLEN - 1)]);
    } else if let Some(rest) = source.strip_prefix(b"@") {
        let room = BUFFLEN - 8; // sizeof(" '...' ")
        if rest.len() > room {
            out.extend_from_slice(b"...");
            out.extend_from_slice(&rest[rest.len() - room..]);
        } else {
            out.extend_from_slice(rest);
        }
    } else {
        // C stops at the first NUL too, since the name is a C string.
        let src = &source[..source.iter().position(|&c| c == 0).unwrap_or(source.len())];
        let room = BUFFLEN - 17; // sizeof(" [string \"...\"] ")
        let mut len = src
            .iter()
            .position(|&c| c == b'\n' || c == b'\r')
            .unwrap_or(src.len());
        if len > room {
            len = room;
        }
        out.extend_from_slice(b"[string \"");
        out.extend_from_slice(&src[..len]);
        if len < src.len() {
            out.extend_from_slice(b"...");
        }
        out.extend_from_slice(b"\"]");
    }
    out
}

impl<'a> Lexer<'a> {
    /// A lexer over `src`; `source` is the chunk name. Call [`Lexer::next`] to
    /// read the first token.
    pub fn new(src: &'a [u8], source: &[u8]) -> Self {
        let mut lx = Lexer {
            src,
            pos: 0,
            current: EOZ,
            linenumber: 1,
            lastline: 1,
            t: TokenInfo::eos(),
            ahead: TokenInfo::eos(),
            buf: Vec::new(),
            source: std::sync::Arc::from(source),
            spare: Vec::new(),
        };
        lx.advance();
        lx
    }

    #[inline]
    fn advance(&mut self) {
        self.current = match self.src.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                c as i32
            }
            None => EOZ,
        };
    }

    #[inline]
    fn save(&mut self, c: i32) {
        self.buf.push(c as u8);
    }

    #[inline]
    fn save_and_next(&mut self) {
        self.save(self.current);
        self.advance();
    }

    /// Builds an error at the current line; `near` names the token to quote.
    pub fn error(&self, msg: &str, near: Option<Token>) -> SyntaxError {
        let mut m = syntax_chunk_id(&self.source);
        m.extend_from_slice(format!(":{}: {}", self.linenumber, msg).as_bytes());
        // token 0 (a NUL byte) means "no token" to 5.1's error function
        if let Some(tok) = near.filter(|&t| t != Token::Char(0)) {
            m.extend_from_slice(b" near '");
            match tok {
                Token::Name | Token::String | Token::Number => m.extend_from_slice(self.raw_text()),
                other => m.extend_from_slice(&other.to_text()),
            }
            m.push(b'\'');
        }
        SyntaxError::new(m)
    }

    /// The raw text of the current token as C prints it: up to a first NUL.
    fn raw_text(&self) -> &[u8] {
        let end = self
            .buf
            .iter()
            .position(|&c| c == 0)
            .unwrap_or(self.buf.len());
        &self.buf[..end]
    }

    /// An error about the current token (`luaX_syntaxerror`).
    pub fn syntax_error(&self, msg: &str) -> SyntaxError {
        self.error(msg, Some(self.t.token))
    }

    /// Like [`Lexer::syntax_error`] with a message that may hold any bytes.
    pub fn syntax_error_bytes(&self, msg: &[u8]) -> SyntaxError {
        let mut m = syntax_chunk_id(&self.source);
        m.extend_from_slice(format!(":{}: ", self.linenumber).as_bytes());
        m.extend_from_slice(msg);
        if self.t.token != Token::Char(0) {
            m.extend_from_slice(b" near '");
            match self.t.token {
                Token::Name | Token::String | Token::Number => m.extend_from_slice(self.raw_text()),
                other => m.extend_from_slice(&other.to_text()),
            }
            m.push(b'\'');
        }
        SyntaxError::new(m)
    }

    fn inc_line(&mut self) -> Result<(), SyntaxError> {
        let old = self.current;
        self.advance(); // skip '\n' or '\r'
        if is_newline(self.current) && self.current != old {
            self.advance(); // skip '\n\r' or '\r\n'
        }
        self.linenumber += 1;
        if self.linenumber >= i32::MAX as u32 {
            return Err(self.syntax_error("chunk has too many lines"));
        }
        Ok(())
    }

    /// Moves to the next token (`luaX_next`).
    pub fn next_token(&mut self) -> Result<(), SyntaxError> {
        self.lastline = self.linenumber;
        if self.ahead.token != Token::Eos {
            std::mem::swap(&mut self.t, &mut self.ahead);
            self.ahead.token = Token::Eos;
        } else {
            let mut info = std::mem::replace(&mut self.t, TokenInfo::eos());
            if info.text.capacity() == 0 {
                std::mem::swap(&mut info.text, &mut self.spare);
            }
            info.token = self.scan(&mut info)?;
            self.t = info;
        }
        Ok(())
    }

    /// Hands back a token text the parser no longer needs, to save an
    /// allocation on the next name or string.
    pub fn recycle(&mut self, v: Vec<u8>) {
        if v.capacity() > self.spare.capacity() {
            self.spare = v;
        }
    }

    /// Reads the token after the current one without consuming it.
    pub fn lookahead(&mut self) -> Result<Token, SyntaxError> {
        let mut info = std::mem::replace(&mut self.ahead, TokenInfo::eos());
        info.token = self.scan(&mut info)?;
        self.ahead = info;
        Ok(self.ahead.token)
    }

    /// Consumes (and saves) the current byte if it is in `set`. Like 5.1's
    /// `check_next`, which uses C's `strchr`, a NUL byte matches every set.
    fn check_next(&mut self, set: &[u8]) -> bool {
        if self.current == 0 || (self.current >= 0 && set.contains(&(self.current as u8))) {
            self.save_and_next();
            true
        } else {
            false
        }
    }

    /// Counts `=` in a long bracket after `[` or `]` (which is saved); returns the
    /// level, or `-count - 1` when the bracket is not closed by a second `[`/`]`.
    fn skip_sep(&mut self) -> i32 {
        let s = self.current;
        let mut count = 0;
        self.save_and_next();
        while self.current == b'=' as i32 {
            self.save_and_next();
            count += 1;
        }
        if self.current == s {
            count
        } else {
            -count - 1
        }
    }

    /// Reads a long string (`is_string`) or long comment of level `sep`; the
    /// opening bracket's first `[` and `=`s are already saved.
    fn read_long_string(&mut self, is_string: bool, sep: i32) -> Result<(), SyntaxError> {
        self.save_and_next(); // second '['
        if is_newline(self.current) {
            self.inc_line()?;
        }
        loop {
            match self.current {
                EOZ => {
                    let msg = if is_string {
                        "unfinished long string"
                    } else {
                        "unfinished long comment"
                    };
                    return Err(self.error(msg, Some(Token::Eos)));
                }
                c if c == b'[' as i32 => {
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        if sep == 0 {
                            return Err(self.error(
                                "nesting of [[...]] is deprecated",
                                Some(Token::Char(b'[')),
                            ));
                        }
                    }
                }
                c if c == b']' as i32 => {
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        return Ok(());
                    }
                }
                c if is_newline(c) => {
                    self.save(b'\n' as i32);
                    self.inc_line()?;
                    if !is_string {
                        self.buf.clear();
                    }
                }
                _ => {
                    if is_string {
                        self.save_and_next();
                    } else {
                        self.advance();
                    }
                }
            }
        }
    }

    fn read_string(&mut self, del: i32, info: &mut TokenInfo) -> Result<(), SyntaxError> {
        self.save_and_next();
        while self.current != del {
            match self.current {
                EOZ => return Err(self.error("unfinished string", Some(Token::Eos))),
                c if is_newline(c) => {
                    return Err(self.error("unfinished string", Some(Token::String)))
                }
                c if c == b'\\' as i32 => {
                    self.advance(); // the backslash is not saved
                    let c = match self.current {
                        x if x == b'a' as i32 => 7,
                        x if x == b'b' as i32 => 8,
                        x if x == b'f' as i32 => 12,
                        x if x == b'n' as i32 => 10,
                        x if x == b'r' as i32 => 13,
                        x if x == b't' as i32 => 9,
                        x if x == b'v' as i32 => 11,
                        x if is_newline(x) => {
                            self.save(b'\n' as i32);
                            self.inc_line()?;
                            continue;
                        }
                        EOZ => continue, // the loop reports the unfinished string
                        x if is_digit(x) => {
                            let mut n = 0;
                            let mut i = 0;
                            while i < 3 && is_digit(self.current) {
                                n = n * 10 + (self.current - b'0' as i32);
                                self.advance();
                                i += 1;
                            }
                            if n > 255 {
                                return Err(
                                    self.error("escape sequence too large", Some(Token::String))
                                );
                            }
                            self.save(n);
                            continue;
                        }
                        _ => {
                            // `\\`, `\"`, `\'`, and any other byte: itself
                            self.save_and_next();
                            continue;
                        }
                    };
                    self.save(c);
                    self.advance();
                }
                _ => self.save_and_next(),
            }
        }
        self.save_and_next(); // closing delimiter
        info.text.clear();
        info.text
            .extend_from_slice(&self.buf[1..self.buf.len() - 1]);
        Ok(())
    }

    fn read_numeral(&mut self, info: &mut TokenInfo) -> Result<(), SyntaxError> {
        while is_digit(self.current) || self.current == b'.' as i32 {
            self.save_and_next();
        }
        if self.check_next(b"Ee") {
            self.check_next(b"+-");
        }
        while is_alnum(self.current) || self.current == b'_' as i32 {
            self.save_and_next();
        }
        // C converts the buffer as a C string: it ends at a NUL
        match str2number(self.raw_text()) {
            Some(v) => {
                info.num = v;
                Ok(())
            }
            None => Err(self.error("malformed number", Some(Token::Number))),
        }
    }

    /// Scans one token (`llex`).
    fn scan(&mut self, info: &mut TokenInfo) -> Result<Token, SyntaxError> {
        self.buf.clear();
        loop {
            let c = self.current;
            if c == EOZ {
                return Ok(Token::Eos);
            }
            let c = c as u8;
            match c {
                b'\n' | b'\r' => {
                    self.inc_line()?;
                }
                b'-' => {
                    self.advance();
                    if self.current != b'-' as i32 {
                        return Ok(Token::Char(b'-'));
                    }
                    // a comment
                    self.advance();
                    if self.current == b'[' as i32 {
                        let sep = self.skip_sep();
                        self.buf.clear();
                        if sep >= 0 {
                            self.read_long_string(false, sep)?;
                            self.buf.clear();
                            continue;
                        }
                    }
                    // short comment
                    while !is_newline(self.current) && self.current != EOZ {
                        self.advance();
                    }
                }
                b'[' => {
                    let sep = self.skip_sep();
                    if sep >= 0 {
                        self.read_long_string(true, sep)?;
                        let skip = (2 + sep) as usize;
                        info.text.clear();
                        info.text
                            .extend_from_slice(&self.buf[skip..self.buf.len() - skip]);
                        return Ok(Token::String);
                    } else if sep == -1 {
                        return Ok(Token::Char(b'['));
                    } else {
                        return Err(
                            self.error("invalid long string delimiter", Some(Token::String))
                        );
                    }
                }
                b'=' | b'<' | b'>' | b'~' => {
                    self.advance();
                    if self.current != b'=' as i32 {
                        return Ok(Token::Char(c));
                    }
                    self.advance();
                    return Ok(match c {
                        b'=' => Token::Eq,
                        b'<' => Token::Le,
                        b'>' => Token::Ge,
                        _ => Token::Ne,
                    });
                }
                b'"' | b'\'' => {
                    self.read_string(c as i32, info)?;
                    return Ok(Token::String);
                }
                b'.' => {
                    self.save_and_next();
                    if self.check_next(b".") {
                        if self.check_next(b".") {
                            return Ok(Token::Dots);
                        }
                        return Ok(Token::Concat);
                    } else if !is_digit(self.current) {
                        return Ok(Token::Char(b'.'));
                    }
                    self.read_numeral(info)?;
                    return Ok(Token::Number);
                }
                _ => {
                    let ci = c as i32;
                    if is_space(ci) {
                        self.advance();
                    } else if is_digit(ci) {
                        self.read_numeral(info)?;
                        return Ok(Token::Number);
                    } else if is_alpha(ci) || c == b'_' {
                        while is_alnum(self.current) || self.current == b'_' as i32 {
                            self.save_and_next();
                        }
                        if let Some(tok) = reserved(&self.buf) {
                            return Ok(tok);
                        }
                        info.text.clear();
                        info.text.extend_from_slice(&self.buf);
                        return Ok(Token::Name);
                    } else {
                        self.advance();
                        return Ok(Token::Char(c));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Result<Vec<(Token, Vec<u8>, u32)>, String> {
        let mut lx = Lexer::new(src.as_bytes(), b"=t");
        let mut out = Vec::new();
        loop {
            lx.next_token().map_err(|e| e.message)?;
            if lx.t.token == Token::Eos {
                return Ok(out);
            }
            let text = match lx.t.token {
                Token::Number => format!("{}", lx.t.num).into_bytes(),
                _ => lx.t.text.clone(),
            };
            out.push((lx.t.token, text, lx.linenumber));
        }
    }

    fn err(src: &str) -> String {
        tokens(src).unwrap_err()
    }

    #[test]
    fn operators_and_words() {
        let t: Vec<Token> = tokens("a.b ... .. == ~= <= >= < > = ~ and whilex")
            .unwrap()
            .into_iter()
            .map(|x| x.0)
            .collect();
        use Token::*;
        assert_eq!(
            t,
            vec![
                Name,
                Char(b'.'),
                Name,
                Dots,
                Concat,
                Eq,
                Ne,
                Le,
                Ge,
                Char(b'<'),
                Char(b'>'),
                Char(b'='),
                Char(b'~'),
                And,
                Name
            ]
        );
    }

    #[test]
    fn numbers() {
        let nums: Vec<Vec<u8>> =
            tokens("3 3.0 3.1416 314.16e-2 0.31416E1 0xff 0x56 .5 5. 1e2 0x1p4")
                .unwrap()
                .into_iter()
                .map(|x| x.1)
                .collect();
        let want = [
            "3", "3", "3.1416", "3.1416", "3.1416", "255", "86", "0.5", "5", "100", "16",
        ];
        for (n, w) in nums.iter().zip(want) {
            assert_eq!(n, w.as_bytes());
        }
        assert_eq!(nums.len(), want.len());
        assert_eq!(err("x = 3x"), "t:1: malformed number near '3x'");
        assert_eq!(err("x = 1e"), "t:1: malformed number near '1e'");
        assert_eq!(err("x = 1..2"), "t:1: malformed number near '1..2'");
        assert_eq!(err("x = 0xg"), "t:1: malformed number near '0xg'");
    }

    #[test]
    fn strings_and_escapes() {
        let t = tokens(
            r#"'a\tb' "q\"\\\'" "\65\066\0677" "\q" "a\
b""#,
        )
        .unwrap();
        assert_eq!(t[0].1, b"a\tb");
        assert_eq!(t[1].1, b"q\"\\'");
        assert_eq!(t[2].1, b"ABC7");
        assert_eq!(t[3].1, b"q");
        assert_eq!(t[4].1, b"a\nb");
        assert_eq!(t[4].2, 2);
        assert_eq!(tokens("'\\0'").unwrap()[0].1, b"\0");
        assert_eq!(err("x = \"abc"), "t:1: unfinished string near '<eof>'");
        assert_eq!(err("x = \"abc\ny"), "t:1: unfinished string near '\"abc'");
        assert_eq!(
            err("x = \"\\300\""),
            "t:1: escape sequence too large near '\"'"
        );
    }

    #[test]
    fn long_strings_and_comments() {
        let t = tokens("[[\nab\r\nc]] [==[x]]y]=]z]==] --[[ c\n ]] --[=[\n]=] -- x\n a").unwrap();
        assert_eq!(t[0].1, b"ab\nc");
        assert_eq!(t[1].1, b"x]]y]=]z");
        assert_eq!(t[2].1, b"a");
        assert_eq!(t[2].2, 6);
        assert_eq!(
            err("x = [==x"),
            "t:1: invalid long string delimiter near '[=='"
        );
        assert_eq!(
            err("x = [[ a [[ ]]"),
            "t:1: nesting of [[...]] is deprecated near '['"
        );
        assert_eq!(err("x = [[ a "), "t:1: unfinished long string near '<eof>'");
        assert_eq!(err("--[[ a "), "t:1: unfinished long comment near '<eof>'");
    }

    #[test]
    fn numeral_values_as_lua51_reads_them() {
        // value of `return <numeral>` in lua5.1, printed with %.17g
        let cases: &[(&[u8], &str)] = &[
            (b"3", "3"),
            (b"3.0", "3"),
            (b"3.1416", "3.1415999999999999"),
            (b"314.16e-2", "3.1415999999999999"),
            (b"0.31416E1", "3.1415999999999999"),
            (b"0xff", "255"),
            (b"0x56", "86"),
            (b".5", "0.5"),
            (b"5.", "5"),
            (b"1e2", "100"),
            (b"0x1p4", "16"),
            (b"1e400", "inf"),
            (b"0x7fffffffffffffff", "9.2233720368547758e+18"),
            (b"9007199254740993", "9007199254740992"),
            (b"1.7976931348623157e308", "1.7976931348623157e+308"),
            (b"4.9e-324", "4.9406564584124654e-324"),
            (b"4.9e-325", "0"),
            (b"08", "8"),
            (b"1e-400", "0"),
            (b"123456789012345678901234567890", "1.2345678901234568e+29"),
            (b"0.1", "0.10000000000000001"),
            (b"0.30000000000000004", "0.30000000000000004"),
            (b"2.5e-5", "2.5000000000000001e-05"),
            (b"0xffffffffffffffffff", "4.7223664828696452e+21"),
            (b"1E+10", "10000000000"),
            (b"7e-0", "7"),
        ];
        for (src, want) in cases {
            let want: f64 = want.parse().unwrap();
            let mut lx = Lexer::new(src, b"=t");
            lx.next_token().unwrap();
            assert_eq!(lx.t.token, Token::Number);
            assert_eq!(
                lx.t.num.to_bits(),
                want.to_bits(),
                "{}",
                String::from_utf8_lossy(src)
            );
        }
    }

    #[test]
    fn line_counting() {
        // \r\n and \n\r each count once; \n\n counts twice
        let t = tokens("a\r\nb\n\rc\n\nd\re").unwrap();
        let lines: Vec<u32> = t.iter().map(|x| x.2).collect();
        assert_eq!(lines, vec![1, 2, 3, 5, 6]);
    }

    #[test]
    fn chunk_ids() {
        assert_eq!(syntax_chunk_id(b"=stdin"), b"stdin");
        assert_eq!(syntax_chunk_id(b"@a.lua"), b"a.lua");
        assert_eq!(syntax_chunk_id(b"x=1\ny"), b"[string \"x=1...\"]");
        let long = vec![b'a'; 100];
        let id = syntax_chunk_id(&long);
        assert_eq!(id.len(), 9 + 63 + 3 + 2);
        let mut f = b"@".to_vec();
        f.extend_from_slice(&[b'b'; 100]);
        assert_eq!(syntax_chunk_id(&f).len(), 3 + 72);
    }

    #[test]
    fn control_and_high_bytes() {
        assert_eq!(Token::Char(1).to_text(), b"char(1)");
        assert_eq!(Token::Char(0x80).to_text(), vec![0x80]);
        assert_eq!(Token::Eos.to_text(), b"<eof>");
        assert_eq!(Token::Function.to_text(), b"function");
    }
}
