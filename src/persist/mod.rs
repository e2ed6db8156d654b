//! Persistence: RDB files, the AOF and DUMP payloads (being built). The CRC-64
//! they carry is `digest::crc64`, re-exported here.
pub use crate::digest::crc64;
