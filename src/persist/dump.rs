//! DUMP payloads (Redis's `createDumpPayload` / `verifyDumpPayload`):
//!
//! ```text
//! <type byte> <value as in an RDB file> <RDB version: u16 LE> <CRC-64: u64 LE>
//! ```
//!
//! The CRC covers everything before it, version included. A payload is
//! accepted when it is at least 10 bytes, its version is at most ours (10),
//! and its CRC matches; its value must then load (the same code as RDB files),
//! or it is "Bad data format". As in Redis, the value is read from the whole
//! payload (a string may run into the footer) and bytes after it are not
//! looked at.
use super::crc64;
use super::rdb::read::Reader;
use super::rdb::value_load::{load_value, LoadOptions};
use super::rdb::value_save::{rdb_type, ValueWriter};
use super::rdb::{types, Encodings, ErrorKind, RdbError, RDB_VERSION};
use crate::store::value::Value;

/// Why a payload was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Too short, newer than version 10, or the CRC does not match.
    VersionOrChecksum,
    /// The value does not load.
    BadData(RdbError),
}

impl PayloadError {
    /// The reply Redis gives (with the unsupported type named, where Redis
    /// would have loaded it).
    pub fn reply_text(&self) -> String {
        match self {
            PayloadError::VersionOrChecksum => {
                "ERR DUMP payload version or checksum are wrong".into()
            }
            PayloadError::BadData(e) if e.kind == ErrorKind::Unsupported => {
                format!("ERR Bad data format: {}", e.message)
            }
            PayloadError::BadData(_) => "ERR Bad data format".into(),
        }
    }
}

/// The DUMP payload of `value`.
pub fn dump(value: &Value, compress: bool, encodings: Encodings) -> Vec<u8> {
    let mut out = vec![rdb_type(value)];
    ValueWriter::new(compress, encodings).put_value(&mut out, value);
    out.extend_from_slice(&RDB_VERSION.to_le_bytes());
    let crc = crc64::crc64(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    out
}

/// Whether the footer of `payload` is acceptable: (version, CRC).
pub fn verify(payload: &[u8]) -> bool {
    verify_footer(payload, true)
}

/// Whether the footer of `payload` is acceptable: its RDB version, and its
/// CRC-64 when `check_crc` (DEBUG SET-SKIP-CHECKSUM-VALIDATION turns it off).
fn verify_footer(payload: &[u8], check_crc: bool) -> bool {
    if payload.len() < 10 {
        return false;
    }
    let body = payload.len() - 10;
    let version = u16::from_le_bytes([payload[body], payload[body + 1]]);
    if version > RDB_VERSION {
        return false;
    }
    if !check_crc {
        return true;
    }
    let mut crc = [0u8; 8];
    crc.copy_from_slice(&payload[body + 2..]);
    crc64::crc64(&payload[..body + 2]) == u64::from_le_bytes(crc)
}

/// The value a payload holds.
pub fn parse(payload: &[u8], opts: &LoadOptions) -> Result<Value, PayloadError> {
    parse_checked(payload, opts, true)
}

/// [`parse`], with the CRC-64 checked only when `check_crc`.
pub fn parse_checked(
    payload: &[u8],
    opts: &LoadOptions,
    check_crc: bool,
) -> Result<Value, PayloadError> {
    if !verify_footer(payload, check_crc) {
        return Err(PayloadError::VersionOrChecksum);
    }
    // As Redis does, the value is read from the whole payload: a damaged
    // length may run into the footer, and bytes after the value are ignored.
    let mut r = Reader::new(payload);
    let t = r.u8().map_err(PayloadError::BadData)?;
    if !types::is_value_type(t) {
        return Err(PayloadError::BadData(RdbError::corrupt(
            0,
            format!("unknown value type {t}"),
        )));
    }
    match load_value(&mut r, t, opts).map_err(PayloadError::BadData)? {
        Some(v) => Ok(v),
        None => Err(PayloadError::BadData(RdbError::corrupt(
            1,
            "empty collection",
        ))),
    }
}
