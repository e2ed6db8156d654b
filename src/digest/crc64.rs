//! CRC-64 as Redis computes it for RDB files and DUMP payloads ("Jones"
//! coefficients: polynomial 0xad93d23594c935a9, reflected input and output,
//! initial value 0, no final xor). Check value: `crc64(b"123456789")` is
//! 0xe9c6d914c4b8d9ca.
//!
//! Table-driven, one byte at a time; the table is computed at compile time.

/// The reflected polynomial.
const POLY: u64 = 0x95ac_9329_ac4b_c9b5;

const fn make_table() -> [u64; 256] {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ POLY
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

static TABLE: [u64; 256] = make_table();

/// Continues a CRC-64 over `data` (start with `crc = 0`).
pub fn update(mut crc: u64, data: &[u8]) -> u64 {
    for &b in data {
        crc = TABLE[((crc ^ b as u64) & 0xff) as usize] ^ (crc >> 8);
    }
    crc
}

/// The CRC-64 of `data`.
pub fn crc64(data: &[u8]) -> u64 {
    update(0, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_value() {
        assert_eq!(crc64(b"123456789"), 0xe9c6_d914_c4b8_d9ca);
        assert_eq!(crc64(b""), 0);
        let whole = crc64(b"hello world");
        assert_eq!(update(crc64(b"hello "), b"world"), whole);
    }
}
