//! A whole RDB file, as redis-server 7.0 writes it (`rdbSaveRio`): header, the
//! AUX fields 7.0 writes on a server without replication (redis-ver,
//! redis-bits, ctime, used-mem, aof-base), one FUNCTION2 record per library,
//! then each non-empty database (SELECTDB, RESIZEDB, its keys), EOF and the
//! CRC-64 of everything before it (8 zero bytes with `rdbchecksum no`).
//!
//! Per key: EXPIRETIME_MS when it has a TTL; IDLE (seconds since last access)
//! when the caller asks for it, as Redis does under an LRU `maxmemory-policy`;
//! the type byte, the key, the value (see `value_save.rs`). Redis writes FREQ
//! under an LFU policy; Ferrous keeps no LFU counters, so it writes none and a
//! loading server starts those keys at its initial counter.
//!
//! Keys whose TTL has passed but that no expiry removed yet are written too, as
//! Redis writes them; the loading side drops them.
//!
//! The output is built in chunks of about 64 KB; each chunk is added to the
//! checksum and handed to the sink, so memory stays flat however big the
//! dataset.
use super::value_save::{rdb_type, ValueWriter};
use super::write::put_len;
use super::{opcodes, Encodings, RDB_VERSION};
use crate::persist::crc64;
use crate::store::expire::idle_seconds;
use crate::store::table::View;
use crate::store::Db;
use std::io::{self, Write};

const CHUNK: usize = 64 * 1024;

/// How to write a file.
#[derive(Debug, Clone)]
pub struct SaveOptions {
    /// `rdbcompression`.
    pub compress: bool,
    /// `rdbchecksum`.
    pub checksum: bool,
    pub encodings: Encodings,
    /// The `redis-ver` AUX field.
    pub redis_ver: String,
    /// The `ctime` AUX field (Unix seconds).
    pub ctime: u64,
    /// The `used-mem` AUX field (bytes).
    pub used_mem: u64,
    /// The `aof-base` AUX field: this file is the base of an AOF.
    pub aof_base: bool,
    /// Write each key's idle time against this access clock (an LRU policy).
    pub lru_clock: Option<u32>,
}

impl Default for SaveOptions {
    fn default() -> Self {
        SaveOptions {
            compress: true,
            checksum: true,
            encodings: Encodings::default(),
            redis_ver: "7.0.15".to_string(),
            ctime: crate::store::now_ms() / 1000,
            used_mem: 0,
            aof_base: false,
            lru_clock: None,
        }
    }
}

/// Buffers output, feeding the checksum and the sink a chunk at a time.
struct Chunked<'w, W: Write> {
    sink: &'w mut W,
    buf: Vec<u8>,
    crc: u64,
    checksum: bool,
    written: u64,
}

impl<W: Write> Chunked<'_, W> {
    fn flush_if_full(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.checksum {
            self.crc = crc64::update(self.crc, &self.buf);
        }
        self.sink.write_all(&self.buf)?;
        self.written += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

/// Writes an RDB file of `dbs` and the function libraries `functions` to
/// `sink`; returns the bytes written.
pub fn save<W: Write>(
    sink: &mut W,
    dbs: &[Db],
    functions: &[&[u8]],
    opts: &SaveOptions,
) -> io::Result<u64> {
    let views: Vec<View<'_>> = dbs.iter().map(|d| d.table.view()).collect();
    save_entries(sink, &views, functions, opts, &mut || Ok(()))
}

/// [`save`] from the entries of each database (a live store's or a
/// snapshot's); `on_key` runs after each key is written (progress, and the
/// `rdb-key-save-delay` of tests); an error from it stops the save.
pub fn save_entries<W: Write>(
    sink: &mut W,
    dbs: &[View<'_>],
    functions: &[&[u8]],
    opts: &SaveOptions,
    on_key: &mut dyn FnMut() -> io::Result<()>,
) -> io::Result<u64> {
    let mut out = Chunked {
        sink,
        buf: Vec::with_capacity(CHUNK + 1024),
        crc: 0,
        checksum: opts.checksum,
        written: 0,
    };
    let mut w = ValueWriter::new(opts.compress, opts.encodings);
    out.buf
        .extend_from_slice(format!("REDIS{RDB_VERSION:04}").as_bytes());
    let aux: [(&str, String); 5] = [
        ("redis-ver", opts.redis_ver.clone()),
        ("redis-bits", "64".to_string()),
        ("ctime", opts.ctime.to_string()),
        ("used-mem", opts.used_mem.to_string()),
        ("aof-base", u8::from(opts.aof_base).to_string()),
    ];
    for (k, v) in &aux {
        out.buf.push(opcodes::AUX);
        w.put_string(&mut out.buf, k.as_bytes());
        w.put_string(&mut out.buf, v.as_bytes());
    }
    for code in functions {
        out.buf.push(opcodes::FUNCTION2);
        w.put_string(&mut out.buf, code);
        out.flush_if_full()?;
    }
    for (n, entries) in dbs.iter().enumerate() {
        if entries.entries.is_empty() {
            continue;
        }
        let volatile = entries.volatile_len();
        out.buf.push(opcodes::SELECTDB);
        put_len(&mut out.buf, n as u64);
        out.buf.push(opcodes::RESIZEDB);
        put_len(&mut out.buf, entries.entries.len() as u64);
        put_len(&mut out.buf, volatile as u64);
        for (e, at) in entries.iter() {
            if at != 0 {
                out.buf.push(opcodes::EXPIRETIME_MS);
                out.buf.extend_from_slice(&at.to_le_bytes());
            }
            if let Some(clock) = opts.lru_clock {
                out.buf.push(opcodes::IDLE);
                put_len(&mut out.buf, idle_seconds(e.lru(), clock));
            }
            out.buf.push(rdb_type(&e.value));
            w.put_string(&mut out.buf, &e.key);
            w.put_value(&mut out.buf, &e.value);
            out.flush_if_full()?;
            on_key()?;
        }
    }
    out.buf.push(opcodes::EOF);
    out.flush()?;
    let crc = if opts.checksum { out.crc } else { 0 };
    out.buf.extend_from_slice(&crc.to_le_bytes());
    let checksum = out.checksum;
    out.checksum = false;
    out.flush()?;
    out.checksum = checksum;
    Ok(out.written)
}

/// [`save`] into a byte vector.
pub fn save_to_vec(dbs: &[Db], functions: &[&[u8]], opts: &SaveOptions) -> Vec<u8> {
    let mut v = Vec::new();
    // Writing to a Vec cannot fail.
    let _ = save(&mut v, dbs, functions, opts);
    v
}
