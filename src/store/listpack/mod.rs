//! Redis 7.0's listpack: a list of strings and integers packed into one byte
//! buffer, exactly as Redis lays it out in memory, in RDB files and in DUMP
//! payloads (hashes, sorted sets and list nodes use it there).
//!
//! Layout (all multi-byte numbers little-endian):
//!
//! ```text
//! <total bytes: u32> <entry count: u16> <entry> ... <entry> <0xFF>
//! ```
//!
//! The count is 65535 ([`COUNT_UNKNOWN`]) once a listpack holds that many
//! entries or more: the entries must then be counted by walking them.
//!
//! An entry is `<encoding+data> <backlen>`. The encoding's first byte says what
//! follows:
//!
//! | first byte | meaning |
//! | --- | --- |
//! | `0xxxxxxx` | integer 0..=127 in the byte itself |
//! | `10LLLLLL` | string of up to 63 bytes follows |
//! | `110xxxxx` + 1 byte | 13-bit signed integer (high bits first) |
//! | `1110LLLL` + 1 byte | string of up to 4095 bytes follows (length high bits first) |
//! | `0xF0` + u32 | string of any length follows |
//! | `0xF1` / `0xF2` / `0xF3` / `0xF4` | 16 / 24 / 32 / 64-bit signed integer follows |
//! | `0xFF` | end of the listpack |
//!
//! `backlen` is the size of `<encoding+data>`, written so that it can be read
//! backwards from the entry's last byte: 7 bits per byte, the last byte holding
//! the lowest bits, every byte but the first (leftmost) flagged with 0x80. That
//! is what lets a listpack be walked from its tail.
//!
//! When Redis adds a string, it stores it as an integer if the string is the
//! canonical decimal form of an `i64` (`lpStringToInt64`: no sign but `-`, no
//! leading zeros, not `-0`), in the smallest integer encoding that holds it;
//! otherwise as a string with the smallest length prefix. [`Listpack`] makes the
//! same choices, so the bytes it builds are the bytes Redis builds.
//!
//! Invariants of a [`Listpack`]: its buffer is always a well-formed listpack (the
//! header's byte count is the buffer's length, the last byte is `0xFF`, every entry
//! decodes and its backlen matches, the header count is exact or 65535). Buffers
//! from outside go through [`Listpack::from_bytes`], which checks all of that (what
//! `sanitize-dump-payload` calls deep sanitization); every other constructor and
//! every edit keeps it. A [`Pos`] is the byte offset of an entry; it stays valid
//! until the next edit.
//!
//! Reading never allocates: entries come out as [`Entry::Int`] or a borrowed
//! [`Entry::Str`]. Callers keep the total size under [`MAX_SAFE_BYTES`] (Redis's
//! `lpSafeToAdd`); see [`Listpack::safe_to_add`].
use crate::num::{ll2string as format_i64, string2ll};

mod shared;
pub use shared::Shared;

/// Bytes of the header: total bytes (u32) and entry count (u16).
pub const HEADER_SIZE: usize = 6;
/// The terminator byte.
pub const EOF: u8 = 0xFF;
/// The header count meaning "65535 or more: count them".
pub const COUNT_UNKNOWN: u16 = u16::MAX;
/// Redis never lets a listpack grow past 1 GB (`LISTPACK_MAX_SAFETY_SIZE`).
pub const MAX_SAFE_BYTES: usize = 1 << 30;

/// One entry, as stored: an integer, or a string borrowed from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry<'a> {
    Int(i64),
    Str(&'a [u8]),
}

impl<'a> Entry<'a> {
    /// The entry as a byte string (an integer in decimal), using `tmp` for digits.
    pub fn bytes<'b>(&self, tmp: &'b mut [u8; 20]) -> &'b [u8]
    where
        'a: 'b,
    {
        match *self {
            Entry::Int(n) => format_i64(n, tmp),
            Entry::Str(s) => s,
        }
    }

    /// The entry as an owned byte string.
    pub fn to_vec(&self) -> Vec<u8> {
        let mut tmp = [0u8; 20];
        self.bytes(&mut tmp).to_vec()
    }

    /// Whether the entry equals the byte string `b` (an integer entry equals
    /// its decimal form).
    pub fn eq_bytes(&self, b: &[u8]) -> bool {
        match *self {
            Entry::Str(s) => s == b,
            Entry::Int(n) => string2ll(b) == Some(n),
        }
    }
}

impl<'a> From<Entry<'a>> for Elem<'a> {
    #[inline]
    fn from(e: Entry<'a>) -> Elem<'a> {
        match e {
            Entry::Str(s) => Elem::Str(s),
            Entry::Int(n) => Elem::int(n),
        }
    }
}

/// An element read from a value, as bytes: a string borrowed from where it is
/// stored, or an integer entry's decimal digits held here (a listpack or an
/// intset stores `"12"` as the number 12). Dereferences to the bytes, so a
/// reply can send it as it sends any string.
#[derive(Clone, Copy)]
pub enum Elem<'a> {
    Str(&'a [u8]),
    Digits { start: u8, buf: [u8; 20] },
}

impl<'a> Elem<'a> {
    /// The decimal form of `n`.
    pub fn int(n: i64) -> Elem<'a> {
        let mut buf = [0u8; 20];
        // the digits end at the end of the buffer
        let start = 20 - format_i64(n, &mut buf).len();
        Elem::Digits {
            start: start as u8,
            buf,
        }
    }
}

impl std::ops::Deref for Elem<'_> {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        match self {
            Elem::Str(s) => s,
            Elem::Digits { start, buf } => buf.get(*start as usize..).unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for Elem<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self))
    }
}

impl PartialEq for Elem<'_> {
    fn eq(&self, other: &Elem<'_>) -> bool {
        **self == **other
    }
}

impl PartialEq<[u8]> for Elem<'_> {
    fn eq(&self, other: &[u8]) -> bool {
        **self == *other
    }
}

/// The byte offset of an entry inside a listpack.
pub type Pos = usize;

/// Why a buffer from outside is not a well-formed packed encoding (listpack,
/// intset, ziplist...): a fixed description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Corrupt(pub &'static str);

impl std::fmt::Display for Corrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

/// A listpack; see the module documentation.
#[derive(Clone, PartialEq, Eq)]
pub struct Listpack {
    buf: Vec<u8>,
}

impl std::fmt::Debug for Listpack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Default for Listpack {
    fn default() -> Self {
        Listpack::new()
    }
}

// ---- encoding -------------------------------------------------------------

/// Bytes the backlen of an entry of `l` bytes takes (Redis's thresholds).
fn backlen_size(l: usize) -> usize {
    if l <= 127 {
        1
    } else if l < 16383 {
        2
    } else if l < 2_097_151 {
        3
    } else if l < 268_435_455 {
        4
    } else {
        5
    }
}

/// Appends the backlen of an entry of `l` bytes.
fn put_backlen(out: &mut Vec<u8>, l: usize) {
    let n = backlen_size(l);
    for i in (0..n).rev() {
        let group = ((l >> (7 * i)) & 127) as u8;
        // every byte but the leftmost carries the continuation flag
        out.push(if i == n - 1 { group } else { group | 128 });
    }
}

/// Appends the encoding and data of integer `v` (the smallest that holds it);
/// returns the bytes written.
fn put_int_body(out: &mut Vec<u8>, v: i64) -> usize {
    let start = out.len();
    if (0..=127).contains(&v) {
        out.push(v as u8);
    } else if (-4096..=4095).contains(&v) {
        let u = (v as u64) & 0x1FFF;
        out.push(0xC0 | (u >> 8) as u8);
        out.push(u as u8);
    } else if (-32768..=32767).contains(&v) {
        out.push(0xF1);
        out.extend_from_slice(&(v as i16).to_le_bytes());
    } else if (-8_388_608..=8_388_607).contains(&v) {
        out.push(0xF2);
        out.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        out.push(0xF3);
        out.extend_from_slice(&(v as i32).to_le_bytes());
    } else {
        out.push(0xF4);
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.len() - start
}

/// Appends the encoding and data of string `s` stored as a string; returns
/// the bytes written.
fn put_str_body(out: &mut Vec<u8>, s: &[u8]) -> usize {
    let start = out.len();
    let n = s.len();
    if n < 64 {
        out.push(0x80 | n as u8);
    } else if n < 4096 {
        out.push(0xE0 | (n >> 8) as u8);
        out.push(n as u8);
    } else {
        out.push(0xF0);
        out.extend_from_slice(&(n as u32).to_le_bytes());
    }
    out.extend_from_slice(s);
    out.len() - start
}

/// Appends a whole entry (encoding, data, backlen) for `e`.
fn put_entry(out: &mut Vec<u8>, e: Entry<'_>) {
    let l = match e {
        Entry::Int(v) => put_int_body(out, v),
        Entry::Str(s) => match string2ll(s) {
            Some(v) => put_int_body(out, v),
            None => put_str_body(out, s),
        },
    };
    put_backlen(out, l);
}

/// Bytes the whole entry for `e` takes (a string that is an integer's
/// canonical form counts as that integer).
pub fn entry_len(e: Entry<'_>) -> usize {
    match e {
        Entry::Int(v) => {
            let l = int_body_size(v);
            l + backlen_size(l)
        }
        Entry::Str(s) => entry_size(s),
    }
}

/// Bytes a whole entry for `s` takes, as Redis would encode it.
pub fn entry_size(s: &[u8]) -> usize {
    let l = match string2ll(s) {
        Some(v) => int_body_size(v),
        None if s.len() < 64 => 1 + s.len(),
        None if s.len() < 4096 => 2 + s.len(),
        None => 5 + s.len(),
    };
    l + backlen_size(l)
}

fn int_body_size(v: i64) -> usize {
    match v {
        0..=127 => 1,
        -4096..=4095 => 2,
        -32768..=32767 => 3,
        -8_388_608..=8_388_607 => 4,
        _ if i32::try_from(v).is_ok() => 5,
        _ => 9,
    }
}

// ---- decoding -------------------------------------------------------------

/// Reads `N` bytes at `at`.
fn array<const N: usize>(buf: &[u8], at: usize) -> Option<[u8; N]> {
    buf.get(at..at.checked_add(N)?)?.try_into().ok()
}

/// Decodes the encoding and data at `pos`: the entry and the size of
/// encoding+data. `None` for the terminator, an invalid encoding byte, or an
/// entry that runs past the buffer.
fn decode_body(buf: &[u8], pos: usize) -> Option<(Entry<'_>, usize)> {
    let b = *buf.get(pos)?;
    let string = |hdr: usize, n: usize| -> Option<(Entry<'_>, usize)> {
        let start = pos.checked_add(hdr)?;
        let s = buf.get(start..start.checked_add(n)?)?;
        Some((Entry::Str(s), hdr + n))
    };
    match b {
        0x00..=0x7F => Some((Entry::Int(b as i64), 1)),
        0x80..=0xBF => string(1, (b & 0x3F) as usize),
        0xC0..=0xDF => {
            let lo = *buf.get(pos + 1)?;
            let u = (((b & 0x1F) as i64) << 8) | lo as i64;
            // sign-extend 13 bits
            Some((Entry::Int((u << 51) >> 51), 2))
        }
        0xE0..=0xEF => {
            let lo = *buf.get(pos + 1)?;
            string(2, (((b & 0x0F) as usize) << 8) | lo as usize)
        }
        0xF0 => {
            let n = u32::from_le_bytes(array(buf, pos + 1)?) as usize;
            string(5, n)
        }
        0xF1 => Some((
            Entry::Int(i16::from_le_bytes(array(buf, pos + 1)?) as i64),
            3,
        )),
        0xF2 => {
            let [a, b2, c] = array::<3>(buf, pos + 1)?;
            let v = i32::from_le_bytes([0, a, b2, c]) >> 8;
            Some((Entry::Int(v as i64), 4))
        }
        0xF3 => Some((
            Entry::Int(i32::from_le_bytes(array(buf, pos + 1)?) as i64),
            5,
        )),
        0xF4 => Some((Entry::Int(i64::from_le_bytes(array(buf, pos + 1)?)), 9)),
        _ => None,
    }
}

/// The size of encoding+data of the entry at `pos` from its header bytes only
/// (without reading the data), as Redis's `lpCurrentEncodedSizeUnsafe`.
fn body_size_from_header(buf: &[u8], pos: usize) -> Option<usize> {
    let b = *buf.get(pos)?;
    Some(match b {
        0x00..=0x7F => 1,
        0x80..=0xBF => 1 + (b & 0x3F) as usize,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 2 + ((((b & 0x0F) as usize) << 8) | *buf.get(pos + 1)? as usize),
        0xF0 => 5 + u32::from_le_bytes(array(buf, pos + 1)?) as usize,
        0xF1 => 3,
        0xF2 => 4,
        0xF3 => 5,
        0xF4 => 9,
        _ => return None,
    })
}

/// Reads a backlen whose last byte is at `last`: the value, as Redis's
/// `lpDecodeBacklen` (at most 5 bytes).
fn read_backlen(buf: &[u8], last: usize) -> Option<usize> {
    let mut val = 0usize;
    let mut at = last;
    for shift in (0..35).step_by(7) {
        let b = *buf.get(at)?;
        val |= ((b & 127) as usize) << shift;
        if b & 128 == 0 {
            return Some(val);
        }
        at = at.checked_sub(1)?;
    }
    None
}

// ---- the type -------------------------------------------------------------

impl Listpack {
    /// An empty listpack.
    pub fn new() -> Listpack {
        Listpack::with_capacity(0)
    }

    /// An empty listpack with room for `bytes` bytes.
    pub fn with_capacity(bytes: usize) -> Listpack {
        let mut buf = Vec::with_capacity(bytes.max(HEADER_SIZE + 1));
        buf.extend_from_slice(&EMPTY);
        Listpack { buf }
    }

    /// A listpack of `items`, in order.
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> Listpack {
        let mut lp = Listpack::new();
        for s in items {
            lp.push_back(s);
        }
        lp
    }

    /// Takes a buffer from outside (an RDB file, a DUMP payload) after checking
    /// every entry, as Redis's deep `lpValidateIntegrity` does.
    pub fn from_bytes(buf: Vec<u8>) -> Result<Listpack, Corrupt> {
        validate(&buf)?;
        Ok(Listpack { buf })
    }

    /// Checks a borrowed buffer as [`from_bytes`](Self::from_bytes) does
    /// (for reading a listpack in place, e.g. inside a DUMP payload).
    pub fn validate_bytes(buf: &[u8]) -> Result<(), Corrupt> {
        validate(buf)
    }

    /// The entries of a borrowed buffer that passed
    /// [`validate_bytes`](Self::validate_bytes) (on any other buffer the
    /// iteration just stops early).
    pub fn entries_of(buf: &[u8]) -> Iter<'_> {
        Iter {
            buf,
            front: HEADER_SIZE,
            back: buf.len().saturating_sub(1),
        }
    }

    /// The read-only view every reading method goes through.
    #[inline]
    pub fn view(&self) -> Lp<'_> {
        Lp { buf: &self.buf }
    }

    /// The bytes, as stored in RDB files.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }

    /// Total bytes (the header's first field).
    pub fn bytes_len(&self) -> usize {
        self.buf.len()
    }

    /// Bytes allocated for the buffer (MEMORY USAGE).
    pub fn capacity(&self) -> usize {
        self.buf.capacity()
    }

    /// Gives back growth slack.
    pub fn shrink_to_fit(&mut self) {
        self.buf.shrink_to_fit();
    }

    /// Whether `add` more bytes keep the listpack within [`MAX_SAFE_BYTES`].
    pub fn safe_to_add(&self, add: usize) -> bool {
        self.buf.len().saturating_add(add) <= MAX_SAFE_BYTES
    }

    /// The count field of the header (65535: unknown).
    pub fn header_count(&self) -> u16 {
        self.view().header_count()
    }

    /// Number of entries (walks them when the header says 65535).
    pub fn len(&self) -> usize {
        self.view().len()
    }

    pub fn is_empty(&self) -> bool {
        self.view().is_empty()
    }

    fn eof_pos(&self) -> usize {
        self.buf.len() - 1
    }

    /// All entries, head to tail (and back, with `.rev()`).
    pub fn iter(&self) -> Iter<'_> {
        self.view().iter()
    }

    /// Entries from `pos` (inclusive) to the tail.
    pub fn iter_from(&self, pos: Pos) -> Iter<'_> {
        self.view().iter_from(pos)
    }

    /// The entry at `pos`.
    pub fn entry(&self, pos: Pos) -> Option<Entry<'_>> {
        self.view().entry(pos)
    }

    /// Position of the first entry.
    pub fn first(&self) -> Option<Pos> {
        self.view().first()
    }

    /// Position of the last entry.
    pub fn last(&self) -> Option<Pos> {
        self.view().last()
    }

    /// Position of the entry after `pos`.
    pub fn next(&self, pos: Pos) -> Option<Pos> {
        self.view().next(pos)
    }

    /// Position of the entry before `pos`.
    pub fn prev(&self, pos: Pos) -> Option<Pos> {
        self.view().prev(pos)
    }

    /// Position of entry `index` (negative counts from the tail: -1 is the last).
    pub fn seek(&self, index: i64) -> Option<Pos> {
        self.view().seek(index)
    }

    /// Entry `index` (negative counts from the tail).
    pub fn get(&self, index: i64) -> Option<Entry<'_>> {
        self.view().get(index)
    }

    /// See [`Lp::find_from`].
    pub fn find_from(&self, from: Pos, needle: &[u8], skip: usize) -> Option<Pos> {
        self.view().find_from(from, needle, skip)
    }

    /// [`find_from`](Self::find_from) the first entry.
    pub fn find(&self, needle: &[u8], skip: usize) -> Option<Pos> {
        self.view().find(needle, skip)
    }

    // ---- edits ----

    fn set_total(&mut self) {
        let n = self.buf.len() as u32;
        self.buf[..4].copy_from_slice(&n.to_le_bytes());
    }

    fn add_count(&mut self, delta: i64) {
        let c = self.header_count();
        self.buf[4..6].copy_from_slice(&counted(c, delta).to_le_bytes());
    }

    /// Appends `s` (stored as an integer when it is one's canonical form).
    pub fn push_back(&mut self, s: &[u8]) {
        self.push_back_entry(Entry::Str(s));
    }

    /// Appends the integer `v`.
    pub fn push_back_int(&mut self, v: i64) {
        self.push_back_entry(Entry::Int(v));
    }

    /// Appends an entry.
    pub fn push_back_entry(&mut self, e: Entry<'_>) {
        self.buf.pop();
        put_entry(&mut self.buf, e);
        self.buf.push(EOF);
        self.set_total();
        self.add_count(1);
    }

    /// Prepends `s`.
    pub fn push_front(&mut self, s: &[u8]) {
        self.splice_at(HEADER_SIZE, HEADER_SIZE, Some(Entry::Str(s)));
        self.add_count(1);
    }

    /// Inserts `s` before (or, with `after`, after) the entry at `pos`; returns
    /// the new entry's position, `None` if `pos` is not an entry.
    pub fn insert(&mut self, pos: Pos, s: &[u8], after: bool) -> Option<Pos> {
        let at = if after {
            self.view().end_of(pos)?
        } else {
            self.view().end_of(pos).map(|_| pos)?
        };
        self.splice_at(at, at, Some(Entry::Str(s)));
        self.add_count(1);
        Some(at)
    }

    /// Replaces the entry at `pos` with `s`; `false` if `pos` is not an entry.
    pub fn replace(&mut self, pos: Pos, s: &[u8]) -> bool {
        self.replace_entry(pos, Entry::Str(s))
    }

    /// Replaces the entry at `pos` with `e`.
    pub fn replace_entry(&mut self, pos: Pos, e: Entry<'_>) -> bool {
        let Some(end) = self.view().end_of(pos) else {
            return false;
        };
        self.splice_at(pos, end, Some(e));
        true
    }

    /// Deletes the entry at `pos`; returns the position of the entry that
    /// followed it (now at `pos`), `None` when it was the last or `pos` is not
    /// an entry.
    pub fn delete(&mut self, pos: Pos) -> Option<Pos> {
        let end = self.view().end_of(pos)?;
        self.splice_at(pos, end, None);
        self.add_count(-1);
        (pos < self.eof_pos()).then_some(pos)
    }

    /// Deletes up to `count` entries starting at entry `index` (negative counts
    /// from the tail); returns how many were deleted.
    pub fn delete_range(&mut self, index: i64, count: usize) -> usize {
        let Some(start) = self.seek(index) else {
            return 0;
        };
        let (end, n) = self.view().skip_entries(start, count);
        self.splice_at(start, end, None);
        self.add_count(-(n as i64));
        n
    }

    /// Replaces bytes `from..to` (entry boundaries) with the encoding of `e`.
    fn splice_at(&mut self, from: usize, to: usize, e: Option<Entry<'_>>) {
        let mut enc = Vec::new();
        if let Some(e) = e {
            put_entry(&mut enc, e);
        }
        self.buf.splice(from..to, enc);
        self.set_total();
    }
}

/// The bytes of an empty listpack.
pub const EMPTY: [u8; HEADER_SIZE + 1] = [(HEADER_SIZE + 1) as u8, 0, 0, 0, 0, 0, EOF];

/// A header count `c` changed by `delta`: 65535 ("unknown") stays unknown, and
/// a count reaching 65535 becomes unknown.
fn counted(c: u16, delta: i64) -> u16 {
    if c == COUNT_UNKNOWN {
        return c;
    }
    (c as i64 + delta).clamp(0, COUNT_UNKNOWN as i64) as u16
}

/// A read-only view of a well-formed listpack's bytes (of a [`Listpack`], of a
/// [`Shared`], or of a buffer that passed [`Listpack::validate_bytes`]). Cheap
/// to copy; every reading method of the types above goes through it.
#[derive(Clone, Copy)]
pub struct Lp<'a> {
    buf: &'a [u8],
}

impl<'a> Lp<'a> {
    /// A view of `buf`, which must be a well-formed listpack (reading a
    /// damaged one answers nonsense or stops early, but never panics).
    pub fn of(buf: &'a [u8]) -> Lp<'a> {
        Lp { buf }
    }

    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The count field of the header (65535: unknown).
    pub fn header_count(&self) -> u16 {
        match self.buf.get(4..6) {
            Some(b) => u16::from_le_bytes([b[0], b[1]]),
            None => 0,
        }
    }

    /// Number of entries (walks them when the header says 65535).
    pub fn len(&self) -> usize {
        match self.header_count() {
            COUNT_UNKNOWN => self.iter().count(),
            n => n as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.buf.len() <= HEADER_SIZE + 1
    }

    /// Position of the terminator.
    pub fn eof_pos(&self) -> usize {
        self.buf.len().saturating_sub(1)
    }

    /// All entries, head to tail (and back, with `.rev()`).
    pub fn iter(&self) -> Iter<'a> {
        Iter {
            buf: self.buf,
            front: HEADER_SIZE,
            back: self.eof_pos(),
        }
    }

    /// Entries from `pos` (inclusive) to the tail.
    pub fn iter_from(&self, pos: Pos) -> Iter<'a> {
        Iter {
            buf: self.buf,
            front: pos.clamp(HEADER_SIZE, self.eof_pos()),
            back: self.eof_pos(),
        }
    }

    /// Entries before `pos` (exclusive), read backwards with `.rev()`.
    pub fn iter_before(&self, pos: Pos) -> Iter<'a> {
        Iter {
            buf: self.buf,
            front: HEADER_SIZE,
            back: pos.clamp(HEADER_SIZE, self.eof_pos()),
        }
    }

    /// The entry at `pos`.
    pub fn entry(&self, pos: Pos) -> Option<Entry<'a>> {
        if pos >= self.eof_pos() {
            return None;
        }
        decode_body(self.buf, pos).map(|(e, _)| e)
    }

    /// Position of the first entry.
    pub fn first(&self) -> Option<Pos> {
        (!self.is_empty()).then_some(HEADER_SIZE)
    }

    /// Position of the last entry.
    pub fn last(&self) -> Option<Pos> {
        self.prev_of(self.eof_pos())
    }

    /// Position of the entry after `pos`.
    pub fn next(&self, pos: Pos) -> Option<Pos> {
        let next = self.end_of(pos)?;
        (next < self.eof_pos()).then_some(next)
    }

    /// Position of the entry before `pos`.
    pub fn prev(&self, pos: Pos) -> Option<Pos> {
        self.prev_of(pos)
    }

    /// Where the entry at `pos` ends (the next entry or the terminator).
    pub fn end_of(&self, pos: Pos) -> Option<usize> {
        if pos < HEADER_SIZE || pos >= self.eof_pos() {
            return None;
        }
        let l = body_size_from_header(self.buf, pos)?;
        Some(pos + l + backlen_size(l))
    }

    /// The entry that ends where `end` begins.
    fn prev_of(&self, end: usize) -> Option<Pos> {
        if end <= HEADER_SIZE || end > self.eof_pos() {
            return None;
        }
        let l = read_backlen(self.buf, end - 1)?;
        end.checked_sub(l + backlen_size(l))
            .filter(|&p| p >= HEADER_SIZE)
    }

    /// From `pos`, skips up to `n` entries: where the walk stopped (an entry or
    /// the terminator) and how many it skipped.
    pub fn skip_entries(&self, pos: Pos, n: usize) -> (usize, usize) {
        let mut end = pos;
        let mut k = 0;
        while k < n && end < self.eof_pos() {
            match self.end_of(end) {
                Some(e) => end = e,
                None => break,
            }
            k += 1;
        }
        (end, k)
    }

    /// Position of entry `index` (negative counts from the tail: -1 is the last).
    pub fn seek(&self, index: i64) -> Option<Pos> {
        if index >= 0 {
            let mut pos = self.first()?;
            for _ in 0..index {
                pos = self.next(pos)?;
            }
            Some(pos)
        } else {
            let mut pos = self.last()?;
            for _ in 0..(-(index + 1)) {
                pos = self.prev(pos)?;
            }
            Some(pos)
        }
    }

    /// Entry `index` (negative counts from the tail).
    pub fn get(&self, index: i64) -> Option<Entry<'a>> {
        self.entry(self.seek(index)?)
    }

    /// The first entry at or after `from` whose value equals `needle`, looking
    /// at every `skip + 1`-th entry (`skip` 1 looks at the fields of a hash's
    /// field/value pairs), as Redis's `lpFind`.
    pub fn find_from(&self, from: Pos, needle: &[u8], skip: usize) -> Option<Pos> {
        let as_int = string2ll(needle);
        let mut pos = from;
        let end = self.eof_pos();
        while pos < end {
            let (e, l) = decode_body(self.buf, pos)?;
            let hit = match e {
                Entry::Str(s) => s == needle,
                Entry::Int(n) => as_int == Some(n),
            };
            if hit {
                return Some(pos);
            }
            pos += l + backlen_size(l);
            for _ in 0..skip {
                if pos >= end {
                    return None;
                }
                pos = self.end_of(pos)?;
            }
        }
        None
    }

    /// [`find_from`](Self::find_from) the first entry.
    pub fn find(&self, needle: &[u8], skip: usize) -> Option<Pos> {
        self.find_from(HEADER_SIZE, needle, skip)
    }
}

/// Checks that `buf` is a well-formed listpack (Redis's deep
/// `lpValidateIntegrity`): header, terminator, every entry within bounds with a
/// matching backlen, and the count.
fn validate(buf: &[u8]) -> Result<(), Corrupt> {
    if buf.len() < HEADER_SIZE + 1 {
        return Err(Corrupt("listpack shorter than its header"));
    }
    let total = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if total != buf.len() {
        return Err(Corrupt("listpack size field does not match its length"));
    }
    let eof = buf.len() - 1;
    if buf[eof] != EOF {
        return Err(Corrupt("listpack does not end with 0xFF"));
    }
    let header_count = u16::from_le_bytes([buf[4], buf[5]]);
    let mut count: usize = 0;
    let mut pos = HEADER_SIZE;
    while pos < eof {
        let l =
            body_size_from_header(buf, pos).ok_or(Corrupt("invalid listpack entry encoding"))?;
        let next = pos
            .checked_add(l)
            .and_then(|x| x.checked_add(backlen_size(l)))
            .filter(|&n| n <= eof)
            .ok_or(Corrupt("listpack entry runs past the end"))?;
        // The backlen must read back as `l` *and* take exactly its own
        // bytes (its first byte unflagged, the others flagged), or a walk
        // from the tail would step into the entry's data.
        let bl = next - backlen_size(l);
        let exact = buf[bl] & 0x80 == 0 && buf[bl + 1..next].iter().all(|b| b & 0x80 != 0);
        if !exact || read_backlen(buf, next - 1) != Some(l) {
            return Err(Corrupt("listpack entry backlen does not match"));
        }
        pos = next;
        count += 1;
    }
    if header_count != COUNT_UNKNOWN && header_count as usize != count {
        return Err(Corrupt("listpack count does not match its entries"));
    }
    Ok(())
}

/// Iterator over a listpack's entries, both ways.
#[derive(Clone)]
pub struct Iter<'a> {
    buf: &'a [u8],
    /// Next entry from the front.
    front: usize,
    /// End of the next entry from the back.
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if self.front >= self.back {
            return None;
        }
        let (e, l) = decode_body(self.buf, self.front)?;
        self.front += l + backlen_size(l);
        Some(e)
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.back <= self.front {
            return None;
        }
        let l = read_backlen(self.buf, self.back - 1)?;
        let start = self.back.checked_sub(l + backlen_size(l))?;
        let (e, _) = decode_body(self.buf, start)?;
        self.back = start;
        Some(e)
    }
}

#[cfg(test)]
mod tests;
