//! The byte-level RDB reader: lengths, strings (plain, integer-encoded, LZF),
//! times and doubles, over a byte slice.
//!
//! Invariants: nothing is allocated before the bytes backing it are known to be
//! there (a string's declared length is checked against what remains; an LZF
//! string's original length against what its compressed bytes can expand to);
//! every error carries the offset where the item being read started, counted
//! from the start of the file or payload.
use super::RdbError;
use crate::digest::lzf;
use crate::num::{ll2string as format_i64, string2ll};
use crate::store::value::{Value, EMBSTR_MAX};

type Result<T> = std::result::Result<T, RdbError>;

/// A string as stored: borrowed bytes, an integer, or bytes LZF expanded.
#[derive(Debug, PartialEq, Eq)]
pub enum RdbStr<'a> {
    Raw(&'a [u8]),
    Int(i64),
    Lzf(Vec<u8>),
}

impl<'a> RdbStr<'a> {
    /// The bytes (an integer in decimal, written into `tmp`).
    pub fn bytes<'b>(&'b self, tmp: &'b mut [u8; 20]) -> &'b [u8] {
        match self {
            RdbStr::Raw(b) => b,
            RdbStr::Int(n) => format_i64(*n, tmp),
            RdbStr::Lzf(v) => v,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            RdbStr::Raw(b) => b.len(),
            RdbStr::Int(n) => {
                let mut tmp = [0u8; 20];
                format_i64(*n, &mut tmp).len()
            }
            RdbStr::Lzf(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn into_vec(self) -> Vec<u8> {
        match self {
            RdbStr::Raw(b) => b.to_vec(),
            RdbStr::Int(n) => n.to_string().into_bytes(),
            RdbStr::Lzf(v) => v,
        }
    }

    /// A string value as Redis loads it (`tryObjectEncoding`): "int" when the
    /// bytes are an integer's canonical form, else "embstr" or "raw" by length.
    pub fn into_value(self) -> Value {
        match self {
            RdbStr::Int(n) => Value::Int(n),
            RdbStr::Raw(b) => Value::from_bytes_try_int(b),
            RdbStr::Lzf(v) => {
                if v.len() <= 20 {
                    if let Some(n) = string2ll(&v) {
                        return Value::Int(n);
                    }
                }
                if v.len() <= EMBSTR_MAX {
                    Value::from_bytes(&v)
                } else {
                    Value::raw(v)
                }
            }
        }
    }
}

/// A length, or the marker of a specially encoded string.
enum Len {
    Plain(u64),
    Encoded(u8),
}

/// Reads RDB items from a byte slice.
pub struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data[0]` in the whole file or payload (for messages).
    base: usize,
}

impl<'a> Reader<'a> {
    pub fn new(data: &'a [u8]) -> Reader<'a> {
        Reader::with_base(data, 0)
    }

    /// A reader of `data`, which starts at offset `base` of its file.
    pub fn with_base(data: &'a [u8], base: usize) -> Reader<'a> {
        Reader { data, pos: 0, base }
    }

    /// The current offset in the file or payload.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes consumed so far.
    pub fn consumed(&self) -> usize {
        self.pos
    }

    pub fn remaining(&self) -> usize {
        self.data.len() - self.pos
    }

    /// An error about the item that started at `offset`.
    pub fn error_at(&self, offset: usize, msg: impl Into<String>) -> RdbError {
        RdbError::corrupt(offset, msg)
    }

    fn eof(&self, start: usize, what: &str) -> RdbError {
        RdbError::corrupt(start, format!("unexpected end of data reading {what}"))
    }

    pub fn u8(&mut self) -> Result<u8> {
        let b = *self
            .data
            .get(self.pos)
            .ok_or_else(|| self.eof(self.offset(), "a byte"))?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let start = self.offset();
        if n > self.remaining() {
            return Err(self.eof(start, what));
        }
        let b = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(b)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let b = self.take(N, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(b);
        Ok(a)
    }

    fn len_or_encoding(&mut self) -> Result<Len> {
        let start = self.offset();
        let b = self.u8()?;
        Ok(match b >> 6 {
            0 => Len::Plain((b & 0x3F) as u64),
            1 => {
                let lo = self.u8()?;
                Len::Plain((((b & 0x3F) as u64) << 8) | lo as u64)
            }
            3 => Len::Encoded(b & 0x3F),
            _ if b == 0x80 => Len::Plain(u32::from_be_bytes(self.array("a length")?) as u64),
            _ if b == 0x81 => Len::Plain(u64::from_be_bytes(self.array("a length")?)),
            _ => {
                return Err(self.error_at(start, format!("unknown length encoding 0x{b:02x}")));
            }
        })
    }

    /// A length. As in Redis (`rdbLoadLen` without asking for the encoding
    /// flag), a special-encoding byte here stands for its low 6 bits.
    pub fn length(&mut self) -> Result<u64> {
        match self.len_or_encoding()? {
            Len::Plain(n) => Ok(n),
            Len::Encoded(e) => Ok(e as u64),
        }
    }

    /// A length used as a count of items that follow, each taking at least one
    /// byte: a count the remaining bytes cannot back is refused here.
    pub fn count(&mut self, what: &str) -> Result<usize> {
        let start = self.offset();
        let n = self.length()?;
        if n > self.remaining() as u64 {
            return Err(self.error_at(start, format!("{what} count {n} exceeds the data")));
        }
        Ok(n as usize)
    }

    /// A string in any of its encodings.
    pub fn string(&mut self) -> Result<RdbStr<'a>> {
        let start = self.offset();
        match self.len_or_encoding()? {
            Len::Plain(n) => {
                if n > self.remaining() as u64 {
                    return Err(self.eof(start, "a string"));
                }
                Ok(RdbStr::Raw(self.take(n as usize, "a string")?))
            }
            Len::Encoded(0) => Ok(RdbStr::Int(self.u8()? as i8 as i64)),
            Len::Encoded(1) => Ok(RdbStr::Int(
                i16::from_le_bytes(self.array("an integer")?) as i64
            )),
            Len::Encoded(2) => Ok(RdbStr::Int(
                i32::from_le_bytes(self.array("an integer")?) as i64
            )),
            Len::Encoded(3) => {
                let clen = self.length()?;
                let len = self.length()?;
                if clen > self.remaining() as u64 {
                    return Err(self.eof(start, "an LZF string"));
                }
                let packed = self.take(clen as usize, "an LZF string")?;
                let len = usize::try_from(len)
                    .map_err(|_| self.error_at(start, "invalid LZF compressed string"))?;
                if len == 0 {
                    // Redis compares what liblzf produced (0 bytes on any
                    // error) with the declared length: 0 always matches
                    return Ok(RdbStr::Lzf(Vec::new()));
                }
                lzf::decompress(packed, len).map(RdbStr::Lzf).map_err(|e| {
                    self.error_at(start, format!("invalid LZF compressed string: {e}"))
                })
            }
            Len::Encoded(e) => Err(self.error_at(start, format!("unknown string encoding {e}"))),
        }
    }

    /// A string's bytes, owned.
    pub fn string_vec(&mut self) -> Result<Vec<u8>> {
        Ok(self.string()?.into_vec())
    }

    /// A little-endian 64-bit time in milliseconds (EXPIRETIME_MS).
    pub fn millis(&mut self) -> Result<i64> {
        Ok(i64::from_le_bytes(self.array("a time")?))
    }

    /// A little-endian 32-bit time in seconds (the old EXPIRETIME).
    pub fn seconds(&mut self) -> Result<i32> {
        Ok(i32::from_le_bytes(self.array("a time")?))
    }

    /// A binary double, little-endian (ZSET_2 scores).
    pub fn binary_double(&mut self) -> Result<f64> {
        Ok(f64::from_le_bytes(self.array("a double")?))
    }

    /// A double as text after a length byte, with 253/254/255 standing for
    /// NaN, +inf and -inf (the old ZSET scores).
    pub fn text_double(&mut self) -> Result<f64> {
        let start = self.offset();
        match self.u8()? {
            255 => Ok(f64::NEG_INFINITY),
            254 => Ok(f64::INFINITY),
            253 => Ok(f64::NAN),
            n => {
                // read as `sscanf("%lg")`: a numeric prefix is enough
                match c_strtod(self.take(n as usize, "a double")?) {
                    (v, true) => Ok(v),
                    (_, false) => Err(self.error_at(start, "invalid double value")),
                }
            }
        }
    }
}

/// C's `strtod` over `text` read as a C string (up to a NUL): leading white
/// space skipped, the longest numeric prefix taken. The value and whether any
/// number was read (`sscanf("%lg")` fails without one; `strtod` gives 0).
pub fn c_strtod(text: &[u8]) -> (f64, bool) {
    let text = match text.iter().position(|&b| b == 0) {
        Some(n) => &text[..n],
        None => text,
    };
    let start = text
        .iter()
        .position(|&c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r'))
        .unwrap_or(text.len());
    let r = crate::num::strtod(&text[start..]);
    (r.value, r.end > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_in_every_width() {
        let data = [
            0x05, 0x41, 0x02, 0x80, 0, 1, 0, 0, 0x81, 0, 0, 0, 1, 0, 0, 0, 0,
        ];
        let mut r = Reader::new(&data);
        assert_eq!(r.length().unwrap(), 5);
        assert_eq!(r.length().unwrap(), 0x102);
        assert_eq!(r.length().unwrap(), 65536);
        assert_eq!(r.length().unwrap(), 1 << 32);
        assert!(r.length().is_err());
        let e = Reader::new(&[0x82]).length().unwrap_err();
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn strings_in_every_encoding() {
        let mut data = vec![
            3, b'a', b'b', b'c', 0xC0, 0xFF, 0xC1, 0x39, 0x30, 0xC2, 0, 0, 0, 0x80,
        ];
        let packed = lzf::compress(&[b'x'; 40], 36).unwrap();
        data.extend_from_slice(&[0xC3, packed.len() as u8, 40]);
        data.extend_from_slice(&packed);
        let mut r = Reader::new(&data);
        assert_eq!(r.string().unwrap(), RdbStr::Raw(b"abc"));
        assert_eq!(r.string().unwrap(), RdbStr::Int(-1));
        assert_eq!(r.string().unwrap(), RdbStr::Int(12345));
        assert_eq!(r.string().unwrap(), RdbStr::Int(i32::MIN as i64));
        assert_eq!(r.string().unwrap(), RdbStr::Lzf(vec![b'x'; 40]));
        assert_eq!(r.remaining(), 0);
        // a declared length past the end allocates nothing and names the offset
        let e = Reader::with_base(&[0x81, 0xFF, 0, 0, 0, 0, 0, 0, 0], 100)
            .string()
            .unwrap_err();
        assert_eq!(e.offset, 100);
        // LZF claiming a huge original length
        let e = Reader::new(&[0xC3, 0x02, 0x81, 0, 0, 0, 1, 0, 0, 0, 0, 0, b'a'])
            .string()
            .unwrap_err();
        assert!(e.message.contains("LZF"), "{e}");
        assert!(Reader::new(&[0xC4]).string().is_err());
    }

    #[test]
    fn values_from_strings_take_redis_encodings() {
        assert_eq!(RdbStr::Raw(b"123").into_value(), Value::Int(123));
        assert_eq!(RdbStr::Raw(b"0123").into_value().encoding(), "embstr");
        assert_eq!(RdbStr::Int(7).into_value(), Value::Int(7));
        assert_eq!(RdbStr::Lzf(vec![b'a'; 45]).into_value().encoding(), "raw");
        assert_eq!(
            RdbStr::Lzf(vec![b'a'; 30]).into_value().encoding(),
            "embstr"
        );
    }

    #[test]
    fn text_doubles() {
        let mut data = vec![255, 254, 253, 3];
        data.extend_from_slice(b"1.5");
        data.push(4);
        data.extend_from_slice(b"zzzz");
        let mut r = Reader::new(&data);
        assert_eq!(r.text_double().unwrap(), f64::NEG_INFINITY);
        assert_eq!(r.text_double().unwrap(), f64::INFINITY);
        assert!(r.text_double().unwrap().is_nan());
        assert_eq!(r.text_double().unwrap(), 1.5);
        assert!(r.text_double().is_err());
        assert_eq!(
            c_strtod(b"-1.0000000000000001e+20"),
            (-1.0000000000000001e20, true)
        );
        assert_eq!(c_strtod(b" 2.5xyz"), (2.5, true));
        assert_eq!(c_strtod(b"\x002"), (0.0, false));
    }
}
