//! Loading an append-only dataset at startup (Redis 7.0's
//! `loadAppendOnlyFiles` and `loadSingleAppendOnlyFile`).
//!
//! The manifest names the files; the base is read first, then the
//! incremental files in order. (A single `appendonly.aof` of a Redis before
//! 7.0 has been moved into the directory as the base by then, see
//! `aof::start`.) A file that starts with `REDIS` is an RDB (a
//! `.base.rdb`, or an old single file with an RDB preamble): it is loaded as
//! one, and any commands after it are replayed. Commands are RESP multibulks
//! (`*<argc>`, then `$<len>` and the bytes for each argument; a line starting
//! with `#` is an annotation, such as the `#TS:<unix seconds>` lines of
//! `aof-timestamp-enabled yes`, skipped), run by a client of the server's own
//! with no connection, as Redis's "fake client" does: MULTI/EXEC in the file
//! run as a transaction.
//!
//! Damage, as Redis treats it:
//! - the last file ends in the middle of a command (a crash while appending):
//!   with `aof-load-truncated yes` the file is cut back to the end of the last
//!   whole command, with Redis's log lines, and loading succeeds; with `no` it
//!   is an error. A MULTI without its EXEC at the end is dropped the same way.
//! - anything else (a bad byte, a torn command in a file that is not the last,
//!   an unknown command) is an error naming the file and the offset: the
//!   server does not start on part of the dataset.
//!
//! Invariants: no allocation is sized by a number read from the file beyond
//! what the file's remaining bytes could hold; no panic on any content.
use super::manifest::Manifest;
use crate::cmd::blocking::Blocked;
use crate::cmd::client::ClientState;
use crate::cmd::{Ctx, Keyspace, ScriptSlot, Shared};
use crate::persist::rdbfile;
use crate::resp::Reply;
use crate::store::Store;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

/// Redis's `AOF_ANNOTATION_LINE_MAX_LEN`: its read buffer for a line.
const ANNOTATION_MAX: usize = 1024;

/// One step of reading commands.
#[derive(Debug, PartialEq)]
enum Next {
    /// A command and the offset after it.
    Command(Vec<Vec<u8>>, usize),
    /// An annotation line, skipped; the offset after it.
    Skip(usize),
    /// The file ends here, cleanly.
    End,
    /// The file ends in the middle of a command.
    Truncated,
    /// Not a command: the offset of the bad byte.
    Bad(usize),
}

/// A line ending in `\r\n` from `at`: its body and the offset after it, or
/// `None` when the file ends first.
fn line(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let rest = buf.get(at..)?;
    let nl = rest.iter().position(|&b| b == b'\n')?;
    let body = &rest[..nl];
    Some((body.strip_suffix(b"\r").unwrap_or(body), at + nl + 1))
}

/// A decimal count after a type byte.
fn count(digits: &[u8]) -> Option<u64> {
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// Reads the command at `at`.
fn next_command(buf: &[u8], at: usize) -> Next {
    if at >= buf.len() {
        return Next::End;
    }
    if buf[at] == b'#' {
        // Redis reads an annotation as one `fgets` of at most 1023 bytes:
        // a longer line goes on as the next read, and one the file ends in
        // is skipped like any other.
        let window = &buf[at..buf.len().min(at + ANNOTATION_MAX - 1)];
        return match window.iter().position(|&b| b == b'\n') {
            Some(nl) => Next::Skip(at + nl + 1),
            None => Next::Skip(at + window.len()),
        };
    }
    if buf[at] != b'*' {
        return Next::Bad(at);
    }
    let Some((head, mut pos)) = line(buf, at) else {
        return Next::Truncated;
    };
    let Some(argc) = count(&head[1..]).filter(|&n| n >= 1) else {
        return Next::Bad(at);
    };
    // Each argument takes 6 bytes at least (`$0\r\n\r\n`): more than the rest
    // of the file holds means it was cut.
    if argc > (buf.len() - pos) as u64 / 6 {
        return Next::Truncated;
    }
    let mut argv = Vec::with_capacity(argc as usize);
    for _ in 0..argc {
        if pos >= buf.len() {
            return Next::Truncated;
        }
        if buf[pos] != b'$' {
            return Next::Bad(pos);
        }
        let Some((head, after)) = line(buf, pos) else {
            return Next::Truncated;
        };
        let Some(len) = count(&head[1..]) else {
            return Next::Bad(pos);
        };
        let len = len as usize;
        if buf.len() - after < len.saturating_add(2) {
            return Next::Truncated;
        }
        argv.push(buf[after..after + len].to_vec());
        if &buf[after + len..after + len + 2] != b"\r\n" {
            return Next::Bad(after + len);
        }
        pos = after + len + 2;
    }
    Next::Command(argv, pos)
}

/// What loading found.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Bytes of all the files (INFO's `aof_current_size`), after any cut.
    pub total_size: u64,
    /// Bytes of the base file (`aof_base_size`).
    pub base_size: u64,
    /// The last file ended in a torn command and was cut back
    /// (`aof-load-truncated yes`): Redis's `AOF_TRUNCATED`.
    pub truncated: bool,
}

/// The parts of the keyspace a load works on (a [`Keyspace`], or a
/// command's context for DEBUG LOADAOF).
pub struct Target<'a> {
    pub store: &'a mut Store,
    pub blocked: &'a mut Blocked,
    pub scripts: &'a mut ScriptSlot,
}

impl<'a> Target<'a> {
    pub fn of(ks: &'a mut Keyspace) -> Target<'a> {
        Target {
            store: &mut ks.store,
            blocked: &mut ks.blocked,
            scripts: &mut ks.scripts,
        }
    }
}

/// Loads every file of `m` from `dir` into the keyspace; meanwhile no key
/// counts as expired (see `store::Db::loading`).
pub fn load_files(
    ks: &mut Target<'_>,
    sh: &Arc<Shared>,
    dir: &Path,
    m: &Manifest,
) -> Result<Loaded, String> {
    ks.store.set_loading(true);
    sh.persistence.loading.store(true, Ordering::Relaxed);
    let r = load_all(ks, sh, dir, m);
    sh.persistence.loading.store(false, Ordering::Relaxed);
    ks.store.set_loading(false);
    r
}

fn load_all(
    ks: &mut Target<'_>,
    sh: &Arc<Shared>,
    dir: &Path,
    m: &Manifest,
) -> Result<Loaded, String> {
    let c = sh.config().clone();
    let started = Instant::now();
    let files = m.data_files();
    let mut out = Loaded::default();
    for (i, f) in files.iter().enumerate() {
        let last = i + 1 == files.len();
        let path = dir.join(&f.name);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                    "The append log file {} doesn't exist: {}",
                    f.name,
                    crate::cmd::io_error_text(&e)
                ));
            }
            Err(e) => {
                return Err(format!(
                    "Fatal error: can't open the append log file {} for reading: {}",
                    f.name,
                    crate::cmd::io_error_text(&e)
                ))
            }
        };
        let t = Instant::now();
        let is_base = m.base.as_ref() == Some(*f);
        let (size, cut) = load_one(ks, sh, &path, &f.name, &bytes, last, &c)?;
        out.truncated |= cut;
        out.total_size += size;
        if is_base {
            out.base_size = size;
        }
        let kind = if is_base { "base" } else { "incr" };
        sh.logger.notice(&format!(
            "DB loaded from {kind} file {}: {:.3} seconds",
            f.name,
            t.elapsed().as_secs_f64()
        ));
    }
    sh.logger.notice(&format!(
        "DB loaded from append only file: {:.3} seconds",
        started.elapsed().as_secs_f64()
    ));
    Ok(out)
}

/// Loads one file; returns its size (after a cut) and whether it was cut.
fn load_one(
    ks: &mut Target<'_>,
    sh: &Arc<Shared>,
    path: &Path,
    name: &str,
    bytes: &[u8],
    last: bool,
    c: &crate::cmd::config::Config,
) -> Result<(u64, bool), String> {
    let mut pos = 0;
    if bytes.starts_with(b"REDIS") {
        // A file of a Redis before 7.0 (taken in as the base under its old
        // name) has an RDB preamble followed by commands.
        let old_style = name == c.appendfilename;
        sh.logger.notice(if old_style {
            "Reading RDB preamble from AOF file..."
        } else {
            "Reading RDB base file on AOF loading..."
        });
        pos = rdbfile::load_rdb(ks.store, ks.scripts, sh, c, bytes, Default::default(), true)
            .map_err(|e| format!("Bad file format reading the append only file {name}: {e}"))?;
        sh.logger.notice(if old_style {
            "Reading the remaining AOF tail..."
        } else {
            "RDB is base AOF"
        });
    }
    let mut client = ClientState {
        id: u64::MAX - 1,
        authenticated: true,
        no_block: true,
        ..ClientState::default()
    };
    let mut reply = Reply::new();
    // Where the file is whole up to, and where an open MULTI began.
    let mut valid = pos;
    let mut multi_at: Option<usize> = None;
    let truncated = loop {
        match next_command(bytes, pos) {
            Next::End => break false,
            Next::Truncated => break true,
            Next::Bad(at) => {
                return Err(format!(
                    "Bad file format reading the append only file {name} at offset {at}: \
                     make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>"
                ))
            }
            Next::Skip(end) => pos = end,
            Next::Command(argv, end) => {
                if sh.commands.lookup(&argv[0]).is_none() {
                    return Err(format!(
                        "Unknown command '{}' reading the append only file {name} at offset {pos}",
                        String::from_utf8_lossy(&argv[0])
                    ));
                }
                if argv[0].eq_ignore_ascii_case(b"multi") {
                    multi_at = Some(pos);
                } else if argv[0].eq_ignore_ascii_case(b"exec") {
                    multi_at = None;
                }
                let mut ctx = Ctx {
                    store: &mut *ks.store,
                    blocked: &mut *ks.blocked,
                    scripts: &mut *ks.scripts,
                    client: &mut client,
                    out: &mut reply,
                    shared: sh,
                };
                crate::cmd::dispatch(&mut ctx, &argv);
                reply.buf.clear();
                pos = end;
                if multi_at.is_none() {
                    valid = pos;
                }
            }
        }
    };
    if !truncated && multi_at.is_none() {
        return Ok((bytes.len() as u64, false));
    }
    if multi_at.is_some() {
        sh.logger.warning(&format!(
            "Revert incomplete MULTI/EXEC transaction in AOF file {name}"
        ));
    }
    sh.logger.warning(&format!(
        "!!! Warning: short read while loading the AOF file {name}!!!"
    ));
    if client.tx.in_multi() {
        client.tx.queue = None;
    }
    if !last || !c.aof_load_truncated {
        return Err(format!(
            "Unexpected end of file reading the append only file {name} (whole up to offset {valid}). \
             You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. \
             2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server."
        ));
    }
    sh.logger.warning(&format!(
        "!!! Truncating the AOF {name} at offset {valid} !!!"
    ));
    let cut = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(valid as u64));
    if let Err(e) = cut {
        return Err(format!(
            "Error truncating the AOF file {name}: {}",
            crate::cmd::io_error_text(&e)
        ));
    }
    sh.logger.warning(&format!(
        "AOF {name} loaded anyway because aof-load-truncated is enabled"
    ));
    Ok((valid as u64, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_commands_and_annotations() {
        let b = b"#TS:1\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n";
        assert_eq!(next_command(b, 0), Next::Skip(7));
        assert_eq!(
            next_command(b, 7),
            Next::Command(vec![b"SELECT".to_vec(), b"0".to_vec()], b.len())
        );
        assert_eq!(next_command(b, b.len()), Next::End);
    }

    #[test]
    fn annotations_are_read_as_redis_reads_them() {
        // One the file ends in is skipped whole, not a torn command.
        assert_eq!(next_command(b"#TS:17", 0), Next::Skip(6));
        // A line over 1023 bytes goes on as the next read: here not a command.
        let mut long = b"#".to_vec();
        long.extend_from_slice(&[b'a'; 1100]);
        long.extend_from_slice(b"\r\n");
        assert_eq!(next_command(&long, 0), Next::Skip(1023));
        assert_eq!(next_command(&long, 1023), Next::Bad(1023));
    }

    #[test]
    fn a_cut_command_is_truncated_anywhere() {
        let whole = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n";
        for cut in 1..whole.len() {
            assert_eq!(
                next_command(&whole[..cut], 0),
                Next::Truncated,
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn bad_bytes_name_their_offset() {
        assert_eq!(next_command(b"xyz", 0), Next::Bad(0));
        assert_eq!(next_command(b"*1\r\n+OK\r\n\r\n", 0), Next::Bad(4));
        assert_eq!(next_command(b"*1\r\n$2\r\nabXY", 0), Next::Bad(10));
        assert_eq!(next_command(b"*0\r\n", 0), Next::Bad(0));
        assert_eq!(next_command(b"*-1\r\n", 0), Next::Bad(0));
    }

    #[test]
    fn huge_counts_allocate_nothing() {
        assert_eq!(next_command(b"*999999999999\r\n$1\r\n", 0), Next::Truncated);
        assert_eq!(
            next_command(b"*1\r\n$999999999999\r\nab", 0),
            Next::Truncated
        );
    }
}
