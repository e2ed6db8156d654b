//! The byte-level RDB writer: lengths and strings, encoded as Redis 7.0
//! encodes them (`rdbSaveLen`, `rdbSaveRawString`, `rdbSaveLongLongAsStringObject`).
//!
//! A string is written, in order of preference:
//! 1. as an 8/16/32-bit integer, when it is at most 11 bytes and the canonical
//!    decimal form of a number in the 32-bit range;
//! 2. LZF-compressed, when compression is on, the string is longer than 20
//!    bytes and compression saves at least 4 bytes;
//! 3. as a length and the bytes.
use crate::digest::lzf::Compressor;
use crate::num::{ll2string as format_i64, string2ll};

/// Appends an RDB length.
pub fn put_len(out: &mut Vec<u8>, n: u64) {
    if n < 1 << 6 {
        out.push(n as u8);
    } else if n < 1 << 14 {
        out.push(0x40 | (n >> 8) as u8);
        out.push(n as u8);
    } else if n <= u32::MAX as u64 {
        out.push(0x80);
        out.extend_from_slice(&(n as u32).to_be_bytes());
    } else {
        out.push(0x81);
        out.extend_from_slice(&n.to_be_bytes());
    }
}

/// Appends `v` in the integer string encoding if it fits in 32 bits; false
/// when it does not (nothing written).
fn put_encoded_int(out: &mut Vec<u8>, v: i64) -> bool {
    if let Ok(b) = i8::try_from(v) {
        out.push(0xC0);
        out.push(b as u8);
    } else if let Ok(h) = i16::try_from(v) {
        out.push(0xC1);
        out.extend_from_slice(&h.to_le_bytes());
    } else if let Ok(w) = i32::try_from(v) {
        out.push(0xC2);
        out.extend_from_slice(&w.to_le_bytes());
    } else {
        return false;
    }
    true
}

/// Appends a string holding the decimal form of `v` (Redis's
/// `rdbSaveLongLongAsStringObject`: integer-encoded when it fits 32 bits).
pub fn put_int_string(out: &mut Vec<u8>, v: i64) {
    if !put_encoded_int(out, v) {
        let mut tmp = [0u8; 20];
        let digits = format_i64(v, &mut tmp);
        put_len(out, digits.len() as u64);
        out.extend_from_slice(digits);
    }
}

/// Writes strings, holding the LZF compressor between them.
pub struct StringWriter {
    pub compress: bool,
    lzf: Compressor,
}

impl StringWriter {
    pub fn new(compress: bool) -> StringWriter {
        StringWriter {
            compress,
            lzf: Compressor::new(),
        }
    }

    /// Appends string `s` (Redis's `rdbSaveRawString`).
    pub fn put(&mut self, out: &mut Vec<u8>, s: &[u8]) {
        if s.len() <= 11 {
            if let Some(v) = string2ll(s) {
                if put_encoded_int(out, v) {
                    return;
                }
            }
        }
        if self.compress && s.len() > 20 {
            if let Some(packed) = self.lzf.compress(s, s.len() - 4) {
                out.push(0xC3);
                put_len(out, packed.len() as u64);
                put_len(out, s.len() as u64);
                out.extend_from_slice(&packed);
                return;
            }
        }
        put_len(out, s.len() as u64);
        out.extend_from_slice(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::persist::rdb::read::{RdbStr, Reader};

    #[test]
    fn lengths_as_redis_writes_them() {
        let mut out = Vec::new();
        for n in [0u64, 63, 64, 16383, 16384, u32::MAX as u64, 1 << 32] {
            put_len(&mut out, n);
        }
        assert_eq!(
            out,
            vec![
                0x00, 0x3F, 0x40, 0x40, 0x7F, 0xFF, 0x80, 0, 0, 0x40, 0, 0x80, 0xFF, 0xFF, 0xFF,
                0xFF, 0x81, 0, 0, 0, 1, 0, 0, 0, 0
            ]
        );
        let mut r = Reader::new(&out);
        for n in [0u64, 63, 64, 16383, 16384, u32::MAX as u64, 1 << 32] {
            assert_eq!(r.length().unwrap(), n);
        }
    }

    #[test]
    fn strings_take_the_encoding_redis_picks() {
        let mut w = StringWriter::new(true);
        let mut out = Vec::new();
        w.put(&mut out, b"12345"); // 16-bit integer, as `SET n 12345` is saved
        assert_eq!(out, vec![0xC1, 0x39, 0x30]);
        out.clear();
        w.put(&mut out, b"-2147483648");
        assert_eq!(out, vec![0xC2, 0, 0, 0, 0x80]);
        out.clear();
        w.put(&mut out, b"2147483648"); // too wide: plain
        assert_eq!(out[0], 10);
        out.clear();
        w.put(&mut out, b"012"); // not canonical: plain
        assert_eq!(out, b"\x03012".to_vec());
        out.clear();
        // redis-server 7.0.15's DUMP of a 30-byte run of 'a' holds this
        w.put(&mut out, &[b'a'; 30]);
        assert_eq!(out, b"\xc3\x09\x1e\x01aa\xe0\x11\x00\x01aa".to_vec());
        out.clear();
        w.compress = false;
        w.put(&mut out, &[b'a'; 30]);
        assert_eq!(out.len(), 31);
        let mut out = Vec::new();
        put_int_string(&mut out, 1 << 40);
        assert_eq!(
            Reader::new(&out).string().unwrap(),
            RdbStr::Raw(b"1099511627776")
        );
    }
}
