//! LZF, the compression Redis applies to strings in RDB files and DUMP payloads
//! (`rdbcompression yes`), byte-compatible with the liblzf 3.6 that Redis ships.
//!
//! The compressed stream is a sequence of items, each starting with a control
//! byte:
//!
//! ```text
//! 000LLLLL <L+1 bytes>          literal run of 1..=32 bytes
//! LLLooooo oooooooo             back reference: copy L+2 bytes (L = 1..=6) from
//!                               `o+1` bytes back in the output
//! 111ooooo LLLLLLLL oooooooo    back reference of L+9 bytes (up to 264)
//! ```
//!
//! Offsets reach 8192 bytes back; a reference may overlap the bytes it produces
//! (a run of one byte is a reference one byte back).
//!
//! Compression follows liblzf's algorithm as Redis builds it (hash of the next
//! three bytes into a 65536-slot table, `VERY_FAST` re-hashing of the two
//! positions before the end of a match, matches only from positions after the
//! first byte), so the output is the one Redis writes; Redis's table starts
//! uninitialised while ours starts empty, which can only make Redis find a
//! different (equally valid) match in rare cases. Like `lzf_compress`, it gives
//! up when the output would not fit the room it was given: Redis gives it
//! `len - 4` bytes, so a string is stored compressed only when that saves at
//! least 4 bytes.
//!
//! Decompression trusts nothing: every literal and reference is bounds-checked
//! against the input, the output produced so far and the declared length; the
//! output never grows past the declared length. A damaged stream is an error,
//! never a panic.

/// Longest literal run.
const MAX_LIT: usize = 1 << 5;
/// Farthest back a reference reaches.
const MAX_OFF: usize = 1 << 13;
/// Longest reference.
const MAX_REF: usize = (1 << 8) + (1 << 3);
/// log2 of the hash table's slots (liblzf's `HLOG` in Redis).
const HLOG: u32 = 16;
const HSIZE: usize = 1 << HLOG;

/// The most bytes one compressed byte can stand for (a 3-byte reference of 264
/// bytes), used to refuse absurd declared lengths before allocating.
pub const MAX_RATIO: usize = 88;

/// Why a compressed string could not be expanded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LzfError {
    /// The stream would produce more than the declared length.
    TooLong,
    /// The stream ends inside an item.
    Truncated,
    /// A reference points before the start of the output.
    BadReference,
    /// The stream produced fewer bytes than declared.
    TooShort,
}

impl std::fmt::Display for LzfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LzfError::TooLong => "LZF data expands past its declared length",
            LzfError::Truncated => "LZF data ends inside an item",
            LzfError::BadReference => "LZF back reference before the start",
            LzfError::TooShort => "LZF data expands to less than its declared length",
        })
    }
}

/// Expands `input` into exactly `out_len` bytes.
pub fn decompress(input: &[u8], out_len: usize) -> Result<Vec<u8>, LzfError> {
    if out_len > input.len().saturating_mul(MAX_RATIO) {
        return Err(LzfError::TooLong);
    }
    let mut out: Vec<u8> = Vec::with_capacity(out_len);
    let mut ip = 0;
    while ip < input.len() {
        let ctrl = input[ip] as usize;
        ip += 1;
        if ctrl < MAX_LIT {
            let n = ctrl + 1;
            if out.len() + n > out_len {
                return Err(LzfError::TooLong);
            }
            let lit = input.get(ip..ip + n).ok_or(LzfError::Truncated)?;
            out.extend_from_slice(lit);
            ip += n;
        } else {
            let mut len = ctrl >> 5;
            let mut back = ((ctrl & 0x1F) << 8) + 1;
            if len == 7 {
                len += *input.get(ip).ok_or(LzfError::Truncated)? as usize;
                ip += 1;
            }
            back += *input.get(ip).ok_or(LzfError::Truncated)? as usize;
            ip += 1;
            let n = len + 2;
            if out.len() + n > out_len {
                return Err(LzfError::TooLong);
            }
            let from = out.len().checked_sub(back).ok_or(LzfError::BadReference)?;
            if back >= n {
                out.extend_from_within(from..from + n);
            } else {
                // the reference overlaps what it produces: byte by byte
                for k in 0..n {
                    let b = out[from + k];
                    out.push(b);
                }
            }
        }
    }
    if out.len() != out_len {
        return Err(LzfError::TooShort);
    }
    Ok(out)
}

/// A reusable compressor: its hash table is kept between calls (each slot is
/// tagged with the call it belongs to, so nothing needs clearing).
pub struct Compressor {
    /// Slot -> (call tag << 32) | input position.
    table: Vec<u64>,
    tag: u32,
}

impl Default for Compressor {
    fn default() -> Self {
        Compressor::new()
    }
}

/// The hash slot of the three bytes whose value is `h` (liblzf's `IDX` with
/// `VERY_FAST`); only the low 24 bits of `h` matter.
#[inline]
fn slot(h: u32) -> usize {
    ((h >> (3 * 8 - HLOG)).wrapping_sub(h.wrapping_mul(5)) as usize) & (HSIZE - 1)
}

impl Compressor {
    pub fn new() -> Compressor {
        Compressor {
            table: Vec::new(),
            tag: 0,
        }
    }

    /// Compresses `input` into at most `max_out` bytes; `None` when it does not
    /// fit (or `input` is empty), as `lzf_compress` returning 0.
    pub fn compress(&mut self, input: &[u8], max_out: usize) -> Option<Vec<u8>> {
        let in_len = input.len();
        if in_len == 0 || max_out == 0 || in_len > u32::MAX as usize {
            return None;
        }
        if self.table.is_empty() {
            self.table = vec![0; HSIZE];
        }
        self.tag = self.tag.wrapping_add(1);
        if self.tag == 0 {
            self.table.iter_mut().for_each(|s| *s = 0);
            self.tag = 1;
        }
        let tag = (self.tag as u64) << 32;
        let table = &mut self.table;
        // a slot's position if it was set during this call
        let lookup = |table: &[u64], s: usize| -> Option<usize> {
            let v = table[s];
            (v & !0xFFFF_FFFF == tag).then_some((v & 0xFFFF_FFFF) as usize)
        };

        let mut out: Vec<u8> = Vec::with_capacity(max_out.min(in_len + in_len / 32 + 2));
        let mut lit: usize = 0;
        out.push(0); // control byte of the literal run being built
        let mut ip: usize = 0;
        let mut hval: u32 = if in_len >= 2 {
            ((input[0] as u32) << 8) | input[1] as u32
        } else {
            0
        };
        while ip + 2 < in_len {
            hval = (hval << 8) | input[ip + 2] as u32;
            let s = slot(hval);
            let candidate = lookup(table, s);
            table[s] = tag | ip as u64;
            let found = candidate.filter(|&r| {
                r < ip
                    && ip - r - 1 < MAX_OFF
                    && r > 0
                    && input[r + 2] == input[ip + 2]
                    && input[r] == input[ip]
                    && input[r + 1] == input[ip + 1]
            });
            if let Some(r) = found {
                let off = ip - r - 1;
                let maxlen = (in_len - ip - 2).min(MAX_REF);
                if out.len() + 4 >= max_out && out.len() - usize::from(lit == 0) + 4 >= max_out {
                    return None;
                }
                if lit > 0 {
                    let at = out.len() - lit - 1;
                    out[at] = (lit - 1) as u8;
                } else {
                    out.pop();
                }
                // Extend the match: a first stretch of 16 bytes checked without
                // the length bound when the bound allows more than 16, then byte
                // by byte up to the bound (liblzf's exact order, which decides
                // the match length near the end of the input).
                let mut len = 2usize;
                let mut stopped = false;
                if maxlen > 16 {
                    for _ in 0..16 {
                        len += 1;
                        if input.get(r + len) != input.get(ip + len) {
                            stopped = true;
                            break;
                        }
                    }
                }
                if !stopped {
                    loop {
                        len += 1;
                        if !(len < maxlen && input.get(r + len) == input.get(ip + len)) {
                            break;
                        }
                    }
                }
                len -= 2;
                ip += 1;
                if len < 7 {
                    out.push(((off >> 8) + (len << 5)) as u8);
                } else {
                    out.push(((off >> 8) + (7 << 5)) as u8);
                    out.push((len - 7) as u8);
                }
                out.push(off as u8);
                lit = 0;
                out.push(0);
                ip += len + 1;
                if ip + 2 >= in_len {
                    break;
                }
                // re-hash the two positions before the new one
                ip -= 2;
                hval = ((input[ip] as u32) << 8) | input[ip + 1] as u32;
                for _ in 0..2 {
                    hval = (hval << 8) | input[ip + 2] as u32;
                    table[slot(hval)] = tag | ip as u64;
                    ip += 1;
                }
            } else {
                if out.len() >= max_out {
                    return None;
                }
                push_literal(&mut out, &mut lit, input[ip]);
                ip += 1;
            }
        }
        if out.len() + 3 > max_out {
            return None;
        }
        for &b in &input[ip..] {
            push_literal(&mut out, &mut lit, b);
        }
        if lit > 0 {
            let at = out.len() - lit - 1;
            out[at] = (lit - 1) as u8;
        } else {
            out.pop();
        }
        Some(out)
    }
}

/// Adds a byte to the literal run being built, closing the run (its control
/// byte) when it reaches 32 bytes and starting the next.
fn push_literal(out: &mut Vec<u8>, lit: &mut usize, b: u8) {
    *lit += 1;
    out.push(b);
    if *lit == MAX_LIT {
        let at = out.len() - MAX_LIT - 1;
        out[at] = (MAX_LIT - 1) as u8;
        *lit = 0;
        out.push(0);
    }
}

/// Compresses `input` with a fresh table; see [`Compressor::compress`].
pub fn compress(input: &[u8], max_out: usize) -> Option<Vec<u8>> {
    Compressor::new().compress(input, max_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(data: &[u8]) {
        let mut c = Compressor::new();
        let room = data.len() + data.len() / 16 + 64;
        let packed = c.compress(data, room).expect("room enough");
        assert_eq!(decompress(&packed, data.len()).unwrap(), data);
        // a reused compressor gives the same bytes as a fresh one
        assert_eq!(c.compress(data, room).unwrap(), packed);
    }

    #[test]
    fn matches_liblzf_output() {
        // What redis-server 7.0.15 stores for these strings (DUMP payloads).
        let s = vec![b'a'; 30];
        assert_eq!(
            compress(&s, s.len() - 4).unwrap(),
            vec![0x01, b'a', b'a', 0xE0, 0x11, 0x00, 0x01, b'a', b'a']
        );
        let s = b"hello world hello world hello world".to_vec();
        assert_eq!(
            compress(&s, s.len() - 4).unwrap(),
            b"\x0chello world h\xe0\x0b\x0b\x01ld".to_vec()
        );
    }

    #[test]
    fn round_trips() {
        round_trip(b"a");
        round_trip(b"ab");
        round_trip(b"abc");
        round_trip(&[7u8; 1000]);
        round_trip(
            &(0..5000u32)
                .map(|i| (i * 7 % 251) as u8)
                .collect::<Vec<_>>(),
        );
        let text: Vec<u8> = (0..20000)
            .flat_map(|i| format!("key:{i} ").into_bytes())
            .collect();
        round_trip(&text);
        let mut x = 1u64;
        let noise: Vec<u8> = (0..10000)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                (x >> 56) as u8
            })
            .collect();
        round_trip(&noise);
    }

    #[test]
    fn gives_up_when_it_does_not_fit() {
        let noise: Vec<u8> = (0..64u32).map(|i| (i * 97 % 256) as u8).collect();
        assert!(compress(&noise, noise.len() - 4).is_none());
        assert!(compress(b"", 10).is_none());
        // Like liblzf, it needs a few bytes of slack beyond the output: once the
        // room suffices, more room gives the same bytes.
        let s: Vec<u8> = (0..300).map(|i| b"abcabcxyz"[i % 9]).collect();
        let full = compress(&s, 1000).unwrap();
        let least = (1..1000).find(|&m| compress(&s, m).is_some()).unwrap();
        assert!(least >= full.len() && least <= full.len() + 4);
        for m in least..least + 10 {
            assert_eq!(compress(&s, m).as_ref(), Some(&full));
        }
    }

    #[test]
    fn damaged_streams_are_errors() {
        assert_eq!(decompress(&[0x05, b'a'], 6), Err(LzfError::Truncated));
        assert_eq!(
            decompress(&[0x00, b'a', 0x20, 0x05], 4),
            Err(LzfError::BadReference)
        );
        assert_eq!(
            decompress(&[0x00, b'a', 0x20, 0x00], 3),
            Err(LzfError::TooLong)
        );
        assert_eq!(decompress(&[0x00, b'a'], 2), Err(LzfError::TooShort));
        assert_eq!(decompress(&[0xE0], 10), Err(LzfError::Truncated));
        assert_eq!(decompress(&[0xE0, 0x01], 10), Err(LzfError::Truncated));
        assert_eq!(
            decompress(&[0x00, b'a'], usize::MAX),
            Err(LzfError::TooLong)
        );
        // every single-byte change of a valid stream is refused or in bounds
        let data: Vec<u8> = (0..2000)
            .flat_map(|i| format!("{} ", i % 37).into_bytes())
            .collect();
        let packed = compress(&data, data.len()).unwrap();
        for i in 0..packed.len() {
            for v in [0u8, 0x1F, 0x20, 0xE0, 0xFF] {
                let mut p = packed.clone();
                p[i] = v;
                if let Ok(out) = decompress(&p, data.len()) {
                    assert_eq!(out.len(), data.len());
                }
            }
        }
    }
}
