//! The message framing SHA-1 and SHA-256 share (the Merkle–Damgård
//! construction of FIPS 180): input is cut into 64-byte blocks, each handed to
//! the hash's compression function, and the message is padded with a 1 bit,
//! zeros and its length in bits as a 64-bit big-endian number, so that the
//! padded length is a multiple of 64 bytes.
//!
//! Invariant: `buf[..buf_len]` holds the bytes of the current, unfinished
//! block (`buf_len < 64` between calls); `len` counts every byte given.

/// Bytes waiting to fill a block, and the message length so far.
#[derive(Clone)]
pub struct Blocks {
    buf: [u8; 64],
    buf_len: usize,
    len: u64,
}

impl Blocks {
    pub const fn new() -> Blocks {
        Blocks {
            buf: [0; 64],
            buf_len: 0,
            len: 0,
        }
    }

    /// Adds `data` to the message; `compress` receives every block it completes.
    pub fn update(&mut self, mut data: &[u8], compress: &mut impl FnMut(&[u8; 64])) {
        self.len = self.len.wrapping_add(data.len() as u64);
        if self.buf_len > 0 {
            let take = (64 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len < 64 {
                return;
            }
            let block = self.buf;
            compress(&block);
            self.buf_len = 0;
        }
        let mut chunks = data.chunks_exact(64);
        for block in &mut chunks {
            let mut b = [0u8; 64];
            b.copy_from_slice(block);
            compress(&b);
        }
        let rest = chunks.remainder();
        self.buf[..rest.len()].copy_from_slice(rest);
        self.buf_len = rest.len();
    }

    /// Pads the message and hands `compress` its last one or two blocks.
    pub fn finish(mut self, compress: &mut impl FnMut(&[u8; 64])) {
        let bits = self.len.wrapping_mul(8);
        let mut pad = [0u8; 72];
        pad[0] = 0x80;
        let pad_len = if self.buf_len < 56 {
            56 - self.buf_len
        } else {
            120 - self.buf_len
        };
        self.update(&pad[..pad_len], compress);
        self.update(&bits.to_be_bytes(), compress);
    }
}
