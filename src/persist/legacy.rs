//! Encodings older Redis versions wrote into RDB files, read (never written)
//! so that dumps from Redis 2.x to 6.x load: the ziplist (small lists, hashes
//! and sorted sets before 7.0, and the nodes of the first quicklist), and the
//! zipmap (small hashes before 2.6).
//!
//! Ziplist layout (little-endian unless said otherwise):
//!
//! ```text
//! <zlbytes: u32> <zltail: u32> <zllen: u16> <entry> ... <0xFF>
//! entry = <prevlen> <encoding> <data>
//! prevlen  = 1 byte (< 254) | 0xFE + u32: size of the previous entry
//! encoding = 00LLLLLL                 string of up to 63 bytes
//!          | 01LLLLLL LLLLLLLL        string of up to 16383 bytes (length big-endian)
//!          | 10000000 + u32 BE        string of any length
//!          | 0xC0 i16 | 0xD0 i32 | 0xE0 i64 | 0xF0 i24 | 0xFE i8
//!          | 0xF1..=0xFD             integer 0..=12 in the byte (value = low nibble - 1)
//! ```
//!
//! `zlbytes` is the buffer size, `zltail` the offset of the last entry, `zllen`
//! the entry count (65535: count them).
//!
//! Zipmap layout: `<count: u8 (254: unknown)> (<len> <field> <len> <free: u8>
//! <value> <free bytes>)* <0xFF>`, a length being one byte below 254, or 254 (or
//! more) followed by a u32.
//!
//! Both readers check everything Redis's deep validation checks
//! (`ziplistValidateIntegrity`, `zipmapValidateIntegrity`) before returning
//! anything: bounds, encodings, every prevlen, the tail offset, the count.
//! Redis always validates these formats deeply when loading them.
use crate::store::listpack::Entry;

/// Why a buffer is not a ziplist or zipmap (the listpack's error type, shared).
pub use crate::store::listpack::Corrupt;

/// A hash's (field, value) pairs, borrowed from the buffer.
pub type Pairs<'a> = Vec<(&'a [u8], &'a [u8])>;

const ZL_HEADER: usize = 10;
const ZL_END: u8 = 0xFF;
const ZL_BIG_PREVLEN: u8 = 254;

fn u32_le(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes the ziplist entry at `p`: (entry, total size). `None` when the
/// entry is malformed or reaches the terminator (`last` is the terminator's
/// index).
fn zl_entry(zl: &[u8], p: usize, last: usize) -> Option<(Entry<'_>, usize, usize)> {
    let first = *zl.get(p)?;
    let (prevlen, plen) = if first < ZL_BIG_PREVLEN {
        (first as usize, 1)
    } else {
        (u32_le(zl, p + 1)? as usize, 5)
    };
    let e = p + plen;
    if e > last {
        return None;
    }
    let enc = *zl.get(e)?;
    let (lensize, len, int): (usize, usize, bool) = match enc >> 6 {
        0 => (1, (enc & 0x3F) as usize, false),
        1 => (
            2,
            (((enc & 0x3F) as usize) << 8) | *zl.get(e + 1)? as usize,
            false,
        ),
        2 if enc == 0x80 => (
            5,
            u32::from_be_bytes(zl.get(e + 1..e + 5)?.try_into().ok()?) as usize,
            false,
        ),
        2 => return None,
        _ => match enc {
            0xFE => (1, 1, true),
            0xC0 => (1, 2, true),
            0xF0 => (1, 3, true),
            0xD0 => (1, 4, true),
            0xE0 => (1, 8, true),
            0xF1..=0xFD => (1, 0, true),
            _ => return None,
        },
    };
    if e + lensize > last {
        return None;
    }
    let data = e + lensize;
    let end = data.checked_add(len)?;
    if end > last {
        return None;
    }
    let bytes = zl.get(data..end)?;
    let entry = if !int {
        Entry::Str(bytes)
    } else {
        Entry::Int(match enc {
            0xFE => bytes[0] as i8 as i64,
            0xC0 => i16::from_le_bytes([bytes[0], bytes[1]]) as i64,
            0xF0 => (i32::from_le_bytes([0, bytes[0], bytes[1], bytes[2]]) >> 8) as i64,
            0xD0 => i32::from_le_bytes(bytes.try_into().ok()?) as i64,
            0xE0 => i64::from_le_bytes(bytes.try_into().ok()?),
            imm => ((imm & 0x0F) as i64) - 1,
        })
    };
    Some((entry, prevlen, end - p))
}

/// The entries of a ziplist, after checking all of it.
pub fn ziplist_entries(zl: &[u8]) -> Result<Vec<Entry<'_>>, Corrupt> {
    if zl.len() < ZL_HEADER + 1 {
        return Err(Corrupt("ziplist shorter than its header"));
    }
    if u32_le(zl, 0) != Some(zl.len() as u32) || zl.len() > u32::MAX as usize {
        return Err(Corrupt("ziplist size field does not match its length"));
    }
    let last = zl.len() - 1;
    if zl[last] != ZL_END {
        return Err(Corrupt("ziplist does not end with 0xFF"));
    }
    let tail = u32_le(zl, 4).unwrap_or(u32::MAX) as usize;
    if tail > last {
        return Err(Corrupt("ziplist tail offset out of range"));
    }
    let header_count = u16::from_le_bytes([zl[8], zl[9]]);
    let mut entries = Vec::new();
    let mut p = ZL_HEADER;
    let mut prev_size = 0;
    let mut prev_pos = None;
    while zl[p] != ZL_END {
        let (e, prevlen, size) = zl_entry(zl, p, last).ok_or(Corrupt("invalid ziplist entry"))?;
        if prevlen != prev_size {
            return Err(Corrupt("ziplist entry has a wrong previous length"));
        }
        entries.push(e);
        prev_pos = Some(p);
        prev_size = size;
        p += size;
    }
    if p != last {
        return Err(Corrupt("ziplist entries do not reach its end"));
    }
    if prev_pos.is_some_and(|q| q != tail) {
        return Err(Corrupt(
            "ziplist tail offset does not point at the last entry",
        ));
    }
    if header_count != u16::MAX && header_count as usize != entries.len() {
        return Err(Corrupt("ziplist count does not match its entries"));
    }
    Ok(entries)
}

/// The (field, value) pairs of a zipmap, after checking all of it (Redis also
/// refuses an empty zipmap).
pub fn zipmap_pairs(zm: &[u8]) -> Result<Pairs<'_>, Corrupt> {
    if zm.len() < 2 {
        return Err(Corrupt("zipmap too short"));
    }
    let last = zm.len() - 1;
    if zm[last] != 0xFF {
        return Err(Corrupt("zipmap does not end with 0xFF"));
    }
    let out_of_range = |p: usize| p < 2 || p > last;
    // (length, bytes of its encoding) at `p`
    let length = |p: usize| -> Option<(usize, usize)> {
        let b = *zm.get(p)?;
        if b < 254 {
            Some((b as usize, 1))
        } else {
            Some((u32_le(zm, p + 1)? as usize, 5))
        }
    };
    let bad = Corrupt("invalid zipmap entry");
    let mut pairs = Vec::new();
    let mut p = 1;
    while zm[p] != 0xFF {
        let (flen, s) = length(p).ok_or(bad)?;
        if out_of_range(p + s) {
            return Err(bad);
        }
        let field_at = p + s;
        p = field_at.checked_add(flen).ok_or(bad)?;
        if out_of_range(p) {
            return Err(bad);
        }
        let (vlen, s) = length(p).ok_or(bad)?;
        if out_of_range(p + s) {
            return Err(bad);
        }
        let free = zm[p + s] as usize;
        let value_at = p + s + 1;
        p = value_at
            .checked_add(vlen)
            .and_then(|x| x.checked_add(free))
            .ok_or(bad)?;
        if out_of_range(p) {
            return Err(bad);
        }
        let field = zm.get(field_at..field_at + flen).ok_or(bad)?;
        let value = zm.get(value_at..value_at + vlen).ok_or(bad)?;
        pairs.push((field, value));
    }
    if pairs.is_empty() {
        return Err(Corrupt("empty zipmap"));
    }
    if zm[0] != 254 && zm[0] as usize != pairs.len() {
        return Err(Corrupt("zipmap count does not match its entries"));
    }
    Ok(pairs)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a ziplist of `items` as Redis 6 would (integers in the smallest
    /// encoding, strings by length).
    pub fn make_ziplist(items: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        let mut tail = ZL_HEADER;
        for it in items {
            let start = body.len();
            tail = ZL_HEADER + start;
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(254);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            match crate::num::string2ll(it) {
                Some(v @ 0..=12) => body.push(0xF1 + v as u8),
                Some(v) if i8::try_from(v).is_ok() => {
                    body.push(0xFE);
                    body.push(v as i8 as u8);
                }
                Some(v) if i16::try_from(v).is_ok() => {
                    body.push(0xC0);
                    body.extend_from_slice(&(v as i16).to_le_bytes());
                }
                Some(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                    body.push(0xF0);
                    body.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
                }
                Some(v) if i32::try_from(v).is_ok() => {
                    body.push(0xD0);
                    body.extend_from_slice(&(v as i32).to_le_bytes());
                }
                Some(v) => {
                    body.push(0xE0);
                    body.extend_from_slice(&v.to_le_bytes());
                }
                None if it.len() < 64 => {
                    body.push(it.len() as u8);
                    body.extend_from_slice(it);
                }
                None if it.len() < 16384 => {
                    body.push(0x40 | (it.len() >> 8) as u8);
                    body.push(it.len() as u8);
                    body.extend_from_slice(it);
                }
                None => {
                    body.push(0x80);
                    body.extend_from_slice(&(it.len() as u32).to_be_bytes());
                    body.extend_from_slice(it);
                }
            }
            prev = body.len() - start;
        }
        let mut zl = Vec::new();
        zl.extend_from_slice(&((ZL_HEADER + body.len() + 1) as u32).to_le_bytes());
        zl.extend_from_slice(&(tail as u32).to_le_bytes());
        zl.extend_from_slice(&(items.len().min(65535) as u16).to_le_bytes());
        zl.extend_from_slice(&body);
        zl.push(ZL_END);
        zl
    }

    /// Builds a zipmap of `pairs` (with one free byte after each value).
    pub fn make_zipmap(pairs: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut zm = vec![pairs.len().min(254) as u8];
        let len = |zm: &mut Vec<u8>, n: usize| {
            if n < 254 {
                zm.push(n as u8);
            } else {
                zm.push(254);
                zm.extend_from_slice(&(n as u32).to_le_bytes());
            }
        };
        for (f, v) in pairs {
            len(&mut zm, f.len());
            zm.extend_from_slice(f);
            len(&mut zm, v.len());
            zm.push(1);
            zm.extend_from_slice(v);
            zm.push(0);
        }
        zm.push(0xFF);
        zm
    }

    #[test]
    fn ziplist_round_trip_of_every_encoding() {
        let big = vec![b'q'; 300];
        let huge = vec![b'h'; 20000];
        let items: Vec<&[u8]> = vec![
            b"0",
            b"12",
            b"13",
            b"-1",
            b"-128",
            b"300",
            b"-40000",
            b"8000000",
            b"2000000000",
            b"-9223372036854775808",
            b"abc",
            b"",
            &big,
            &huge,
            b"007",
        ];
        let zl = make_ziplist(&items);
        let got: Vec<Vec<u8>> = ziplist_entries(&zl)
            .unwrap()
            .iter()
            .map(|e| e.to_vec())
            .collect();
        let want: Vec<Vec<u8>> = items.iter().map(|s| s.to_vec()).collect();
        assert_eq!(got, want);
        // an empty ziplist is well-formed
        assert!(ziplist_entries(&make_ziplist(&[])).unwrap().is_empty());
    }

    #[test]
    fn ziplist_damage_is_refused() {
        let zl = make_ziplist(&[b"abc", b"5", b"hello"]);
        for (i, v) in [
            (0, 99u8),
            (4, 3),
            (8, 7),
            (10, 1),
            (11, 0x3F),
            (11, 0xC5),
            (16, 9),
        ] {
            let mut b = zl.clone();
            b[i] = v;
            assert!(ziplist_entries(&b).is_err(), "byte {i} = {v}");
        }
        for i in 0..zl.len() {
            for v in [0u8, 0x40, 0x80, 0xC0, 0xFE, 0xFF] {
                let mut b = zl.clone();
                b[i] = v;
                let _ = ziplist_entries(&b);
            }
        }
    }

    #[test]
    fn zipmap_pairs_and_damage() {
        let long = vec![b'v'; 300];
        let zm = make_zipmap(&[(b"a", b"1"), (b"field", &long)]);
        let got = zipmap_pairs(&zm).unwrap();
        assert_eq!(
            got,
            vec![(&b"a"[..], &b"1"[..]), (&b"field"[..], &long[..])]
        );
        let mut b = zm.clone();
        b[0] = 3;
        assert!(zipmap_pairs(&b).is_err());
        b[0] = 254; // unknown count
        assert_eq!(zipmap_pairs(&b).unwrap().len(), 2);
        assert!(zipmap_pairs(&[0, 0xFF]).is_err());
        for i in 0..zm.len() {
            for v in [0u8, 5, 253, 254, 255] {
                let mut b = zm.clone();
                b[i] = v;
                let _ = zipmap_pairs(&b);
            }
        }
    }
}
