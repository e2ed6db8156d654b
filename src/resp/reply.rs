//! The reply writer: typed helpers that append RESP2 or RESP3 frames to an
//! output buffer.
//!
//! A handler writes its reply once, in RESP3's vocabulary (map, set, double,
//! null, boolean, verbatim string, big number, push), and the writer chooses the
//! bytes from [`Reply::proto`], the protocol the client chose with HELLO (the
//! dispatcher copies it in before every command). To a RESP2 client each type
//! goes out as Redis 7.0 sends it there:
//!
//! | helper | RESP3 | RESP2 |
//! | --- | --- | --- |
//! | [`Reply::map`]`(n)` | `%n` | `*2n` (keys and values flat) |
//! | [`Reply::set`]`(n)` | `~n` | `*n` |
//! | [`Reply::push`]`(n)` | `>n` | `*n` (pub/sub messages) |
//! | [`Reply::double`] | `,1.5` | bulk string `1.5` (`%.17g`) |
//! | [`Reply::null`] | `_` | `$-1` (the nil bulk string) |
//! | [`Reply::null_array`] | `_` | `*-1` (the nil array) |
//! | [`Reply::boolean`] | `#t` / `#f` | `:1` / `:0` |
//! | [`Reply::verbatim`] | `=n` `txt:...` | bulk string |
//! | [`Reply::big_number`] | `(digits` | bulk string |
//!
//! Which nil a command sends in RESP2 (`$-1` or `*-1`) is the command's choice,
//! as in Redis: both helpers exist so each command keeps its RESP2 bytes.
//!
//! Invariant: after every helper call the buffer holds whole frames only (an
//! aggregate header is followed by exactly as many frames as it announced,
//! written by the caller), so the connection can flush it at any command
//! boundary.

use crate::num::push_i64;

/// An output buffer that replies are appended to. One per connection; flushed to
/// the socket after a batch of pipelined commands has executed.
#[derive(Debug, Default)]
pub struct Reply {
    pub buf: Vec<u8>,
    /// Protocol version of the connection: 2 or 3 (HELLO).
    pub proto: u8,
    /// The parts of `buf` written by the command now running that are push
    /// messages (pub/sub confirmations): they are sent even when the client
    /// turned its replies off (CLIENT REPLY OFF). Cleared after each command.
    pub pushes: Vec<std::ops::Range<usize>>,
    /// The error reply the command now running wrote was already counted in
    /// the error statistics where it arose (a script passing on the error of
    /// a command it called, as Redis's `ERR_REPLY_FLAG_NO_STATS_UPDATE`):
    /// the dispatcher counts the command as failed but not the error again.
    /// Cleared by the dispatcher before each command.
    pub error_counted: bool,
}

impl Reply {
    pub fn new() -> Reply {
        Reply {
            buf: Vec::new(),
            proto: 2,
            pushes: Vec::new(),
            error_counted: false,
        }
    }

    /// Marks `buf[start..]` (a push message just written) as a push.
    pub fn mark_push(&mut self, start: usize) {
        self.pushes.push(start..self.buf.len());
    }

    /// Drops what was written since `start` except the push messages (CLIENT
    /// REPLY OFF/SKIP: the command's reply is dropped, its pushes are not).
    pub fn keep_pushes_only(&mut self, start: usize) {
        let mut keep = start;
        for r in std::mem::take(&mut self.pushes) {
            if r.start >= start && r.end <= self.buf.len() && r.start >= keep {
                self.buf.copy_within(r.clone(), keep);
                keep += r.len();
            }
        }
        self.buf.truncate(keep);
    }

    /// A map of `n` key/value pairs; the caller writes 2n frames.
    /// RESP2: `*<2n>`; RESP3: `%<n>`.
    pub fn map(&mut self, n: usize) {
        if self.proto >= 3 {
            self.header(b'%', n);
        } else {
            self.array(n * 2);
        }
    }

    /// A set of `n` members. RESP2: `*<n>`; RESP3: `~<n>`.
    pub fn set(&mut self, n: usize) {
        if self.proto >= 3 {
            self.header(b'~', n);
        } else {
            self.array(n);
        }
    }

    /// An out-of-band message of `n` items (pub/sub messages, invalidations).
    /// RESP2: `*<n>`; RESP3: `><n>`.
    pub fn push(&mut self, n: usize) {
        if self.proto >= 3 {
            self.header(b'>', n);
        } else {
            self.array(n);
        }
    }

    /// An attribute of `n` pairs ahead of the next reply: RESP3 only. In RESP2
    /// nothing is written and the answer is false: the caller then leaves the
    /// pairs out too.
    pub fn attribute(&mut self, n: usize) -> bool {
        if self.proto >= 3 {
            self.header(b'|', n);
        }
        self.proto >= 3
    }

    /// A double, formatted as Redis's `%.17g` (`inf`, `-inf`, `nan`, `-nan`).
    /// RESP2: a bulk string; RESP3: `,<double>`.
    pub fn double(&mut self, d: f64) {
        let mut text = Vec::with_capacity(24);
        crate::num::fmt_g(d, 17, &mut text);
        if self.proto >= 3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(&text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(&text);
        }
    }

    /// A double already formatted by the caller (e.g. `%.17Lf` trimmed, as
    /// Redis's "human" doubles of GEOPOS). RESP2: a bulk string; RESP3:
    /// `,<text>`.
    pub fn double_text(&mut self, text: &[u8]) {
        if self.proto >= 3 {
            self.buf.push(b',');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// A big number given as its decimal digits (with an optional sign).
    /// RESP2: a bulk string; RESP3: `(<digits>`.
    pub fn big_number(&mut self, digits: &[u8]) {
        if self.proto >= 3 {
            self.buf.push(b'(');
            self.buf.extend_from_slice(digits);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(digits);
        }
    }

    /// A boolean. RESP2: `:1` / `:0`; RESP3: `#t` / `#f`.
    pub fn boolean(&mut self, b: bool) {
        if self.proto >= 3 {
            self.buf
                .extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.integer(b as i64);
        }
    }

    /// Verbatim text with a three-letter format (`txt`, `mkd`; a shorter one is
    /// padded with spaces, a longer one cut, as Redis does).
    /// RESP2: a bulk string; RESP3: `=<len>\r\n<fmt>:<text>\r\n`.
    pub fn verbatim(&mut self, format: &str, text: &[u8]) {
        if self.proto >= 3 {
            self.header(b'=', text.len() + 4);
            let f = format.as_bytes();
            for i in 0..3 {
                self.buf.push(f.get(i).copied().unwrap_or(b' '));
            }
            self.buf.push(b':');
            self.buf.extend_from_slice(text);
            self.buf.extend_from_slice(b"\r\n");
        } else {
            self.bulk(text);
        }
    }

    /// `<type><n>\r\n`
    fn header(&mut self, kind: u8, n: usize) {
        self.buf.push(kind);
        push_i64(&mut self.buf, n as i64);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `+OK\r\n`
    pub fn ok(&mut self) {
        self.buf.extend_from_slice(b"+OK\r\n");
    }

    /// `+<s>\r\n` (status reply; `s` must not contain CR or LF)
    pub fn simple(&mut self, s: &str) {
        self.buf.push(b'+');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `-<msg>\r\n`; `msg` carries its own prefix (`ERR ...`, `WRONGTYPE ...`).
    /// CR and LF in `msg` become spaces (a line cannot hold them; Redis does
    /// the same to the errors it formats).
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        self.buf.extend(
            msg.bytes()
                .map(|b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
        );
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `:<n>\r\n`
    pub fn integer(&mut self, n: i64) {
        self.buf.push(b':');
        push_i64(&mut self.buf, n);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// `$<len>\r\n<bytes>\r\n`
    pub fn bulk(&mut self, b: &[u8]) {
        self.buf.push(b'$');
        push_i64(&mut self.buf, b.len() as i64);
        self.buf.extend_from_slice(b"\r\n");
        self.buf.extend_from_slice(b);
        self.buf.extend_from_slice(b"\r\n");
    }

    /// The nil bulk string. RESP2: `$-1`; RESP3: `_`.
    pub fn null(&mut self) {
        if self.proto >= 3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// The nil array. RESP2: `*-1`; RESP3: `_`.
    pub fn null_array(&mut self) {
        if self.proto >= 3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"*-1\r\n");
        }
    }

    /// `*<n>\r\n`; the caller then writes exactly `n` frames.
    pub fn array(&mut self, n: usize) {
        self.buf.push(b'*');
        push_i64(&mut self.buf, n as i64);
        self.buf.extend_from_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp2_shapes_of_resp3_types() {
        let mut r = Reply::new();
        r.map(1);
        r.bulk(b"k");
        r.double(2.5);
        r.boolean(true);
        r.set(0);
        r.verbatim("txt", b"hi");
        assert_eq!(
            r.buf,
            b"*2\r\n$1\r\nk\r\n$3\r\n2.5\r\n:1\r\n*0\r\n$2\r\nhi\r\n".to_vec()
        );
        let mut r = Reply {
            proto: 3,
            ..Reply::new()
        };
        r.map(1);
        r.double(2.5);
        r.boolean(false);
        r.verbatim("txt", b"hi");
        assert_eq!(r.buf, b"%1\r\n,2.5\r\n#f\r\n=6\r\ntxt:hi\r\n".to_vec());
    }

    #[test]
    fn push_null_big_number_and_attribute_in_both_protocols() {
        // As redis-server 7.0.15 answers DEBUG PROTOCOL push/null/bignum/attrib.
        let write = |proto| {
            let mut r = Reply::new();
            r.proto = proto;
            r.push(1);
            r.null();
            r.null_array();
            r.big_number(b"12345678901234567890");
            if r.attribute(1) {
                r.bulk(b"k");
                r.integer(1);
            }
            r.verbatim("md", b"x");
            r.buf
        };
        assert_eq!(
            write(2),
            b"*1\r\n$-1\r\n*-1\r\n$20\r\n12345678901234567890\r\n$1\r\nx\r\n".to_vec()
        );
        assert_eq!(
            write(3),
            b">1\r\n_\r\n_\r\n(12345678901234567890\r\n|1\r\n$1\r\nk\r\n:1\r\n=5\r\nmd :x\r\n"
                .to_vec()
        );
    }
}
