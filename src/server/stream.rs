//! A client's socket: TCP, or a Unix domain socket (`unixsocket`).
//!
//! Everything above the listeners handles a connection through [`Stream`], so a
//! client on the Unix socket is served by the same code as a TCP one: reads and
//! writes through `&Stream`, `shutdown` to close it from another thread,
//! nonblocking mode for the poller (`hot.rs`), and [`Stream::peek_closed`] for a
//! waiting client (`wait.rs`).
//!
//! std cannot peek at a Unix socket (`UnixStream::peek` is unstable), so for one
//! the peek reads instead and keeps what it read in `stash`; every read takes the
//! stash first. Invariant: bytes are handed to readers in the order they arrived,
//! exactly once.
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::Mutex;
use std::time::Duration;

/// One accepted connection.
#[derive(Debug)]
pub enum Stream {
    Tcp(TcpStream),
    Unix {
        sock: UnixStream,
        /// Bytes a peek read ahead (see the module doc).
        stash: Mutex<Vec<u8>>,
    },
}

impl Stream {
    /// A connection accepted on the Unix socket.
    pub fn unix(sock: UnixStream) -> Stream {
        Stream::Unix {
            sock,
            stash: Mutex::new(Vec::new()),
        }
    }

    pub fn shutdown(&self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix { sock, .. } => sock.shutdown(Shutdown::Both),
        };
    }

    pub fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            Stream::Unix { sock, .. } => sock.set_nonblocking(on),
        }
    }

    /// Answers a request without delay (TCP_NODELAY; a Unix socket has no delay).
    pub fn set_nodelay(&self) {
        if let Stream::Tcp(s) = self {
            let _ = s.set_nodelay(true);
        }
    }

    /// The descriptor number, for CLIENT LIST's `fd=` only.
    pub fn fd(&self) -> i64 {
        use std::os::fd::AsRawFd;
        match self {
            Stream::Tcp(s) => s.as_raw_fd() as i64,
            Stream::Unix { sock, .. } => sock.as_raw_fd() as i64,
        }
    }

    /// Whether the peer has closed the connection, looking for at most about a
    /// millisecond; data it sent meanwhile stays to be read. It uses a read
    /// timeout rather than nonblocking mode, which would also make a concurrent
    /// write (an outbox's writer thread) fail with `WouldBlock`.
    pub fn peek_closed(&self) -> bool {
        let timeout = Some(Duration::from_millis(1));
        let mut b = [0u8; 1];
        match self {
            Stream::Tcp(s) => {
                if s.set_read_timeout(timeout).is_err() {
                    return false;
                }
                let closed = matches!(s.peek(&mut b), Ok(0));
                let _ = s.set_read_timeout(None);
                closed
            }
            Stream::Unix { sock, stash } => {
                let mut stash = stash.lock().unwrap_or_else(|e| e.into_inner());
                if !stash.is_empty() || sock.set_read_timeout(timeout).is_err() {
                    return false;
                }
                let mut chunk = [0u8; 512];
                let closed = match (&*sock).read(&mut chunk) {
                    Ok(0) => true,
                    Ok(n) => {
                        stash.extend_from_slice(&chunk[..n]);
                        false
                    }
                    Err(_) => false,
                };
                let _ = sock.set_read_timeout(None);
                closed
            }
        }
    }
}

impl Read for &Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match *self {
            Stream::Tcp(s) => (&*s).read(buf),
            Stream::Unix { sock, stash } => {
                {
                    let mut stash = stash.lock().unwrap_or_else(|e| e.into_inner());
                    if !stash.is_empty() {
                        let n = buf.len().min(stash.len());
                        buf[..n].copy_from_slice(&stash[..n]);
                        stash.drain(..n);
                        return Ok(n);
                    }
                }
                (&*sock).read(buf)
            }
        }
    }
}

impl Write for &Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match *self {
            Stream::Tcp(s) => (&*s).write(buf),
            Stream::Unix { sock, .. } => (&*sock).write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peek_on_a_unix_socket_keeps_the_bytes_for_the_next_read() {
        let (a, mut b) = UnixStream::pair().expect("pair");
        let s = Stream::unix(a);
        assert!(!s.peek_closed(), "nothing sent yet: open");
        b.write_all(b"PING\r\n").expect("write");
        assert!(!s.peek_closed(), "data is not a close");
        b.write_all(b"ECHO\r\n").expect("write");
        let mut got = Vec::new();
        let mut buf = [0u8; 3];
        while got.len() < 12 {
            let n = (&s).read(&mut buf).expect("read");
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"PING\r\nECHO\r\n");
        drop(b);
        assert!(s.peek_closed(), "the peer is gone");
    }
}
