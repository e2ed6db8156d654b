//! The corrupt DUMP payloads of Redis's own suite
//! (`tests/integration/corrupt-dump.tcl`, which the external-server runner
//! cannot run: it starts its own servers), replayed against Ferrous when the
//! suite is extracted (`REDIS_TESTS_DIR` or `.redis-tests/`).
//!
//! Each payload is sent as it is and with its CRC made valid (Redis's tests
//! turn the checksum check off for some), under `sanitize-dump-payload` no and
//! yes. Ferrous must answer each with OK or one of RESTORE's errors and keep
//! serving; with `yes` and redis-server installed, it must accept exactly the
//! payloads redis-server accepts.
//! Without sanitization Redis accepts some damaged packed encodings it would
//! crash on later; Ferrous checks those always and refuses them.
use crate::rdb_support::*;
use crate::support::start_server;
use std::path::{Path, PathBuf};

/// The bytes of a Tcl double-quoted string body (backslash escapes).
fn tcl_unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        if c == b'x' {
            let mut j = i + 2;
            let mut v = 0u8;
            while j < b.len() && j < i + 4 && b[j].is_ascii_hexdigit() {
                v = v * 16 + (b[j] as char).to_digit(16).unwrap_or(0) as u8;
                j += 1;
            }
            out.push(v);
            i = j;
            continue;
        }
        out.push(match c {
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            other => other,
        });
        i += 2;
    }
    out
}

/// The payloads in the suite file: double-quoted strings with `\x` escapes.
fn payloads(tcl: &str) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = tcl;
    while let Some(start) = rest.find('"') {
        let body = &rest[start + 1..];
        let mut end = None;
        let mut escaped = false;
        for (k, ch) in body.char_indices() {
            match ch {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(k);
                    break;
                }
                '\n' => break,
                _ => escaped = false,
            }
        }
        match end {
            Some(k) => {
                let text = &body[..k];
                if text.contains("\\x") {
                    let p = tcl_unescape(text);
                    if p.len() >= 10 {
                        out.push(p);
                    }
                }
                rest = &body[k + 1..];
            }
            None => rest = body,
        }
    }
    out
}

fn with_valid_crc(p: &[u8]) -> Vec<u8> {
    let body = &p[..p.len() - 8];
    let mut v = body.to_vec();
    v.extend_from_slice(&ferrous::persist::crc64::crc64(body).to_le_bytes());
    v
}

fn suite_file() -> Option<PathBuf> {
    let dir = std::env::var_os("REDIS_TESTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".redis-tests"));
    let f = dir.join("tests/integration/corrupt-dump.tcl");
    f.is_file().then_some(f)
}

/// RESTOREs `p` into `key` under `sanitize`; the reply.
fn restore(c: &mut crate::support::Conn, sanitize: &str, p: &[u8]) -> R {
    call(
        c,
        &[
            b"CONFIG",
            b"SET",
            b"sanitize-dump-payload",
            sanitize.as_bytes(),
        ],
    );
    call(c, &[b"DEL", b"key"]);
    call(c, &[b"RESTORE", b"key", b"0", p])
}

#[test]
fn redis_corrupt_payloads_restore_or_fail_cleanly() {
    let Some(file) = suite_file() else {
        return;
    };
    let tcl = std::fs::read_to_string(file).expect("read the suite file");
    let all = payloads(&tcl);
    assert!(all.len() > 50, "{} payloads", all.len());
    let srv = start_server();
    let mut fc = srv.connect();
    let dir = temp_dir("corrupt-dump");
    let redis = RedisProc::start(&dir, "dump.rdb", &[]);
    let mut compared = 0;
    for p in &all {
        for q in [p.clone(), with_valid_crc(p)] {
            for sanitize in ["no", "yes"] {
                let got = restore(&mut fc, sanitize, &q);
                match &got {
                    R::Simple(s) if s == "OK" => {
                        // what was restored can be dumped again
                        assert!(matches!(
                            call(&mut fc, &[b"DUMP", b"key"]),
                            R::Bulk(Some(_))
                        ));
                    }
                    R::Err(e) => assert!(
                        e.starts_with("ERR Bad data format")
                            || e == "ERR DUMP payload version or checksum are wrong",
                        "{e}"
                    ),
                    other => panic!("{other:?}"),
                }
                assert_eq!(callw(&mut fc, "PING"), R::Simple("PONG".into()));
                let Some(redis) = &redis else {
                    continue;
                };
                if sanitize != "yes" {
                    continue;
                }
                // a fresh connection: redis-server may close on some payloads
                let want = restore(&mut redis.connect(), sanitize, &q);
                assert_eq!(
                    matches!(got, R::Simple(_)),
                    matches!(want, R::Simple(_)),
                    "payload {:?}: ferrous {got:?}, redis {want:?}",
                    q.escape_ascii().to_string()
                );
                compared += 1;
            }
        }
    }
    assert!(redis.is_none() || compared > 50);
}
