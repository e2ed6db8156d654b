//! Lua 5.1 patterns over byte strings: the matcher behind `string.find`, `match`,
//! `gmatch` and `gsub`, independent of the VM.
//!
//! A pattern is a sequence of items. A *single-character class* is a literal byte,
//! `.` (any byte), `%x` with `x` one of `a c d l p s u w x z` (C-locale classes;
//! the upper-case letter is the complement) or any other `%x` (that byte itself),
//! or a set `[...]` (bytes, ranges `a-z`, `%` classes, `^` complement). A class may
//! be followed by `*` (longest run), `+` (one or more, longest), `-` (shortest run)
//! or `?` (optional). Other items: `(`...`)` captures, `()` position captures,
//! `%1`-`%9` back-references, `%bxy` balanced runs, `%f[set]` frontiers, and the
//! anchors `^` (at the start, handled by [`find`]/[`split_anchor`]) and `$` (at the end).
//!
//! Faithful to 5.1 in its details: the pattern ends at its first NUL byte (5.1 reads
//! it as a C string); the byte "before" the subject and "after" it read as NUL for
//! `%f`; a back-reference to a position capture never matches; the error texts are
//! 5.1's (`malformed pattern (ends with '%')`, `malformed pattern (missing ']')`,
//! `missing '[' after '%f' in pattern`, `unbalanced pattern`, `invalid capture index`,
//! `invalid pattern capture`, `unfinished capture`, `too many captures`).
//!
//! Invariants: no panics, and the Rust stack stays bounded. Like 5.1 the matcher
//! recurses only for captures and quantifiers and loops for everything else; unlike
//! 5.1 (which has no limit and can exhaust the C stack) the nesting is capped at
//! [`MAX_DEPTH`], past which matching fails with `pattern too complex` (the text
//! Lua 5.2+ uses for the same limit). Running time is polynomial, as in 5.1: a
//! pattern with k quantified items may take O(n^k) steps on a subject of n bytes.

/// Most captures a pattern may open (5.1's `LUA_MAXCAPTURES`).
pub const MAX_CAPTURES: usize = 32;

/// Deepest recursion of the matcher before it gives up with `pattern too complex`.
pub const MAX_DEPTH: usize = 200;

/// Matcher steps between two reports to a [`Meter`].
pub const METER_QUANTUM: u32 = 256;

/// The error text matching stops with when a [`Meter`] says stop; the caller
/// that supplied the meter knows the real reason and raises that instead.
pub const STOPPED: &str = "pattern matching stopped";

/// Where a matcher reports its work: every [`METER_QUANTUM`] steps it calls
/// `tick`, and stops (with the error [`STOPPED`]) when `tick` answers false.
/// This is how a pattern that backtracks for ages stays interruptible: the
/// string library's meter charges the VM's instruction budget, so the hook
/// (SCRIPT KILL, the instruction limit) runs during a long match.
pub trait Meter {
    fn tick(&mut self, steps: u32) -> bool;
}

/// No meter: matching runs to its end.
impl Meter for () {
    fn tick(&mut self, _steps: u32) -> bool {
        true
    }
}

/// One capture of a successful match, in 0-based byte offsets of the subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// The bytes `start..end` of the subject (`(...)`).
    Range(usize, usize),
    /// A position capture `()`: the offset `p` (Lua shows it as `p + 1`).
    Position(usize),
}

/// Internal capture state: still open, a position, or a closed length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CapLen {
    Unfinished,
    Position,
    Len(usize),
}

/// A successful match: the whole matched range and the captures.
#[derive(Debug, Clone)]
pub struct Match {
    /// Offset of the first matched byte.
    pub start: usize,
    /// Offset just past the last matched byte (`start == end` for an empty match).
    pub end: usize,
    level: usize,
    caps: [(usize, CapLen); MAX_CAPTURES],
}

impl Match {
    /// Number of captures the pattern made (0 when it has none).
    pub fn len(&self) -> usize {
        self.level
    }

    /// True when the pattern has no captures.
    pub fn is_empty(&self) -> bool {
        self.level == 0
    }

    /// Capture `i` (0-based), as 5.1 pushes it: an error `unfinished capture` when
    /// its `(` was never closed (e.g. the pattern `"(a"`), `invalid capture index`
    /// when `i` is out of range.
    pub fn capture(&self, i: usize) -> Result<Capture, String> {
        if i >= self.level {
            return Err("invalid capture index".into());
        }
        let (start, len) = self.caps[i];
        match len {
            CapLen::Unfinished => Err("unfinished capture".into()),
            CapLen::Position => Ok(Capture::Position(start)),
            CapLen::Len(n) => Ok(Capture::Range(start, start + n)),
        }
    }

    /// What 5.1's `push_onecapture` gives for index `i`: capture `i`, or the whole
    /// match when the pattern has no captures and `i == 0` (this is what `match`,
    /// `gmatch`, and `gsub`'s `%1`, table and function replacements use).
    pub fn capture_or_whole(&self, i: usize) -> Result<Capture, String> {
        if i >= self.level && i == 0 {
            Ok(Capture::Range(self.start, self.end))
        } else {
            self.capture(i)
        }
    }

    /// How many values `string.match`/`gmatch` return: the captures, or 1 (the
    /// whole match) when there are none.
    pub fn result_count(&self) -> usize {
        self.level.max(1)
    }
}

/// Splits a leading `^` off `pat`: `(anchored, rest)`. `find`, `match` and `gsub`
/// treat it as an anchor; `gmatch` does not (there it is a literal `^`).
pub fn split_anchor(pat: &[u8]) -> (bool, &[u8]) {
    match pat.first() {
        Some(b'^') => (true, &pat[1..]),
        _ => (false, pat),
    }
}

/// True when `pat` has a byte that makes it a pattern rather than plain text
/// (`^$*+?.([%-`), looking only before its first NUL byte as 5.1's `strpbrk` does.
/// When false, `string.find` searches for `pat` (all of it, NULs included) as a
/// plain substring.
pub fn has_specials(pat: &[u8]) -> bool {
    pat.iter()
        .take_while(|&&b| b != 0)
        .any(|b| b"^$*+?.([%-".contains(b))
}

/// Finds the first match of `pat` in `src` starting at or after offset `init`
/// (0-based, `init <= src.len()`; larger values find nothing). A leading `^`
/// anchors the match at `init`. Empty matches are possible, also at `src.len()`.
/// (`string.find` converts Lua's 1-based, possibly negative `init` and clamps it to
/// the length first, and searches plainly when [`has_specials`] is false.)
///
/// ```
/// use ferrous::lua::stdlib::lpattern::{find, Capture};
/// let m = find(b"key = value", b"(%w+)%s*=%s*()", 0).unwrap().unwrap();
/// assert_eq!((m.start, m.end), (0, 6));
/// assert_eq!(m.capture(0), Ok(Capture::Range(0, 3)));
/// assert_eq!(m.capture(1), Ok(Capture::Position(6))); // Lua shows 7
/// assert_eq!(find(b"abc", b"(a", 0).unwrap().unwrap().capture(0), Err("unfinished capture".to_string()));
/// ```
pub fn find(src: &[u8], pat: &[u8], init: usize) -> Result<Option<Match>, String> {
    if init > src.len() {
        return Ok(None);
    }
    let (anchored, pat) = split_anchor(pat);
    let mut ms = Matcher::new(src, pat);
    let mut s = init;
    loop {
        if let Some(m) = ms.try_at(s)? {
            return Ok(Some(m));
        }
        s += 1;
        if anchored || s > src.len() {
            return Ok(None);
        }
    }
}

/// Tries to match `pat` (used as given: a leading `^` is *not* an anchor here) at
/// exactly offset `pos` of `src`. This is the step of `gmatch` and, after
/// [`split_anchor`], of `gsub`.
pub fn match_at(src: &[u8], pat: &[u8], pos: usize) -> Result<Option<Match>, String> {
    if pos > src.len() {
        return Ok(None);
    }
    Matcher::new(src, pat).try_at(pos)
}

/// A reusable matcher for one subject and pattern, for loops (`gmatch`, `gsub`)
/// that try many positions.
pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    level: usize,
    caps: [(usize, CapLen); MAX_CAPTURES],
    depth: usize,
    /// Steps (calls of `do_match`) since the meter was last told.
    steps: u32,
    /// The class `pat[p..ep]` every match must start with, when the pattern opens
    /// with such a class (after at most [`MAX_CAPTURES`] `(`) quantified by nothing
    /// or `+` (see [`Matcher::may_start_at`]).
    first: Option<(usize, usize)>,
}

impl<'a> Matcher<'a> {
    /// Prepares to match `pat` (up to its first NUL byte) against `src`.
    pub fn new(src: &'a [u8], pat: &'a [u8]) -> Matcher<'a> {
        let pat = match pat.iter().position(|&b| b == 0) {
            Some(n) => &pat[..n],
            None => pat,
        };
        let mut m = Matcher {
            src,
            pat,
            level: 0,
            caps: [(0, CapLen::Unfinished); MAX_CAPTURES],
            depth: 0,
            steps: 0,
            first: None,
        };
        m.first = m.first_class();
        m
    }

    /// The leading single-character class that any match must consume, if any.
    /// Leading captures consume nothing and are skipped (at most as many as may
    /// be open, so a pattern that fails with `too many captures` keeps failing).
    /// A class with a syntax error gives `None`, leaving the error to the matcher.
    fn first_class(&self) -> Option<(usize, usize)> {
        let mut p = 0;
        let mut opened = 0;
        while self.pc(p) == b'(' {
            opened += 1;
            if opened > MAX_CAPTURES {
                return None;
            }
            p += if self.pc(p + 1) == b')' { 2 } else { 1 };
        }
        if p >= self.pat.len() {
            return None;
        }
        match self.pat[p] {
            b'(' | b')' => return None,
            b'%' if matches!(self.pc(p + 1), b'b' | b'f' | b'0'..=b'9') => return None,
            b'$' if p + 1 == self.pat.len() => return None,
            _ => {}
        }
        let ep = self.class_end(p).ok()?;
        match self.pc(ep) {
            b'*' | b'?' | b'-' => None,
            _ => Some((p, ep)),
        }
    }

    /// False when no match can start at offset `s`: the pattern opens with a
    /// class that must consume a byte and the byte at `s` is not in it. A cheap
    /// filter for search loops; calling [`Matcher::end_at`] there would fail too.
    #[inline]
    pub fn may_start_at(&self, s: usize) -> bool {
        match self.first {
            None => true,
            Some((p, ep)) => s < self.src.len() && self.single_match(self.src[s], p, ep),
        }
    }

    /// Tries the whole pattern at offset `s` (no anchor processing).
    pub fn try_at(&mut self, s: usize) -> Result<Option<Match>, String> {
        self.try_at_metered(s, &mut ())
    }

    /// [`Matcher::try_at`], reporting its work to `m`.
    pub fn try_at_metered(
        &mut self,
        s: usize,
        meter: &mut dyn Meter,
    ) -> Result<Option<Match>, String> {
        self.level = 0;
        self.depth = 0;
        Ok(self.do_match(meter, s, 0)?.map(|end| Match {
            start: s,
            end,
            level: self.level,
            caps: self.caps,
        }))
    }

    /// Like [`Matcher::try_at`] but returns only the end of the match and leaves
    /// the captures in the matcher, to be taken with [`Matcher::snapshot`]. For
    /// loops over many positions: a failed try copies no capture array.
    pub fn end_at(&mut self, s: usize) -> Result<Option<usize>, String> {
        self.end_at_metered(s, &mut ())
    }

    /// [`Matcher::end_at`], reporting its work to `m`.
    pub fn end_at_metered(
        &mut self,
        s: usize,
        meter: &mut dyn Meter,
    ) -> Result<Option<usize>, String> {
        self.level = 0;
        self.depth = 0;
        self.do_match(meter, s, 0)
    }

    /// The match `start..end` that [`Matcher::end_at`] just found, with its captures.
    pub fn snapshot(&self, start: usize, end: usize) -> Match {
        Match {
            start,
            end,
            level: self.level,
            caps: self.caps,
        }
    }

    /// Pattern byte at `p`, or 0 past the end (C's terminator).
    fn pc(&self, p: usize) -> u8 {
        self.pat.get(p).copied().unwrap_or(0)
    }

    /// Matches the pattern from `p` against the subject from `s`; returns the end
    /// of the match. Loops where 5.1 uses `goto init`, recurses where it recurses.
    fn do_match(
        &mut self,
        meter: &mut dyn Meter,
        s: usize,
        p: usize,
    ) -> Result<Option<usize>, String> {
        self.steps += 1;
        if self.steps >= METER_QUANTUM {
            self.steps = 0;
            if !meter.tick(METER_QUANTUM) {
                return Err(STOPPED.into());
            }
        }
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("pattern too complex".into());
        }
        let r = self.match_loop(meter, s, p);
        self.depth -= 1;
        r
    }

    fn match_loop(
        &mut self,
        meter: &mut dyn Meter,
        mut s: usize,
        mut p: usize,
    ) -> Result<Option<usize>, String> {
        loop {
            if p >= self.pat.len() {
                return Ok(Some(s));
            }
            match self.pat[p] {
                b'(' => {
                    return if self.pc(p + 1) == b')' {
                        self.start_capture(meter, s, p + 2, CapLen::Position)
                    } else {
                        self.start_capture(meter, s, p + 1, CapLen::Unfinished)
                    };
                }
                b')' => return self.end_capture(meter, s, p + 1),
                b'%' if self.pc(p + 1) == b'b' => match self.match_balance(s, p + 2)? {
                    Some(e) => {
                        s = e;
                        p += 4;
                        continue;
                    }
                    None => return Ok(None),
                },
                b'%' if self.pc(p + 1) == b'f' => {
                    p += 2;
                    if self.pc(p) != b'[' {
                        return Err("missing '[' after '%f' in pattern".into());
                    }
                    let ep = self.class_end(p)?;
                    let prev = if s == 0 { 0 } else { self.src[s - 1] };
                    let cur = self.src.get(s).copied().unwrap_or(0);
                    if self.match_bracket(prev, p, ep - 1) || !self.match_bracket(cur, p, ep - 1) {
                        return Ok(None);
                    }
                    p = ep;
                    continue;
                }
                b'%' if self.pc(p + 1).is_ascii_digit() => {
                    match self.match_backref(s, self.pc(p + 1))? {
                        Some(e) => {
                            s = e;
                            p += 2;
                            continue;
                        }
                        None => return Ok(None),
                    }
                }
                b'$' if p + 1 == self.pat.len() => {
                    return Ok(if s == self.src.len() { Some(s) } else { None });
                }
                _ => {}
            }
            // A single-character class, maybe followed by a quantifier.
            let ep = self.class_end(p)?;
            let m = s < self.src.len() && self.single_match(self.src[s], p, ep);
            match self.pc(ep) {
                b'?' => {
                    if m {
                        if let Some(e) = self.do_match(meter, s + 1, ep + 1)? {
                            return Ok(Some(e));
                        }
                    }
                    p = ep + 1;
                }
                b'*' => return self.max_expand(meter, s, p, ep),
                b'+' => {
                    return if m {
                        self.max_expand(meter, s + 1, p, ep)
                    } else {
                        Ok(None)
                    }
                }
                b'-' => return self.min_expand(meter, s, p, ep),
                _ => {
                    if !m {
                        return Ok(None);
                    }
                    s += 1;
                    p = ep;
                }
            }
        }
    }

    /// Offset just past the single-character class starting at `p`.
    fn class_end(&self, p: usize) -> Result<usize, String> {
        let mut p = p;
        let c = self.pc(p);
        p += 1;
        if c == b'%' {
            if p >= self.pat.len() {
                return Err("malformed pattern (ends with '%')".into());
            }
            return Ok(p + 1);
        }
        if c == b'[' {
            if self.pc(p) == b'^' {
                p += 1;
            }
            // The first byte of the set is taken even if it is ']'.
            loop {
                if p >= self.pat.len() {
                    return Err("malformed pattern (missing ']')".into());
                }
                let b = self.pat[p];
                p += 1;
                if b == b'%' && p < self.pat.len() {
                    p += 1;
                }
                if self.pc(p) == b']' {
                    return Ok(p + 1);
                }
            }
        }
        Ok(p)
    }

    /// Does byte `c` match the class `pat[p..ep]`?
    fn single_match(&self, c: u8, p: usize, ep: usize) -> bool {
        match self.pat[p] {
            b'.' => true,
            b'%' => class_matches(c, self.pc(p + 1)),
            b'[' => self.match_bracket(c, p, ep - 1),
            b => b == c,
        }
    }

    /// Does `c` belong to the set `pat[p..=ec]` (`p` at `[`, `ec` at `]`)?
    fn match_bracket(&self, c: u8, p: usize, ec: usize) -> bool {
        let mut p = p;
        let mut found = true; // value returned on a hit
        if self.pc(p + 1) == b'^' {
            found = false;
            p += 1;
        }
        p += 1;
        while p < ec {
            let b = self.pat[p];
            if b == b'%' {
                p += 1;
                if class_matches(c, self.pc(p)) {
                    return found;
                }
            } else if self.pc(p + 1) == b'-' && p + 2 < ec {
                if b <= c && c <= self.pat[p + 2] {
                    return found;
                }
                p += 2;
            } else if b == c {
                return found;
            }
            p += 1;
        }
        !found
    }

    fn max_expand(
        &mut self,
        meter: &mut dyn Meter,
        s: usize,
        p: usize,
        ep: usize,
    ) -> Result<Option<usize>, String> {
        let mut i = 0;
        while s + i < self.src.len() && self.single_match(self.src[s + i], p, ep) {
            i += 1;
        }
        let need = self.next_literal(ep + 1);
        loop {
            let at = s + i;
            // Skip the tries the next literal byte already rules out.
            let possible = match need {
                None => true,
                Some(c) => self.src.get(at) == Some(&c),
            };
            if possible {
                if let Some(e) = self.do_match(meter, at, ep + 1)? {
                    return Ok(Some(e));
                }
            }
            if i == 0 {
                return Ok(None);
            }
            i -= 1;
        }
    }

    /// When every match of the rest of the pattern from `p` must begin with one
    /// known byte, that byte. Only `)` may come before it (each closing a capture
    /// that is open, so it consumes nothing and cannot fail); the byte must be a
    /// literal not made optional by `*`, `?` or `-`.
    fn next_literal(&self, mut p: usize) -> Option<u8> {
        let mut open = self.caps[..self.level]
            .iter()
            .filter(|c| c.1 == CapLen::Unfinished)
            .count();
        while p < self.pat.len() && self.pat[p] == b')' {
            if open == 0 {
                return None;
            }
            open -= 1;
            p += 1;
        }
        let c = *self.pat.get(p)?;
        if b"()%[.".contains(&c) || (c == b'$' && p + 1 == self.pat.len()) {
            return None;
        }
        match self.pc(p + 1) {
            b'*' | b'?' | b'-' => None,
            _ => Some(c),
        }
    }

    fn min_expand(
        &mut self,
        meter: &mut dyn Meter,
        mut s: usize,
        p: usize,
        ep: usize,
    ) -> Result<Option<usize>, String> {
        loop {
            if let Some(e) = self.do_match(meter, s, ep + 1)? {
                return Ok(Some(e));
            }
            if s < self.src.len() && self.single_match(self.src[s], p, ep) {
                s += 1;
            } else {
                return Ok(None);
            }
        }
    }

    fn start_capture(
        &mut self,
        meter: &mut dyn Meter,
        s: usize,
        p: usize,
        what: CapLen,
    ) -> Result<Option<usize>, String> {
        if self.level >= MAX_CAPTURES {
            return Err("too many captures".into());
        }
        self.caps[self.level] = (s, what);
        self.level += 1;
        let r = self.do_match(meter, s, p)?;
        if r.is_none() {
            self.level -= 1;
        }
        Ok(r)
    }

    fn end_capture(
        &mut self,
        meter: &mut dyn Meter,
        s: usize,
        p: usize,
    ) -> Result<Option<usize>, String> {
        let l = (0..self.level)
            .rev()
            .find(|&i| self.caps[i].1 == CapLen::Unfinished)
            .ok_or_else(|| "invalid pattern capture".to_string())?;
        self.caps[l].1 = CapLen::Len(s - self.caps[l].0);
        let r = self.do_match(meter, s, p)?;
        if r.is_none() {
            self.caps[l].1 = CapLen::Unfinished;
        }
        Ok(r)
    }

    fn match_balance(&self, s: usize, p: usize) -> Result<Option<usize>, String> {
        if p + 1 >= self.pat.len() {
            return Err("unbalanced pattern".into());
        }
        let (open, close) = (self.pat[p], self.pat[p + 1]);
        if s >= self.src.len() || self.src[s] != open {
            return Ok(None);
        }
        let mut depth = 1;
        for i in s + 1..self.src.len() {
            let c = self.src[i];
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return Ok(Some(i + 1));
                }
            } else if c == open {
                depth += 1;
            }
        }
        Ok(None)
    }

    fn match_backref(&self, s: usize, digit: u8) -> Result<Option<usize>, String> {
        let l = (digit as usize).wrapping_sub(b'1' as usize);
        if l >= self.level || self.caps[l].1 == CapLen::Unfinished {
            return Err("invalid capture index".into());
        }
        let (start, len) = self.caps[l];
        match len {
            CapLen::Len(n)
                if self.src.len() - s >= n && self.src[start..start + n] == self.src[s..s + n] =>
            {
                Ok(Some(s + n))
            }
            _ => Ok(None),
        }
    }
}

/// Does byte `c` belong to the class named by `cl` (the byte after `%`)?
/// Letters name C-locale classes (upper case: the complement); any other byte
/// stands for itself.
pub fn class_matches(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c.is_ascii_control(),
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_uppercase() {
        !res
    } else {
        res
    }
}

/// Expands a `gsub` replacement string for match `m` of `src`, appending to `out`.
/// `%0` is the whole match, `%1`-`%9` the captures (`%1` is the whole match when the
/// pattern has none), a position capture expands to its 1-based number; `%` followed
/// by any other byte inserts that byte (so `%%` is `%`), and a `%` at the very end
/// inserts a NUL byte, as 5.1 does. Errors: `invalid capture index`,
/// `unfinished capture`.
pub fn expand_replacement(
    src: &[u8],
    m: &Match,
    repl: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let mut i = 0;
    while i < repl.len() {
        let c = repl[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let d = repl.get(i).copied().unwrap_or(0);
        i += 1;
        if !d.is_ascii_digit() {
            out.push(d);
        } else if d == b'0' {
            out.extend_from_slice(&src[m.start..m.end]);
        } else {
            match m.capture_or_whole((d - b'1') as usize)? {
                Capture::Range(a, b) => out.extend_from_slice(&src[a..b]),
                Capture::Position(p) => crate::num::push_i64(out, p as i64 + 1),
            }
        }
    }
    Ok(())
}

/// `string.gsub(src, pat, repl, max_n)` for a string `repl`: the new string and the
/// number of matches replaced. See [`gsub_with`] for the loop's rules.
pub fn gsub_bytes(
    src: &[u8],
    pat: &[u8],
    repl: &[u8],
    max_n: usize,
) -> Result<(Vec<u8>, usize), String> {
    gsub_with(src, pat, max_n, &mut |m, out| {
        expand_replacement(src, m, repl, out)
    })
}

/// The replacement step of [`gsub_with`]: given a match, append its replacement.
pub type Replacer<'r> = dyn FnMut(&Match, &mut Vec<u8>) -> Result<(), String> + 'r;

/// The loop of `string.gsub`, with the replacement left to `replace`, which gets
/// each match and appends whatever should stand for it (for a table or function
/// replacement: the value, or the matched text itself when it is `nil`/`false`).
/// Follows 5.1: a leading `^` anchors (one try only); after an empty match (or no
/// match) one byte of the subject is copied and the search moves on; at most
/// `max_n` matches are replaced. Returns the new string and the number of matches.
pub fn gsub_with(
    src: &[u8],
    pat: &[u8],
    max_n: usize,
    replace: &mut Replacer<'_>,
) -> Result<(Vec<u8>, usize), String> {
    let (anchored, pat) = split_anchor(pat);
    let mut ms = Matcher::new(src, pat);
    let mut out = Vec::with_capacity(src.len());
    let mut pos = 0;
    let mut n = 0;
    while n < max_n {
        let m = ms.try_at(pos)?;
        if let Some(m) = &m {
            n += 1;
            replace(m, &mut out)?;
        }
        match m {
            Some(m) if m.end > pos => pos = m.end,
            _ if pos < src.len() => {
                out.push(src[pos]);
                pos += 1;
            }
            _ => break,
        }
        if anchored {
            break;
        }
    }
    out.extend_from_slice(&src[pos..]);
    Ok((out, n))
}

/// One step of `string.gmatch`: the first match of `pat` (a leading `^` is *not*
/// an anchor here, as in 5.1) at or after `pos`, and the position the next step
/// starts from (the end of the match, or one past it for an empty match so the
/// loop always advances). `None` when there is no further match; once `pos`
/// exceeds `src.len()` there never is.
pub fn gmatch_step(src: &[u8], pat: &[u8], pos: usize) -> Result<Option<(Match, usize)>, String> {
    let mut ms = Matcher::new(src, pat);
    let mut s = pos;
    while s <= src.len() {
        if let Some(m) = ms.try_at(s)? {
            let next = if m.end == s { m.end + 1 } else { m.end };
            return Ok(Some((m, next)));
        }
        s += 1;
    }
    Ok(None)
}

/// Plain substring search (what `string.find` does with `plain = true`, or when the
/// pattern has no special characters): the offset of the first occurrence of
/// `needle` in `hay` at or after `init`. An empty needle is found at `init` (when
/// `init <= hay.len()`).
pub fn find_plain(hay: &[u8], needle: &[u8], init: usize) -> Option<usize> {
    if init > hay.len() {
        return None;
    }
    if needle.is_empty() {
        return Some(init);
    }
    let first = needle[0];
    let last_start = hay.len().checked_sub(needle.len())?;
    let mut i = init;
    while i <= last_start {
        match hay[i..=last_start].iter().position(|&b| b == first) {
            None => return None,
            Some(off) => {
                let at = i + off;
                if &hay[at..at + needle.len()] == needle {
                    return Some(at);
                }
                i = at + 1;
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Renders bytes as the generator did: printable ASCII as is, others as `\xNN`.
    fn esc(s: &[u8]) -> String {
        s.iter()
            .map(|&c| {
                if (32..127).contains(&c) {
                    (c as char).to_string()
                } else {
                    format!("\\x{c:02x}")
                }
            })
            .collect()
    }

    fn cap_text(src: &[u8], c: Capture) -> String {
        match c {
            Capture::Range(a, b) => esc(&src[a..b]),
            Capture::Position(p) => format!("#{}", p + 1),
        }
    }

    /// `string.find` as 5.1 returns it, joined with `|` (numbers as `#n`).
    fn lua_find(src: &[u8], pat: &[u8], init: usize) -> String {
        let init = init.min(src.len()); // the wrapper clamps as 5.1 does
        let m = match find(src, pat, init) {
            Err(e) => return format!("ERR:{e}"),
            Ok(None) => return "nil".into(),
            Ok(Some(m)) => m,
        };
        let mut parts = vec![format!("#{}", m.start + 1), format!("#{}", m.end)];
        for i in 0..m.len() {
            match m.capture(i) {
                Ok(c) => parts.push(cap_text(src, c)),
                Err(e) => return format!("ERR:{e}"),
            }
        }
        parts.join("|")
    }

    /// `string.gsub` with a string replacement, as 5.1 loops it.
    fn lua_gsub(src: &[u8], pat: &[u8], repl: &[u8], max_n: usize) -> String {
        match gsub_bytes(src, pat, repl, max_n) {
            Ok((out, n)) => format!("{}|#{n}", esc(&out)),
            Err(e) => format!("ERR:{e}"),
        }
    }

    /// `string.gmatch` results (two values per step, nil-padded), joined with `;`.
    fn lua_gmatch(src: &[u8], pat: &[u8]) -> String {
        let mut steps = Vec::new();
        let mut pos = 0;
        while let Some((m, next)) = gmatch_step(src, pat, pos).unwrap() {
            let mut vals = Vec::new();
            for i in 0..m.result_count() {
                vals.push(cap_text(src, m.capture_or_whole(i).unwrap()));
            }
            while vals.len() < 2 {
                vals.push("nil".into());
            }
            steps.push(vals[..2].join("|"));
            pos = next;
        }
        steps.join(";")
    }

    #[test]
    fn cases_match_lua51() {
        // Generated with lua5.1: string.find / gsub / gmatch results.
        let finds: &[(&[u8], &[u8], usize, &str)] = &[
            (b"hello world", b"o w", 0, "#5|#7"),
            (b"hello world", b"l+", 0, "#3|#4"),
            (b"hello world", b"l*", 0, "#1|#0"),
            (b"hello world", b"l-o", 0, "#3|#5"),
            (b"hello world", b"(h)(e)", 0, "#1|#2|h|e"),
            (b"hello world", b"()ll()", 0, "#3|#4|#3|#5"),
            (b"hello world", b"^hello", 0, "#1|#5"),
            (b"hello world", b"^world", 0, "nil"),
            (b"hello world", b"world$", 0, "#7|#11"),
            (b"hello world", b"o", 5, "#8|#8"),
            (b"hello world", b"%w+", 5, "#7|#11"),
            (b"  x = 10", b"(%w+)%s*=%s*(%w+)", 0, "#3|#8|x|10"),
            (b"THE (quick) fox", b"%((%a+)%)", 0, "#5|#11|quick"),
            (b"THE (quick) fox", b"%f[%a]%a+", 4, "#6|#10"),
            (b"THE (quick) fox", b"%f[%l]%a+", 0, "#6|#10"),
            (b"f(a(b)c)d", b"%b()", 0, "#2|#8"),
            (b"f(a(b)c", b"%b()", 0, "#4|#6"),
            (b"abcabc", b"(abc)%1", 0, "#1|#6|abc"),
            (b"abab", b"(a)(b)%2", 0, "nil"),
            (b"x = 'hi' y", b"(['\"])(.-)%1", 0, "#5|#8|'|hi"),
            (b"aaa", b"a-", 0, "#1|#0"),
            (b"aaa", b"a-$", 0, "#1|#3"),
            (b"aaa", b"^a?a?a?a?$", 0, "#1|#3"),
            (b"", b"", 0, "#1|#0"),
            (b"", b".*", 0, "#1|#0"),
            (b"abc", b"", 2, "#3|#2"),
            (b"abc", b"$", 0, "#4|#3"),
            (b"a$b", b"$b", 0, "#2|#3"),
            (b"a^b", b"a^", 0, "#1|#2"),
            (b"a.b", b"%.", 0, "#2|#2"),
            (b"a.b", b"[.]", 0, "#2|#2"),
            (b"a]b", b"[]]", 0, "#2|#2"),
            (b"a-b", b"[a-]+", 0, "#1|#2"),
            (b"a-b", b"[%a-]+", 0, "#1|#3"),
            (b"0x1F zz", b"%x+", 0, "#1|#1"),
            (b"ab12CD", b"%u+", 0, "#5|#6"),
            (b"ab12CD", b"%l+", 0, "#1|#2"),
            (b"ab12CD", b"%D+", 2, "#5|#6"),
            (b"ab12CD", b"[^%d]+$", 0, "#5|#6"),
            (b"tab\x09here", b"%s", 0, "#4|#4"),
            (b"a\x00b", b"%z", 0, "#2|#2"),
            (b"a\x00b", b"[%z]", 0, "#2|#2"),
            (b"a\x01b", b"%c", 0, "#2|#2"),
            (b"a,b;c", b"%p", 0, "#2|#2"),
            (b"a,b;c", b"[%p]+", 0, "#2|#2"),
            (b"abc", b"[b-a]", 0, "nil"),
            (b"abc", b"[^a-b]", 0, "#3|#3"),
            (b"12ab", b"^(%d+)(%a+)$", 0, "#1|#4|12|ab"),
            (b"aaab", b"a*b", 0, "#1|#4"),
            (b"aaab", b"a+b", 0, "#1|#4"),
            (b"b", b"a*b", 0, "#1|#1"),
            (b"b", b"a+b", 0, "nil"),
            (b"abc", b"((a)(b))c", 0, "#1|#3|ab|a|b"),
            (b"abc", b"(a(b(c)))", 0, "#1|#3|abc|bc|c"),
            (b"key=val", b"(%w+)=(%w*)", 0, "#1|#7|key|val"),
            (b"key=", b"(%w+)=(%w*)", 0, "#1|#4|key|"),
            (b"  trim  ", b"^%s*(.-)%s*$", 0, "#1|#8|trim"),
            (b"THE END", b"%f[%w]%w+$", 0, "#5|#7"),
            (b"abc", b"%f[%z]", 0, "#4|#3"),
            (b"abc", b"b", 9, "nil"),
            (b"x", b"[%]]", 0, "nil"),
            (b"x]", b"[%]]", 0, "#2|#2"),
            (b"alo", b"(.", 0, "ERR:unfinished capture"),
            (b"alo", b".)", 0, "ERR:invalid pattern capture"),
            (b"alo", b"%", 0, "ERR:malformed pattern (ends with '%')"),
            (b"alo", b"[a", 0, "ERR:malformed pattern (missing ']')"),
            (b"alo", b"[^", 0, "ERR:malformed pattern (missing ']')"),
            (b"alo", b"%f", 0, "ERR:missing '[' after '%f' in pattern"),
            (b"alo", b"%fx", 0, "ERR:missing '[' after '%f' in pattern"),
            (b"alo", b"%1", 0, "ERR:invalid capture index"),
            (b"alo", b"(a)%2", 0, "ERR:invalid capture index"),
            (b"alo", b"(a%1)", 0, "ERR:invalid capture index"),
            (b"alo", b"(%0)", 0, "ERR:invalid capture index"),
            (b"alo", b"%b", 0, "ERR:unbalanced pattern"),
            (b"alo", b"%ba", 0, "ERR:unbalanced pattern"),
            (b"alo", b"[%", 0, "ERR:malformed pattern (missing ']')"),
            (b"alo", b"()%1", 0, "nil"),
            (b"alo", b"(a", 0, "ERR:unfinished capture"),
            (b"alo", b"(a)(l", 0, "ERR:unfinished capture"),
            (b"aaa", b"(a)-", 0, "nil"),
            (b"ab", b"(%a)(%a)%1", 0, "nil"),
            (b"[[x]]", b"%[(=*)%[(.-)%]%1%]", 0, "#1|#5||x"),
            (b"hello", b"(l)(l)", 0, "#3|#4|l|l"),
            (b"hello", b"l?l", 0, "#3|#4"),
            (b"hello", b"x?h", 0, "#1|#1"),
            (b"hello", b".-l", 0, "#1|#3"),
            (b"hello", b"..-$", 0, "#1|#5"),
            (b"a+b", b"a+b", 0, "nil"),
            (b"a+b", b"a%+b", 0, "#1|#3"),
            (b"(x)", b"%(x%)", 0, "#1|#3"),
            (b"\xff\x80", b"[\x80-\xff]+", 0, "#1|#2"),
            (b"\xff\x80a", b"%A+", 0, "#1|#2"),
            (b"xyz", b"[%w_]+", 0, "#1|#3"),
            (b"word1 word2", b"%f[%S]%S+", 1, "#7|#11"),
            (b"THE (quick) fox", b"%f[%a]", 0, "#1|#0"),
            (b"\xc3\xa1\xc3\xa9", b"%a", 0, "nil"),
            (b"abc", b"^", 0, "#1|#0"),
            (b"abc", b"^$", 0, "nil"),
            (b"", b"^$", 0, "#1|#0"),
            (b"hello", b"^(h?)", 0, "#1|#1|h"),
            (b"hello", b"o?$", 0, "#5|#5"),
            (b"x=1,y=2", b"(%w)=(%d)", 3, "#5|#7|y|2"),
            (b"aaa", b"()a()", 0, "#1|#1|#1|#2"),
            (b"abc", b".", 3, "nil"),
        ];
        type GsubCase = (
            &'static [u8],
            &'static [u8],
            &'static [u8],
            usize,
            &'static str,
        );
        let gsubs: &[GsubCase] = &[
            (b"hello world", b"o", b"0", 1000000, "hell0 w0rld|#2"),
            (
                b"hello world",
                b"(o)",
                b"[%1]",
                1000000,
                "hell[o] w[o]rld|#2",
            ),
            (
                b"hello world",
                b"%w+",
                b"<%0>",
                1000000,
                "<hello> <world>|#2",
            ),
            (b"hello", b"", b"-", 1000000, "-h-e-l-l-o-|#6"),
            (b"hello", b"l*", b"X", 1000000, "XhXeXXoX|#5"),
            (b"abc", b"%w", b"%1%1", 1000000, "aabbcc|#3"),
            (b"abc", b"(a)", b"%2", 1000000, "ERR:invalid capture index"),
            (b"abc", b"a", b"%x", 1000000, "xbc|#1"),
            (b"abc", b"(a)", b"%1%0%%", 1000000, "aa%bc|#1"),
            (b"abc", b"a", b"%", 1000000, "\\x00bc|#1"),
            (b"abc", b"()", b"%1", 1000000, "1a2b3c4|#4"),
            (b"hello world", b"^h", b"H", 1000000, "Hello world|#1"),
            (b"hello world", b"o", b"0", 1, "hell0 world|#1"),
            (b"hello world", b"o", b"0", 0, "hello world|#0"),
            (b"abc", b"(a", b"x", 1000000, "xbc|#1"),
            (b"abc", b"(a", b"%1", 1000000, "ERR:unfinished capture"),
            (b"  x  ", b"^%s+", b"", 1000000, "x  |#1"),
            (b"a,b,,c", b",", b";", 1000000, "a;b;;c|#3"),
            (b"aaa", b"a-", b"!", 1000000, "!a!a!a!|#4"),
            (b"abc", b"b*", b"-", 1000000, "-a--c-|#4"),
            (b"x^y", b"^", b"!", 1000000, "!x^y|#1"),
            (b"abc", b"$", b"!", 1000000, "abc!|#1"),
            (b"abc", b".", b"%0%0", 2, "aabbc|#2"),
            (b"one two", b"(%w+) (%w+)", b"%2 %1", 1000000, "two one|#1"),
            (b"abc", b"%f[%w]", b"|", 1000000, "|abc|#1"),
            (
                b"ab",
                b"(a)(b)",
                b"%3",
                1000000,
                "ERR:invalid capture index",
            ),
        ];
        let gmatches: &[(&[u8], &[u8], &str)] = &[
            (b"one two  three", b"%a+", "one|nil;two|nil;three|nil"),
            (b"abcde", b"()", "#1|nil;#2|nil;#3|nil;#4|nil;#5|nil;#6|nil"),
            (b"k1=v1, k2=v2", b"(%w+)=(%w+)", "k1|v1;k2|v2"),
            (b"abc", b"", "|nil;|nil;|nil;|nil"),
            (b"a^b^", b"^", "^|nil;^|nil"),
            (b"xuxx uu ppar r", b"()(.)%2", "#3|x;#6|u;#9|p"),
            (b"aaa", b"a*", "aaa|nil;|nil"),
        ];
        for (src, pat, init, want) in finds {
            assert_eq!(
                lua_find(src, pat, *init),
                *want,
                "find {:?} {:?}",
                esc(src),
                esc(pat)
            );
        }
        for (src, pat, repl, n, want) in gsubs {
            assert_eq!(
                lua_gsub(src, pat, repl, *n),
                *want,
                "gsub {:?} {:?} {:?}",
                esc(src),
                esc(pat),
                esc(repl)
            );
        }
        for (src, pat, want) in gmatches {
            assert_eq!(
                lua_gmatch(src, pat),
                *want,
                "gmatch {:?} {:?}",
                esc(src),
                esc(pat)
            );
        }
    }

    #[test]
    fn plain_find() {
        assert_eq!(find_plain(b"hello world", b"o", 0), Some(4));
        assert_eq!(find_plain(b"hello world", b"o", 5), Some(7));
        assert_eq!(find_plain(b"hello world", b"o w", 0), Some(4));
        assert_eq!(find_plain(b"a.b", b".", 0), Some(1));
        assert_eq!(find_plain(b"abc", b"", 3), Some(3));
        assert_eq!(find_plain(b"abc", b"", 4), None);
        assert_eq!(find_plain(b"abc", b"abcd", 0), None);
        assert_eq!(find_plain(b"a\0b\0c", b"\0c", 0), Some(3));
        assert_eq!(find_plain(b"aaab", b"aab", 0), Some(1));
    }

    #[test]
    fn gsub_with_callback() {
        // Like string.gsub("abc", "%w", function(c) return c:upper() .. "." end).
        let (out, n) = gsub_with(b"abc", b"%w", usize::MAX, &mut |m, out| {
            out.push(b"abc"[m.start].to_ascii_uppercase());
            out.push(b'.');
            Ok(())
        })
        .unwrap();
        assert_eq!((out.as_slice(), n), (&b"A.B.C."[..], 3));
        let err = gsub_with(b"abc", b"%w", 5, &mut |_, _| Err("stop".into())).unwrap_err();
        assert_eq!(err, "stop");
    }

    #[test]
    fn limits() {
        // 32 captures are allowed, 33 are not (as in lua5.1).
        let src = vec![b'a'; 40];
        let p32 = b"(a)".repeat(32);
        assert_eq!(find(&src, &p32, 0).unwrap().unwrap().len(), 32);
        let p33 = b"(a)".repeat(33);
        assert_eq!(find(&src, &p33, 0).unwrap_err(), "too many captures");
        // Huge subjects: loops, not recursion (pm.lua's big-string checks).
        let big = vec![b'a'; 300_000];
        assert!(find(&big, b"^a*.?$", 0).unwrap().is_some());
        assert!(find(&big, b"^a*.?b$", 0).unwrap().is_none());
        assert!(find(&big, b"^a-.?$", 0).unwrap().is_some());
        // Deep nesting is an error, not a stack overflow.
        let deep = b"a?".repeat(5000);
        assert_eq!(
            find(&[b'a'; 300], &deep, 0).unwrap_err(),
            "pattern too complex"
        );
        assert!(find(&[b'a'; 150], &deep, 0).unwrap().is_some());
        // A pattern ends at its first NUL byte, as 5.1 reads it.
        assert_eq!(find(b"xab", b"a\0zzz", 0).unwrap().unwrap().start, 1);
        assert!(has_specials(b"a.b"));
        assert!(!has_specials(b"a\0.b"));
        assert!(!has_specials(b")"));
    }
}
