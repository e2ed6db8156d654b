//! The reply writer: typed helpers that append RESP2 frames to an output buffer.
//!
//! Invariant: after every helper call the buffer holds whole frames only (an array
//! header is followed by exactly as many frames as it announced, written by the
//! caller), so the connection can flush it at any command boundary.
//!
//! The RESP3-shaped helpers ([`Reply::map`], [`Reply::set`], [`Reply::double`],
//! [`Reply::boolean`], [`Reply::verbatim`]) write what Redis writes to a RESP2
//! client (a flat array of 2n items, an array, a bulk string, an integer, a bulk
//! string), so handlers can be written once; when HELLO 3 lands, they switch on
//! [`Reply::proto`].

use crate::num::push_i64;

/// An output buffer that replies are appended to. One per connection; flushed to
/// the socket after a batch of pipelined commands has executed.
#[derive(Debug, Default)]
pub struct Reply {
    pub buf: Vec<u8>,
    /// Protocol version of the connection (2; 3 once HELLO 3 is supported).
    pub proto: u8,
}

impl Reply {
    pub fn new() -> Reply {
        Reply {
            buf: Vec::new(),
            proto: 2,
        }
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

    /// A boolean. RESP2: `:1` / `:0`; RESP3: `#t` / `#f`.
    pub fn boolean(&mut self, b: bool) {
        if self.proto >= 3 {
            self.buf
                .extend_from_slice(if b { b"#t\r\n" } else { b"#f\r\n" });
        } else {
            self.integer(b as i64);
        }
    }

    /// Verbatim text with a three-letter format (`txt`, `mkd`).
    /// RESP2: a bulk string; RESP3: `=<len>\r\n<fmt>:<text>\r\n`.
    pub fn verbatim(&mut self, format: &str, text: &[u8]) {
        if self.proto >= 3 && format.len() == 3 {
            self.header(b'=', text.len() + 4);
            self.buf.extend_from_slice(format.as_bytes());
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
    pub fn error(&mut self, msg: &str) {
        self.buf.push(b'-');
        self.buf.extend_from_slice(msg.as_bytes());
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

    /// `$-1\r\n` (the nil bulk string)
    /// (RESP3: `_\r\n`.)
    pub fn null(&mut self) {
        if self.proto >= 3 {
            self.buf.extend_from_slice(b"_\r\n");
        } else {
            self.buf.extend_from_slice(b"$-1\r\n");
        }
    }

    /// `*-1\r\n` (the nil array)
    /// (RESP3: `_\r\n`.)
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
}
