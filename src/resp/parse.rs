//! Incremental RESP2 request parser (multibulk and inline).
//!
//! A client sends either *multibulk* requests (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`, what
//! every client library and `redis-benchmark` send) or *inline* requests (`GET k\r\n`,
//! what a human types into `telnet`). The first byte of a request decides which.
//!
//! The parser is fed the connection's read buffer and a position in it. It takes whole
//! requests off the front and moves the position past them. Running out of bytes is
//! not an error: [`RequestParser::next`] returns `Ok(None)` and remembers how far it got
//! inside a multibulk request (how many arguments are still due, the length of the
//! bulk being read), so a request trickling in byte by byte is never re-scanned from
//! its start.
//!
//! Invariants, mirroring redis-server 7.0:
//! - A malformed request is a [`ProtocolError`] carrying Redis's exact words; the
//!   connection answers `-ERR Protocol error: ...` and is closed.
//! - Nothing is allocated from a length the client merely *claims*: argument vectors
//!   start at most 1024 slots, a bulk buffer grows only as its bytes arrive, and a
//!   bulk longer than `max_bulk_len` (`proto-max-bulk-len`) is refused up front.
//! - A header line (`*N`, `$N`) or an inline request without its newline may not grow
//!   past [`INLINE_MAX`] bytes: the client gets "too big ... request" instead.
//! - Empty requests (`*0`, `*-1`, blank inline lines) are skipped silently.
//! - Until the client authenticates (`unauthenticated`), Redis 7.0's tighter limits
//!   apply: at most 10 arguments and 16 KB per bulk.
//! - Executed requests may be handed back ([`RequestParser::recycle`]) so their
//!   argument buffers are reused; a large bulk may be read by the caller straight
//!   into its own buffer ([`RequestParser::wanted`], [`RequestParser::complete_bulk`]).

use crate::num::string2ll;

/// Longest inline request, or `*`/`$` header line, waited for without a newline
/// (Redis's `PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX: usize = 64 * 1024;

/// Largest multibulk argument count (Redis refuses counts above `INT_MAX`).
pub const MAX_MULTIBULK: i64 = i32::MAX as i64;

/// Default `proto-max-bulk-len`: 512 MB.
pub const DEFAULT_MAX_BULK_LEN: usize = 512 * 1024 * 1024;

/// A request the server cannot parse. `Display` gives the error reply's text
/// without the leading `-`, e.g. `ERR Protocol error: invalid bulk length`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl ProtocolError {
    fn new(what: &str) -> ProtocolError {
        ProtocolError(format!("ERR Protocol error: {what}"))
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One request: its arguments, `args[0]` being the command name.
pub type Request = Vec<Vec<u8>>;

/// The parser's memory between calls: where it is inside a multibulk request.
#[derive(Debug)]
pub struct RequestParser {
    /// Arguments of the multibulk request being read.
    args: Vec<Vec<u8>>,
    /// Arguments still due in the current multibulk request (0: between requests).
    remaining: usize,
    /// Length of the bulk whose `$N` header has been read but whose bytes have not.
    bulk_len: Option<usize>,
    /// `proto-max-bulk-len`: longest bulk argument accepted.
    pub max_bulk_len: usize,
    /// The client has not authenticated yet: Redis then refuses more than
    /// [`UNAUTH_MAX_ARGS`] arguments and bulks over [`UNAUTH_MAX_BULK`] bytes.
    pub unauthenticated: bool,
    /// Spent argument buffers handed back by [`RequestParser::recycle`], reused
    /// so that a steady stream of small requests allocates nothing.
    spare_args: Vec<Vec<u8>>,
    spare_requests: Vec<Request>,
}

/// Recycled buffers larger than this are freed instead of kept.
const SPARE_MAX_CAPACITY: usize = 4096;
/// At most this many spare argument buffers are kept.
const SPARE_MAX_COUNT: usize = 1024;

/// Most arguments an unauthenticated client may send in one request.
pub const UNAUTH_MAX_ARGS: i64 = 10;
/// Longest bulk an unauthenticated client may send.
pub const UNAUTH_MAX_BULK: usize = 16384;

impl Default for RequestParser {
    fn default() -> Self {
        RequestParser::new(DEFAULT_MAX_BULK_LEN)
    }
}

impl RequestParser {
    pub fn new(max_bulk_len: usize) -> RequestParser {
        RequestParser {
            args: Vec::new(),
            remaining: 0,
            bulk_len: None,
            max_bulk_len,
            unauthenticated: false,
            spare_args: Vec::new(),
            spare_requests: Vec::new(),
        }
    }

    /// Hands back an executed request so its buffers can hold later ones.
    pub fn recycle(&mut self, mut req: Request) {
        while let Some(arg) = req.pop() {
            if arg.capacity() <= SPARE_MAX_CAPACITY && self.spare_args.len() < SPARE_MAX_COUNT {
                self.spare_args.push(arg);
            }
        }
        if req.capacity() <= 64 && self.spare_requests.len() < 64 {
            self.spare_requests.push(req);
        }
    }

    /// Bytes the parser waits for, counted from where it stopped: the length of the
    /// bulk being read plus its CRLF, when its header has been read (so a
    /// connection can size its buffer once for a large argument).
    pub fn wanted(&self) -> Option<usize> {
        self.bulk_len.map(|n| n + 2)
    }

    /// Completes the bulk being read with `bytes`, which hold exactly
    /// [`RequestParser::wanted`] bytes (the data and its CRLF) that the caller read
    /// itself. Returns the request when that bulk was its last argument.
    pub fn complete_bulk(&mut self, mut bytes: Vec<u8>) -> Option<Request> {
        let len = self.bulk_len?;
        bytes.truncate(len);
        self.args.push(bytes);
        self.bulk_len = None;
        self.remaining -= 1;
        if self.remaining == 0 {
            Some(std::mem::take(&mut self.args))
        } else {
            None
        }
    }

    /// True when the parser is between requests (no partial multibulk pending).
    pub fn is_idle(&self) -> bool {
        self.remaining == 0 && self.bulk_len.is_none()
    }

    /// Takes the next whole request from `buf[*pos..]`, advancing `*pos` past it
    /// (and past any empty requests before it). `Ok(None)`: more bytes are needed;
    /// `*pos` then marks what has been consumed so far and the caller may drop
    /// `buf[..*pos]` before reading more.
    pub fn next(&mut self, buf: &[u8], pos: &mut usize) -> Result<Option<Request>, ProtocolError> {
        loop {
            if self.remaining == 0 {
                if *pos >= buf.len() {
                    return Ok(None);
                }
                if buf[*pos] != b'*' {
                    match self.parse_inline(buf, pos)? {
                        None => return Ok(None),
                        Some(args) if args.is_empty() => continue,
                        Some(args) => return Ok(Some(args)),
                    }
                }
                let Some(n) = header_line(buf, pos, "too big mbulk count string")? else {
                    return Ok(None);
                };
                let n = match n {
                    Some(n) if n <= MAX_MULTIBULK => n,
                    _ => return Err(ProtocolError::new("invalid multibulk length")),
                };
                if self.unauthenticated && n > UNAUTH_MAX_ARGS {
                    return Err(ProtocolError::new("unauthenticated multibulk length"));
                }
                if n <= 0 {
                    continue; // `*0` and `*-1` are empty requests
                }
                self.remaining = n as usize;
                self.args = match self.spare_requests.pop() {
                    Some(v) if self.remaining <= 64 => v,
                    _ => Vec::with_capacity(self.remaining.min(1024)),
                };
            }
            // Inside a multibulk request: read `$len` then `len` bytes, per argument.
            while self.remaining > 0 {
                let len = match self.bulk_len {
                    Some(len) => len,
                    None => {
                        if *pos >= buf.len() {
                            return Ok(None);
                        }
                        // Redis finds the header's end before looking at its type byte.
                        if find_cr(buf, *pos).is_none() {
                            if buf.len() - *pos > INLINE_MAX {
                                return Err(ProtocolError::new("too big bulk count string"));
                            }
                            return Ok(None);
                        }
                        if buf[*pos] != b'$' {
                            let got = buf[*pos] as char;
                            return Err(ProtocolError(format!(
                                "ERR Protocol error: expected '$', got '{got}'"
                            )));
                        }
                        let Some(n) = header_line(buf, pos, "too big bulk count string")? else {
                            return Ok(None);
                        };
                        match n {
                            Some(n) if n >= 0 && (n as u64) <= self.max_bulk_len as u64 => {
                                if self.unauthenticated && n as usize > UNAUTH_MAX_BULK {
                                    return Err(ProtocolError::new("unauthenticated bulk length"));
                                }
                                self.bulk_len = Some(n as usize);
                                n as usize
                            }
                            _ => return Err(ProtocolError::new("invalid bulk length")),
                        }
                    }
                };
                // The bulk and its trailing CRLF (whose bytes Redis does not check).
                if buf.len() - *pos < len + 2 {
                    return Ok(None);
                }
                let bytes = &buf[*pos..*pos + len];
                // A recycled buffer grows to fit if needed; spares converge to
                // the sizes this client sends.
                let arg = match self.spare_args.pop() {
                    Some(mut v) if len <= SPARE_MAX_CAPACITY => {
                        v.clear();
                        v.extend_from_slice(bytes);
                        v
                    }
                    _ => bytes.to_vec(),
                };
                self.args.push(arg);
                *pos += len + 2;
                self.bulk_len = None;
                self.remaining -= 1;
            }
            return Ok(Some(std::mem::take(&mut self.args)));
        }
    }
}

/// Position of the first `\r` at or after `from`.
fn find_cr(buf: &[u8], from: usize) -> Option<usize> {
    buf[from..]
        .iter()
        .position(|&b| b == b'\r')
        .map(|i| from + i)
}

/// Reads a `*N\r\n` or `$N\r\n` line at `*pos` (type byte already known).
/// `Ok(None)`: incomplete. `Ok(Some(None))`: the number does not parse.
fn header_line(
    buf: &[u8],
    pos: &mut usize,
    too_big: &str,
) -> Result<Option<Option<i64>>, ProtocolError> {
    // Fast path, what clients send: 1 to 18 digits without sign or leading zero,
    // then the line end. Anything else takes the general path below.
    let start = *pos + 1;
    let mut i = start;
    let mut n: i64 = 0;
    while i < buf.len() && i - start < 18 && buf[i].is_ascii_digit() {
        n = n * 10 + i64::from(buf[i] - b'0');
        i += 1;
    }
    if i > start && i + 1 < buf.len() && buf[i] == b'\r' && (buf[start] != b'0' || i == start + 1) {
        *pos = i + 2;
        return Ok(Some(Some(n)));
    }
    let Some(cr) = find_cr(buf, *pos) else {
        if buf.len() - *pos > INLINE_MAX {
            return Err(ProtocolError::new(too_big));
        }
        return Ok(None);
    };
    // Redis waits until the two line-ending bytes are there, without checking the `\n`.
    if cr + 2 > buf.len() {
        return Ok(None);
    }
    let n = string2ll(&buf[*pos + 1..cr]);
    *pos = cr + 2;
    Ok(Some(n))
}

impl RequestParser {
    /// Reads one inline request line at `*pos`. `Ok(None)`: no newline yet.
    fn parse_inline(
        &mut self,
        buf: &[u8],
        pos: &mut usize,
    ) -> Result<Option<Request>, ProtocolError> {
        // Fast path for plain words (no quotes, no NUL), into reused buffers.
        let rest = &buf[*pos..];
        if let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            let line = &rest[..nl];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            // (\v and \f separate words only before one, so they also go the long way.)
            if !line
                .iter()
                .any(|&b| matches!(b, b'"' | b'\'' | 0 | 0x0b | 0x0c))
            {
                let mut args = self.spare_requests.pop().unwrap_or_default();
                for word in line.split(|&b| is_space(b)).filter(|w| !w.is_empty()) {
                    let mut arg = match self.spare_args.pop() {
                        Some(v) if word.len() <= SPARE_MAX_CAPACITY => v,
                        _ => Vec::new(),
                    };
                    arg.clear();
                    arg.extend_from_slice(word);
                    args.push(arg);
                }
                *pos += nl + 1;
                return Ok(Some(args));
            }
        }
        parse_inline(buf, pos)
    }
}

/// Reads one inline request line at `*pos`. `Ok(None)`: no newline yet.
fn parse_inline(buf: &[u8], pos: &mut usize) -> Result<Option<Request>, ProtocolError> {
    let Some(nl) = buf[*pos..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|i| *pos + i)
    else {
        if buf.len() - *pos > INLINE_MAX {
            return Err(ProtocolError::new("too big inline request"));
        }
        return Ok(None);
    };
    let mut end = nl;
    if end > *pos && buf[end - 1] == b'\r' {
        end -= 1;
    }
    let line = &buf[*pos..end];
    *pos = nl + 1;
    match split_args(line) {
        Some(args) => Ok(Some(args)),
        None => Err(ProtocolError::new("unbalanced quotes in request")),
    }
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// C's `isspace` in the "C" locale.
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Splits a line into arguments as Redis's `sdssplitargs` does (inline requests and
/// config files): whitespace separates; `"..."` understands `\n \r \t \b \a`, `\xHH`
/// and `\<any>`; `'...'` understands only `\'`; a closing quote must be followed by
/// whitespace or the end; a NUL byte ends the line. `None`: unbalanced quotes.
pub fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let line = match line.iter().position(|&b| b == 0) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let mut args = Vec::new();
    let mut i = 0;
    let at = |i: usize| line.get(i).copied();
    loop {
        while at(i).is_some_and(is_space) {
            i += 1;
        }
        if i >= line.len() {
            return Some(args);
        }
        let mut cur = Vec::new();
        let (mut in_dq, mut in_sq) = (false, false);
        loop {
            let c = at(i);
            if in_dq {
                match c {
                    None => return None,
                    Some(b'\\') if at(i + 1) == Some(b'x') => {
                        match (at(i + 2).and_then(hex_val), at(i + 3).and_then(hex_val)) {
                            (Some(h), Some(l)) => {
                                cur.push(h * 16 + l);
                                i += 3;
                            }
                            _ => {
                                // Not a valid \xHH: keep the `x` literally, as Redis does.
                                cur.push(b'x');
                                i += 1;
                            }
                        }
                    }
                    Some(b'\\') if at(i + 1).is_some() => {
                        i += 1;
                        let e = line[i];
                        cur.push(match e {
                            b'n' => b'\n',
                            b'r' => b'\r',
                            b't' => b'\t',
                            b'b' => 0x08,
                            b'a' => 0x07,
                            other => other,
                        });
                    }
                    Some(b'"') => {
                        // The closing quote must be followed by a space or the end.
                        if at(i + 1).is_some_and(|n| !is_space(n)) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(ch) => cur.push(ch),
                }
            } else if in_sq {
                match c {
                    None => return None,
                    Some(b'\\') if at(i + 1) == Some(b'\'') => {
                        i += 1;
                        cur.push(b'\'');
                    }
                    Some(b'\'') => {
                        if at(i + 1).is_some_and(|n| !is_space(n)) {
                            return None;
                        }
                        i += 1;
                        break;
                    }
                    Some(ch) => cur.push(ch),
                }
            } else {
                match c {
                    None | Some(b' ') | Some(b'\n') | Some(b'\r') | Some(b'\t') => break,
                    Some(b'"') => in_dq = true,
                    Some(b'\'') => in_sq = true,
                    Some(ch) => cur.push(ch),
                }
            }
            i += 1;
        }
        args.push(cur);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `input` fed in one piece, returning requests and the error if any.
    fn parse_all(input: &[u8]) -> (Vec<Request>, Option<ProtocolError>) {
        let mut p = RequestParser::default();
        let mut pos = 0;
        let mut out = Vec::new();
        loop {
            match p.next(input, &mut pos) {
                Ok(Some(r)) => out.push(r),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    /// Feeds `input` in chunks cut at `cuts`, compacting the buffer as a connection does.
    fn parse_chunked(input: &[u8], cuts: &[usize]) -> (Vec<Request>, Option<ProtocolError>) {
        let mut p = RequestParser::default();
        let mut buf: Vec<u8> = Vec::new();
        let mut out = Vec::new();
        let mut start = 0;
        let mut bounds: Vec<usize> = cuts.to_vec();
        bounds.push(input.len());
        for &end in &bounds {
            buf.extend_from_slice(&input[start..end]);
            start = end;
            let mut pos = 0;
            loop {
                match p.next(&buf, &mut pos) {
                    Ok(Some(r)) => out.push(r),
                    Ok(None) => break,
                    Err(e) => return (out, Some(e)),
                }
            }
            buf.drain(..pos);
        }
        (out, None)
    }

    fn v(args: &[&str]) -> Request {
        args.iter().map(|a| a.as_bytes().to_vec()).collect()
    }

    const SAMPLE: &[u8] = b"*3\r\n$3\r\nSET\r\n$4\r\nk\r\n\0\r\n$0\r\n\r\nPING\r\n\r\n  echo \"a\\x41\\n\" 'b\\'c'  \r\n*0\r\n*-1\r\n*1\r\n$4\r\nping\r\n";

    fn sample_expected() -> Vec<Request> {
        vec![
            vec![b"SET".to_vec(), b"k\r\n\0".to_vec(), b"".to_vec()],
            v(&["PING"]),
            vec![b"echo".to_vec(), b"aA\n".to_vec(), b"b'c".to_vec()],
            v(&["ping"]),
        ]
    }

    #[test]
    fn whole_buffer() {
        let (reqs, err) = parse_all(SAMPLE);
        assert_eq!(err, None);
        assert_eq!(reqs, sample_expected());
    }

    #[test]
    fn byte_by_byte() {
        let cuts: Vec<usize> = (1..SAMPLE.len()).collect();
        assert_eq!(parse_chunked(SAMPLE, &cuts), (sample_expected(), None));
    }

    #[test]
    fn every_single_split() {
        for cut in 0..=SAMPLE.len() {
            assert_eq!(
                parse_chunked(SAMPLE, &[cut]),
                (sample_expected(), None),
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn every_pair_of_splits() {
        for a in 0..=SAMPLE.len() {
            for b in a..=SAMPLE.len() {
                assert_eq!(parse_chunked(SAMPLE, &[a, b]), (sample_expected(), None));
            }
        }
    }

    fn err_of(input: &[u8]) -> String {
        let (_, e) = parse_all(input);
        e.map(|e| e.0).unwrap_or_default()
    }

    #[test]
    fn protocol_errors_use_redis_words() {
        let mb = "ERR Protocol error: invalid multibulk length";
        let bl = "ERR Protocol error: invalid bulk length";
        assert_eq!(err_of(b"*x\r\n"), mb);
        assert_eq!(err_of(b"*+1\r\n"), mb);
        assert_eq!(err_of(b"*01\r\n"), mb);
        assert_eq!(err_of(b"*\r\n"), mb);
        assert_eq!(err_of(b"*1 \r\n"), mb);
        assert_eq!(err_of(b"*1\n$4\r\n"), mb);
        assert_eq!(err_of(b"*2147483648\r\n"), mb);
        assert_eq!(err_of(b"*1\r\n$x\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$-1\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$04\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$536870913\r\n"), bl);
        assert_eq!(
            err_of(b"*1\r\nx\r\n"),
            "ERR Protocol error: expected '$', got 'x'"
        );
        assert_eq!(
            err_of(b"set \"a b\r\n"),
            "ERR Protocol error: unbalanced quotes in request"
        );
        assert_eq!(
            err_of(b"echo \"a\"b\r\n"),
            "ERR Protocol error: unbalanced quotes in request"
        );
        assert_eq!(
            err_of(b"echo 'a'b\r\n"),
            "ERR Protocol error: unbalanced quotes in request"
        );
    }

    #[test]
    fn limits_without_newline() {
        let big = vec![b'a'; INLINE_MAX + 1];
        assert_eq!(err_of(&big), "ERR Protocol error: too big inline request");
        assert_eq!(err_of(&big[..INLINE_MAX]), "");
        let mut mb = b"*".to_vec();
        mb.extend(std::iter::repeat_n(b'1', INLINE_MAX + 1));
        assert_eq!(
            err_of(&mb),
            "ERR Protocol error: too big mbulk count string"
        );
        let mut bl = b"*1\r\n$".to_vec();
        bl.extend(std::iter::repeat_n(b'1', INLINE_MAX + 1));
        assert_eq!(err_of(&bl), "ERR Protocol error: too big bulk count string");
    }

    #[test]
    fn big_claims_allocate_nothing_up_front() {
        // Accepted headers, but the data never comes: the parser just waits.
        let (reqs, err) = parse_all(b"*1073741824\r\n$536870912\r\nabc");
        assert!(reqs.is_empty());
        assert_eq!(err, None);
        let mut p = RequestParser::default();
        let mut pos = 0;
        assert_eq!(p.next(b"*2147483647\r\n", &mut pos), Ok(None));
        assert!(p.args.capacity() <= 1024);
    }

    #[test]
    fn max_bulk_len_is_configurable() {
        let mut p = RequestParser::new(3);
        let mut pos = 0;
        assert_eq!(
            p.next(b"*1\r\n$3\r\nabc\r\n", &mut pos),
            Ok(Some(v(&["abc"])))
        );
        let mut pos = 0;
        let e = p.next(b"*1\r\n$4\r\nabcd\r\n", &mut pos).unwrap_err();
        assert_eq!(e.0, "ERR Protocol error: invalid bulk length");
    }

    #[test]
    fn unauthenticated_limits() {
        let mut p = RequestParser {
            unauthenticated: true,
            ..RequestParser::default()
        };
        let mut pos = 0;
        let e = p.next(b"*11\r\n", &mut pos).unwrap_err();
        assert_eq!(e.0, "ERR Protocol error: unauthenticated multibulk length");
        let mut p = RequestParser {
            unauthenticated: true,
            ..RequestParser::default()
        };
        let mut pos = 0;
        let e = p
            .next(b"*3\r\n$3\r\nget\r\n$16385\r\n", &mut pos)
            .unwrap_err();
        assert_eq!(e.0, "ERR Protocol error: unauthenticated bulk length");
        let mut pos = 0;
        let mut p = RequestParser {
            unauthenticated: true,
            ..RequestParser::default()
        };
        assert_eq!(
            p.next(b"*2\r\n$4\r\nauth\r\n$1\r\nx\r\n", &mut pos),
            Ok(Some(v(&["auth", "x"])))
        );
    }

    #[test]
    fn bulk_trailer_bytes_are_not_checked() {
        let (reqs, err) = parse_all(b"*1\r\n$4\r\npingXY*1\r\n$4\r\nping\r\n");
        assert_eq!((reqs, err), (vec![v(&["ping"]), v(&["ping"])], None));
    }

    #[test]
    fn inline_splitting_like_sdssplitargs() {
        let s = |l: &str| split_args(l.as_bytes());
        assert_eq!(s("  a  b\tc "), Some(v(&["a", "b", "c"])));
        assert_eq!(s(""), Some(vec![]));
        assert_eq!(s("\"\" ''"), Some(v(&["", ""])));
        assert_eq!(s("a\"b c\"d"), None);
        assert_eq!(s("a\"b c\" d"), Some(v(&["ab c", "d"])));
        assert_eq!(s("\"\\xZZ\""), Some(v(&["xZZ"])));
        assert_eq!(s("\"a\\tb\\q\""), Some(vec![b"a\tbq".to_vec()]));
        assert_eq!(s("'a\\nb'"), Some(v(&["a\\nb"])));
        assert_eq!(s("'unterminated"), None);
        assert_eq!(s("\"unterminated\\\""), None);
        assert_eq!(split_args(b"ab\0cd ef"), Some(v(&["ab"])));
        assert_eq!(s("\"\\x41\\x4a\""), Some(v(&["AJ"])));
    }

    #[test]
    fn inline_fast_path_splits_as_sdssplitargs_does() {
        // Lines with no quotes and no NUL take the parser's fast path.
        for line in ["ping", "  set  k \t v ", "a\rb", "get\x0bk\x0cx", "", "   "] {
            let mut input = line.as_bytes().to_vec();
            input.extend_from_slice(b"\r\n");
            let (reqs, err) = parse_all(&input);
            assert!(err.is_none());
            let want = split_args(line.as_bytes()).unwrap();
            let want: Vec<Request> = if want.is_empty() { vec![] } else { vec![want] };
            assert_eq!(reqs, want, "{line:?}");
        }
        let (reqs, _) = parse_all(b"ab\0cd ef\r\n");
        assert_eq!(reqs, vec![v(&["ab"])]);
    }

    #[test]
    fn header_numbers_at_the_fast_path_edges() {
        let (reqs, err) = parse_all(b"*1\r\n$0\r\n\r\n");
        assert_eq!((reqs, err), (vec![v(&[""])], None));
        let bl = "ERR Protocol error: invalid bulk length";
        assert_eq!(err_of(b"*1\r\n$999999999999999999\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$9999999999999999999\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$99999999999999999999\r\n"), bl);
        assert_eq!(err_of(b"*1\r\n$00\r\n"), bl);
    }

    #[test]
    fn lf_only_inline_and_blank_lines() {
        let (reqs, err) = parse_all(b"ping\n\r\n   \r\nget k\n");
        assert_eq!((reqs, err), (vec![v(&["ping"]), v(&["get", "k"])], None));
    }

    #[test]
    fn recycled_buffers_give_the_same_requests() {
        let mut p = RequestParser::default();
        let input = b"*2\r\n$3\r\nGET\r\n$16\r\nkey:000000012345\r\n*1\r\n$4\r\nPING\r\nECHO x\r\n";
        for _ in 0..3 {
            let mut pos = 0;
            let mut got = Vec::new();
            while let Ok(Some(r)) = p.next(input, &mut pos) {
                got.push(r.clone());
                p.recycle(r);
            }
            assert_eq!(
                got,
                vec![
                    v(&["GET", "key:000000012345"]),
                    v(&["PING"]),
                    v(&["ECHO", "x"])
                ]
            );
        }
    }

    #[test]
    fn a_bulk_completed_by_the_caller() {
        let mut p = RequestParser::default();
        let mut pos = 0;
        let input = b"*3\r\n$3\r\nSET\r\n$5\r\nab";
        assert_eq!(p.next(input, &mut pos), Ok(None));
        assert_eq!(p.wanted(), Some(7));
        assert_eq!(&input[pos..], b"ab");
        assert_eq!(p.complete_bulk(b"abcde\r\n".to_vec()), None);
        let mut pos = 0;
        assert_eq!(
            p.next(b"$1\r\nv\r\n", &mut pos),
            Ok(Some(v(&["SET", "abcde", "v"])))
        );
        assert_eq!(p.wanted(), None);
    }

    #[test]
    fn garbage_never_panics() {
        // A deterministic pseudo-random byte soup, biased towards protocol bytes.
        let mut x: u32 = 12345;
        let alphabet = b"*$\r\n0123456789-+ \"'\\xab";
        for _ in 0..300 {
            let mut input = Vec::new();
            for _ in 0..64 {
                x = x.wrapping_mul(1103515245).wrapping_add(12345);
                input.push(alphabet[(x >> 16) as usize % alphabet.len()]);
            }
            let whole = parse_all(&input);
            let cuts: Vec<usize> = (1..input.len()).collect();
            assert_eq!(parse_chunked(&input, &cuts), whole);
        }
    }
}
