//! A whole RDB file (versions 1 to 10) into a fresh store (Redis's
//! `rdbLoadRio`).
//!
//! The file is read front to back: the header ("REDIS" and a four-digit
//! version), then opcodes and keys until EOF, then (version 5 and later) the
//! CRC-64 trailer, checked unless it is zero (written with `rdbchecksum no`) or
//! the caller does not verify. AUX fields are kept for the caller to log;
//! FUNCTION2 records (and the FUNCTION records of 7.0's release candidates)
//! are collected as library sources, for [`load_functions`].
//!
//! As in Redis: a key whose TTL has passed is not loaded when the caller is a
//! master loading its own data (not for an AOF preamble); an empty collection
//! is skipped and counted; IDLE sets a key's access time. Unlike Redis, which
//! stops the process, a database number past `databases`, a duplicated key or a
//! module AUX record is an error the caller reports.
//!
//! Invariant: the result is all or nothing: the keys go into a new
//! [`Store`] that the caller swaps in only when loading succeeded.
use super::read::Reader;
use super::value_load::{load_value, LoadOptions};
use super::{opcodes, ErrorKind, RdbError, RDB_VERSION};
use crate::persist::crc64;
use crate::scripting::function::Functions;
use crate::store::Store;

type Result<T> = std::result::Result<T, RdbError>;

/// How to load a file.
#[derive(Debug, Clone, Copy)]
pub struct FileOptions {
    pub values: LoadOptions,
    /// The `databases` setting: a SELECTDB at or past it is an error.
    pub databases: usize,
    /// `rdbchecksum`: check the CRC-64 trailer.
    pub verify_checksum: bool,
    /// Drop keys whose expiry time is before this (Unix ms); `None` keeps
    /// them (an AOF preamble, a replica).
    pub drop_expired_before: Option<u64>,
    /// The store's access clock, for IDLE.
    pub lru_clock: u32,
}

impl Default for FileOptions {
    fn default() -> Self {
        let now = crate::store::now_ms();
        FileOptions {
            values: LoadOptions::default(),
            databases: 16,
            verify_checksum: true,
            drop_expired_before: Some(now),
            lru_clock: crate::store::expire::lru_clock(now),
        }
    }
}

/// What the trailer said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// Matched the data.
    Verified,
    /// Zero: saved with `rdbchecksum no`.
    Disabled,
    /// Not checked (asked not to, or a version before 5 has none).
    Unchecked,
}

/// A loaded file.
#[derive(Debug)]
pub struct Loaded {
    pub store: Store,
    /// Function library sources, in file order.
    pub functions: Vec<Vec<u8>>,
    /// AUX fields, in file order.
    pub aux: Vec<(Vec<u8>, Vec<u8>)>,
    pub version: u32,
    pub keys_loaded: u64,
    /// Keys not loaded because their TTL had passed.
    pub keys_expired: u64,
    /// Empty collections skipped.
    pub empty_keys_skipped: u64,
    pub checksum: Checksum,
    /// Bytes the RDB took (an AOF base with an RDB preamble goes on after it).
    pub consumed: usize,
}

/// A key's name for messages: printable, at most 64 bytes.
fn shown(key: &[u8]) -> String {
    let k = &key[..key.len().min(64)];
    let mut s = String::from_utf8_lossy(k).into_owned();
    if key.len() > 64 {
        s.push_str("...");
    }
    s
}

/// The version in a header, as C's `atoi` reads the four characters.
fn header_version(digits: &[u8]) -> u32 {
    let mut v: u32 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        v = v * 10 + (c - b'0') as u32;
    }
    v
}

/// Loads an RDB file held in `bytes`.
pub fn load(bytes: &[u8], opts: &FileOptions) -> Result<Loaded> {
    let mut r = Reader::new(bytes);
    let magic = r.take(9, "the header")?;
    if &magic[..5] != b"REDIS" {
        return Err(RdbError::corrupt(0, "wrong signature: not an RDB file"));
    }
    let version = header_version(&magic[5..]);
    if version < 1 || version > RDB_VERSION as u32 {
        let hint = if version >= 11 {
            " (written by Redis 7.2 or later)"
        } else {
            ""
        };
        return Err(RdbError::corrupt(
            5,
            format!("can't handle RDB format version {version}{hint}; this server reads versions 1 to {RDB_VERSION}"),
        ));
    }
    let mut loaded = Loaded {
        store: Store::new(opts.databases),
        functions: Vec::new(),
        aux: Vec::new(),
        version,
        keys_loaded: 0,
        keys_expired: 0,
        empty_keys_skipped: 0,
        checksum: Checksum::Unchecked,
        consumed: 0,
    };
    let mut db = 0usize;
    let mut expire: Option<i64> = None;
    let mut idle: Option<u64> = None;
    loop {
        let op_at = r.offset();
        let t = r.u8()?;
        match t {
            opcodes::EXPIRETIME => {
                expire = Some(r.seconds()? as i64 * 1000);
            }
            opcodes::EXPIRETIME_MS => {
                expire = Some(r.millis()?);
            }
            opcodes::FREQ => {
                // Ferrous keeps no LFU counters.
                r.u8()?;
            }
            opcodes::IDLE => {
                idle = Some(r.length()?);
            }
            opcodes::EOF => break,
            opcodes::SELECTDB => {
                let n = r.length()?;
                if n >= opts.databases as u64 {
                    return Err(RdbError::corrupt(
                        op_at,
                        format!(
                            "the file uses database {n}, but this server has {} databases",
                            opts.databases
                        ),
                    ));
                }
                db = n as usize;
            }
            opcodes::RESIZEDB => {
                let keys = r.length()?;
                r.length()?;
                // a hint from the file: believed as far as the bytes left
                // could hold that many keys (three bytes each at least)
                let n = keys.min(r.remaining() as u64 / 3) as usize;
                loaded.store.db(db).table.reserve(n);
            }
            opcodes::AUX => {
                let k = r.string_vec()?;
                let v = r.string_vec()?;
                loaded.aux.push((k, v));
            }
            opcodes::MODULE_AUX => {
                return Err(RdbError::unsupported(
                    op_at,
                    "module auxiliary data: modules are not supported by this server",
                ));
            }
            opcodes::FUNCTION2 => {
                let code = r.string_vec()?;
                loaded.functions.push(code);
            }
            opcodes::FUNCTION_PRE_GA => {
                let name = r.string_vec()?;
                let engine = r.string_vec()?;
                if r.length()? != 0 {
                    r.string()?; // the description, dropped
                }
                let body = r.string_vec()?;
                loaded
                    .functions
                    .push(crate::scripting::function::pre_ga_code(
                        &engine, &name, &body,
                    ));
            }
            _ => {
                let key = r.string()?;
                let mut tmp = [0u8; 20];
                let key = key.bytes(&mut tmp);
                let value = load_value(&mut r, t, &opts.values).map_err(|e| RdbError {
                    message: format!("key '{}' in DB {db}: {}", shown(key), e.message),
                    ..e
                })?;
                let (at, idle_s) = (expire.take(), idle.take());
                let Some(value) = value else {
                    loaded.empty_keys_skipped += 1;
                    continue;
                };
                if let (Some(at), Some(now)) = (at, opts.drop_expired_before) {
                    if at < now as i64 {
                        loaded.keys_expired += 1;
                        continue;
                    }
                }
                let d = loaded.store.db(db);
                let h = d.table.hash(key);
                if d.table.find_hashed(key, h).is_some() {
                    return Err(RdbError::corrupt(
                        op_at,
                        format!("duplicated key '{}' in DB {db}", shown(key)),
                    ));
                }
                let mut lru = opts.lru_clock;
                if let Some(s) = idle_s {
                    lru = lru.wrapping_sub(s.min(lru as u64) as u32);
                }
                let i = d.table.insert_hashed(key, h, value, lru);
                if let Some(at) = at {
                    d.table.set_expire(i, at.max(1) as u64);
                }
                loaded.keys_loaded += 1;
            }
        }
    }
    if version >= 5 {
        let trailer_at = r.offset();
        let stored = u64::from_le_bytes(
            r.take(8, "the checksum")?
                .try_into()
                .map_err(|_| RdbError::corrupt(trailer_at, "short checksum"))?,
        );
        if opts.verify_checksum {
            if stored == 0 {
                loaded.checksum = Checksum::Disabled;
            } else if crc64::crc64(&bytes[..trailer_at]) != stored {
                return Err(RdbError::corrupt(
                    trailer_at,
                    "RDB CRC error: the checksum does not match",
                ));
            } else {
                loaded.checksum = Checksum::Verified;
            }
        }
    }
    loaded.consumed = r.offset();
    Ok(loaded)
}

/// The function libraries of a loaded file, in a fresh function state (the
/// caller swaps it in with the keys). The error is Redis's log text.
pub fn load_functions(codes: &[Vec<u8>]) -> std::result::Result<Functions, String> {
    let mut f = Functions::new();
    for code in codes {
        f.load_library(code)
            .map_err(|e| format!("Failed loading library, {e}"))?;
    }
    Ok(f)
}

/// Whether an error is about data Ferrous cannot hold rather than damage.
pub fn is_unsupported(e: &RdbError) -> bool {
    e.kind == ErrorKind::Unsupported
}
