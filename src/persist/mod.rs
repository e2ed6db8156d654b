//! Persistence building blocks. Today: the CRC-64 Redis puts on RDB files and
//! DUMP payloads (FUNCTION DUMP/RESTORE use it); RDB and AOF come later.
pub mod crc64;
