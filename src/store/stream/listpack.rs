//! Listpacks in Redis's byte format: the packed buffer a stream node lives in.
//!
//! A listpack is `<total-bytes u32 LE> <count u16 LE> <element>... <0xFF>`.
//! Each element is an encoding byte (with the data that follows it) and then a
//! "backlen": the element's own length written in 1 to 5 bytes of 7 bits, so
//! the list can be walked from the end too. Integers are packed as tightly as
//! their value allows (7-bit unsigned, then 13, 16, 24, 32 and 64-bit signed);
//! strings carry a 6, 12 or 32-bit length. A string that is the canonical
//! decimal form of an `i64` is stored as that integer, as Redis does, and
//! reads back as the same text. The element count saturates at 65535
//! ("unknown").
//!
//! Keeping Redis's format makes a node the same size as Redis's (memory per
//! entry, and the byte thresholds of `stream-node-max-bytes` fire at the same
//! entries) and lets RDB files carry nodes as they are.
//!
//! Invariant: every offset this module hands out points at the start of an
//! element of a well-formed listpack built by it; reading functions are only
//! called with such offsets.
use crate::num::string2ll;

/// Header bytes (total length and element count).
pub const HDR: usize = 6;
const EOF: u8 = 0xff;
const COUNT_UNKNOWN: u16 = u16::MAX;

/// One element as read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Elem<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl Elem<'_> {
    /// The element as an integer (a string element reads as 0, which the
    /// stream format never asks for).
    pub fn int(self) -> i64 {
        match self {
            Elem::Int(n) => n,
            Elem::Str(s) => string2ll(s).unwrap_or(0),
        }
    }

    /// Appends the element's bytes (an integer in decimal).
    pub fn write_to(self, out: &mut Vec<u8>) {
        match self {
            Elem::Int(n) => crate::num::push_i64(out, n),
            Elem::Str(s) => out.extend_from_slice(s),
        }
    }

    /// Whether the element reads as the bytes `b`.
    pub fn eq_bytes(self, b: &[u8]) -> bool {
        match self {
            Elem::Str(s) => s == b,
            Elem::Int(n) => string2ll(b) == Some(n),
        }
    }
}

/// A new, empty listpack.
pub fn new() -> Vec<u8> {
    let mut lp = Vec::with_capacity(64);
    lp.extend_from_slice(&(HDR as u32 + 1).to_le_bytes());
    lp.extend_from_slice(&0u16.to_le_bytes());
    lp.push(EOF);
    lp
}

/// Total bytes, as the header states them (the buffer's length).
pub fn bytes(lp: &[u8]) -> usize {
    lp.len()
}

/// Offset of the first element, or None when empty.
pub fn first(lp: &[u8]) -> Option<usize> {
    (lp.get(HDR) != Some(&EOF)).then_some(HDR)
}

/// Encoded length of an integer element (without its backlen).
fn int_len(v: i64) -> usize {
    match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        -2_147_483_648..=2_147_483_647 => 5,
        _ => 9,
    }
}

fn encode_int(v: i64, out: &mut Vec<u8>) {
    match int_len(v) {
        1 => out.push(v as u8),
        2 => {
            let u = (v as u64) & 0x1fff;
            out.push(0xc0 | (u >> 8) as u8);
            out.push(u as u8);
        }
        3 => {
            out.push(0xf1);
            out.extend_from_slice(&(v as i16).to_le_bytes());
        }
        4 => {
            out.push(0xf2);
            out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
        }
        5 => {
            out.push(0xf3);
            out.extend_from_slice(&(v as i32).to_le_bytes());
        }
        _ => {
            out.push(0xf4);
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
}

fn encode_str(s: &[u8], out: &mut Vec<u8>) {
    let n = s.len();
    if n < 64 {
        out.push(0x80 | n as u8);
    } else if n < 4096 {
        out.push(0xe0 | (n >> 8) as u8);
        out.push(n as u8);
    } else {
        out.push(0xf0);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
}

/// Appends the backlen of an element of `len` bytes.
fn encode_backlen(len: usize, out: &mut Vec<u8>) {
    let l = len as u64;
    if l <= 127 {
        out.push(l as u8);
    } else if l < 16383 {
        out.push((l >> 7) as u8);
        out.push((l & 127) as u8 | 128);
    } else if l < 2_097_151 {
        out.push((l >> 14) as u8);
        out.push(((l >> 7) & 127) as u8 | 128);
        out.push((l & 127) as u8 | 128);
    } else if l < 268_435_455 {
        out.push((l >> 21) as u8);
        out.push(((l >> 14) & 127) as u8 | 128);
        out.push(((l >> 7) & 127) as u8 | 128);
        out.push((l & 127) as u8 | 128);
    } else {
        out.push((l >> 28) as u8);
        out.push(((l >> 21) & 127) as u8 | 128);
        out.push(((l >> 14) & 127) as u8 | 128);
        out.push(((l >> 7) & 127) as u8 | 128);
        out.push((l & 127) as u8 | 128);
    }
}

fn backlen_size(len: usize) -> usize {
    match len {
        0..=127 => 1,
        128..=16382 => 2,
        16383..=2_097_150 => 3,
        2_097_151..=268_435_454 => 4,
        _ => 5,
    }
}

/// The whole element (encoding, data, backlen) for an integer.
fn int_element(v: i64, out: &mut Vec<u8>) {
    let start = out.len();
    encode_int(v, out);
    let len = out.len() - start;
    encode_backlen(len, out);
}

/// The whole element for a string (an integer when it is one).
fn str_element(s: &[u8], out: &mut Vec<u8>) {
    if s.len() < 21 {
        if let Some(v) = string2ll(s) {
            return int_element(v, out);
        }
    }
    let start = out.len();
    encode_str(s, out);
    let len = out.len() - start;
    encode_backlen(len, out);
}

/// Bytes an element holding `s` takes.
pub fn str_element_len(s: &[u8]) -> usize {
    if s.len() < 21 {
        if let Some(v) = string2ll(s) {
            let n = int_len(v);
            return n + backlen_size(n);
        }
    }
    let head = if s.len() < 64 {
        1
    } else if s.len() < 4096 {
        2
    } else {
        5
    };
    head + s.len() + backlen_size(head + s.len())
}

fn set_total(lp: &mut [u8]) {
    let n = lp.len() as u32;
    lp[..4].copy_from_slice(&n.to_le_bytes());
}

fn count_changed(lp: &mut [u8], grew: bool) {
    let n = u16::from_le_bytes([lp[4], lp[5]]);
    if n == COUNT_UNKNOWN {
        return;
    }
    let n = if grew {
        n.saturating_add(1)
    } else {
        n.saturating_sub(1)
    };
    lp[4..6].copy_from_slice(&n.to_le_bytes());
}

/// Appends elements written by `write` (each call of `int_element` /
/// `str_element` one element) before the end marker.
fn append_with(lp: &mut Vec<u8>, elements: usize, write: impl FnOnce(&mut Vec<u8>)) {
    lp.pop();
    write(lp);
    lp.push(EOF);
    for _ in 0..elements {
        count_changed(lp, true);
    }
    set_total(lp);
}

/// Appends an integer element.
pub fn append_int(lp: &mut Vec<u8>, v: i64) {
    append_with(lp, 1, |out| int_element(v, out));
}

/// Appends a string element (stored as an integer when it is one).
pub fn append_str(lp: &mut Vec<u8>, s: &[u8]) {
    append_with(lp, 1, |out| str_element(s, out));
}

/// Length of the element's encoding and data at `p` (not its backlen).
fn encoded_len(lp: &[u8], p: usize) -> usize {
    let b = lp[p];
    if b & 0x80 == 0 {
        1
    } else if b & 0xc0 == 0x80 {
        1 + usize::from(b & 0x3f)
    } else if b & 0xe0 == 0xc0 {
        2
    } else if b & 0xf0 == 0xe0 {
        2 + (usize::from(b & 0x0f) << 8 | usize::from(lp[p + 1]))
    } else {
        match b {
            0xf1 => 3,
            0xf2 => 4,
            0xf3 => 5,
            0xf4 => 9,
            _ => {
                let n = u32::from_le_bytes([lp[p + 1], lp[p + 2], lp[p + 3], lp[p + 4]]);
                5 + n as usize
            }
        }
    }
}

/// Size of the whole element at `p`, backlen included.
fn element_size(lp: &[u8], p: usize) -> usize {
    let n = encoded_len(lp, p);
    n + backlen_size(n)
}

/// The element at `p`.
pub fn get(lp: &[u8], p: usize) -> Elem<'_> {
    let b = lp[p];
    if b & 0x80 == 0 {
        Elem::Int(i64::from(b))
    } else if b & 0xc0 == 0x80 {
        let n = usize::from(b & 0x3f);
        Elem::Str(&lp[p + 1..p + 1 + n])
    } else if b & 0xe0 == 0xc0 {
        let u = (u16::from(b & 0x1f) << 8) | u16::from(lp[p + 1]);
        // Sign-extend 13 bits.
        Elem::Int(i64::from(((u << 3) as i16) >> 3))
    } else if b & 0xf0 == 0xe0 {
        let n = usize::from(b & 0x0f) << 8 | usize::from(lp[p + 1]);
        Elem::Str(&lp[p + 2..p + 2 + n])
    } else {
        match b {
            0xf1 => Elem::Int(i64::from(i16::from_le_bytes([lp[p + 1], lp[p + 2]]))),
            0xf2 => {
                let v = i32::from_le_bytes([0, lp[p + 1], lp[p + 2], lp[p + 3]]) >> 8;
                Elem::Int(i64::from(v))
            }
            0xf3 => Elem::Int(i64::from(i32::from_le_bytes([
                lp[p + 1],
                lp[p + 2],
                lp[p + 3],
                lp[p + 4],
            ]))),
            0xf4 => {
                let mut b8 = [0u8; 8];
                b8.copy_from_slice(&lp[p + 1..p + 9]);
                Elem::Int(i64::from_le_bytes(b8))
            }
            _ => {
                let n = u32::from_le_bytes([lp[p + 1], lp[p + 2], lp[p + 3], lp[p + 4]]) as usize;
                Elem::Str(&lp[p + 5..p + 5 + n])
            }
        }
    }
}

/// The integer at `p`.
pub fn get_int(lp: &[u8], p: usize) -> i64 {
    get(lp, p).int()
}

/// Offset of the element after the one at `p`, or None at the end.
pub fn next(lp: &[u8], p: usize) -> Option<usize> {
    let q = p + element_size(lp, p);
    (lp.get(q).is_some_and(|&b| b != EOF)).then_some(q)
}

/// Offset of the element after the one at `p` (which must exist).
pub fn skip(lp: &[u8], p: usize) -> usize {
    p + element_size(lp, p)
}

/// Offset of the element before the one at `p` (`p` may be the end marker's
/// offset), or None at the start.
pub fn prev(lp: &[u8], p: usize) -> Option<usize> {
    if p <= HDR {
        return None;
    }
    // Read the backlen backwards from p - 1.
    let mut q = p - 1;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        len |= usize::from(lp[q] & 127) << shift;
        if lp[q] & 128 == 0 {
            break;
        }
        shift += 7;
        q -= 1;
    }
    Some(q - len)
}

/// Offset of the end marker.
pub fn end(lp: &[u8]) -> usize {
    lp.len() - 1
}

/// Replaces the element at `p` with the integer `v` (the elements after it
/// move if the size changes).
pub fn replace_int(lp: &mut Vec<u8>, p: usize, v: i64) {
    let old = element_size(lp, p);
    let mut new = Vec::with_capacity(11);
    int_element(v, &mut new);
    if new.len() == old {
        lp[p..p + old].copy_from_slice(&new);
    } else {
        lp.splice(p..p + old, new);
        set_total(lp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_round_trip_at_every_width() {
        let mut lp = new();
        let vals = [
            0i64,
            127,
            128,
            -1,
            4095,
            -4096,
            4096,
            32767,
            -32768,
            8_388_607,
            -8_388_608,
            2_147_483_647,
            -2_147_483_648,
            i64::MAX,
            i64::MIN,
        ];
        for v in vals {
            append_int(&mut lp, v);
        }
        let mut p = first(&lp);
        for v in vals {
            let at = p.unwrap();
            assert_eq!(get(&lp, at), Elem::Int(v));
            p = next(&lp, at);
        }
        assert_eq!(p, None);
        // Walk back from the end.
        let mut q = prev(&lp, end(&lp));
        for v in vals.iter().rev() {
            let at = q.unwrap();
            assert_eq!(get_int(&lp, at), *v);
            q = prev(&lp, at);
        }
        assert_eq!(
            u32::from_le_bytes(lp[..4].try_into().unwrap()) as usize,
            lp.len()
        );
        assert_eq!(u16::from_le_bytes([lp[4], lp[5]]), vals.len() as u16);
    }

    #[test]
    fn strings_and_numeric_strings() {
        let mut lp = new();
        let long = vec![b'x'; 5000];
        let mid = vec![b'y'; 100];
        for s in [&b"abc"[..], b"123", b"0123", b"-0", b"", &mid, &long] {
            let before = lp.len();
            append_str(&mut lp, s);
            assert_eq!(lp.len() - before, str_element_len(s));
        }
        let mut out = Vec::new();
        let mut p = first(&lp);
        while let Some(at) = p {
            get(&lp, at).write_to(&mut out);
            out.push(b'|');
            p = next(&lp, at);
        }
        let mut want = b"abc|123|0123|-0||".to_vec();
        want.extend_from_slice(&mid);
        want.push(b'|');
        want.extend_from_slice(&long);
        want.push(b'|');
        assert_eq!(out, want);
        assert_eq!(get(&lp, first(&lp).unwrap()), Elem::Str(b"abc"));
    }

    #[test]
    fn replacing_an_integer_with_a_wider_one_moves_the_rest() {
        let mut lp = new();
        append_int(&mut lp, 127);
        append_str(&mut lp, b"tail");
        replace_int(&mut lp, HDR, 128);
        assert_eq!(get_int(&lp, HDR), 128);
        assert_eq!(get(&lp, next(&lp, HDR).unwrap()), Elem::Str(b"tail"));
        replace_int(&mut lp, HDR, 5);
        assert_eq!(lp.len(), HDR + 2 + 6 + 1);
    }
}
