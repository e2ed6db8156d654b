//! The reply writer: typed helpers that append RESP2 frames to an output buffer.
//!
//! Invariant: after every helper call the buffer holds whole frames only (an array
//! header is followed by exactly as many frames as it announced, written by the
//! caller), so the connection can flush it at any command boundary.

/// An output buffer that replies are appended to. One per connection; flushed to
/// the socket after a batch of pipelined commands has executed.
#[derive(Debug, Default)]
pub struct Reply {
    pub buf: Vec<u8>,
}

impl Reply {
    pub fn new() -> Reply {
        Reply { buf: Vec::new() }
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
    pub fn null(&mut self) {
        self.buf.extend_from_slice(b"$-1\r\n");
    }

    /// `*-1\r\n` (the nil array)
    pub fn null_array(&mut self) {
        self.buf.extend_from_slice(b"*-1\r\n");
    }

    /// `*<n>\r\n`; the caller then writes exactly `n` frames.
    pub fn array(&mut self, n: usize) {
        self.buf.push(b'*');
        push_i64(&mut self.buf, n as i64);
        self.buf.extend_from_slice(b"\r\n");
    }
}

/// Appends the decimal digits of `n` without allocating.
pub fn push_i64(out: &mut Vec<u8>, n: i64) {
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    let neg = n < 0;
    let mut u = n.unsigned_abs();
    loop {
        i -= 1;
        tmp[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        out.push(b'-');
    }
    out.extend_from_slice(&tmp[i..]);
}
