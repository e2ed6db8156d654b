//! `aof-timestamp-enabled yes`: `#TS:<unix seconds>\r\n` annotation lines as
//! redis-server 7.0.15 writes them, and loading files that hold annotations.
//!
//! What 7.0.15 wrote for this session (`aof-use-rdb-preamble no`,
//! `aof-disable-auto-gc yes`; checked by hand): the command-form base made
//! at startup is just `#TS:<t0>`; the first commands, in that same second,
//! get no annotation; a command in a later second gets one ahead of it (and
//! of its SELECT; a MULTI/EXEC gets one ahead of the MULTI); the base of a
//! rewrite starts with one; the incremental file after the rewrite starts
//! with one once the second has changed. The seconds themselves differ from
//! run to run, so the test checks the bytes without the annotations exactly,
//! and where annotations stand and that their seconds increase.
use super::aof_proc::{files, read, wait_for_rewrite, Proc};
use super::support::temp_dir;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Sleeps into the next second.
fn next_second() {
    let t = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let left = 1_000_000_000 - u64::from(t.subsec_nanos());
    std::thread::sleep(Duration::from_nanos(left) + Duration::from_millis(30));
}

/// Splits a file into its annotation seconds (with the byte offset in the
/// annotation-free text where each stood) and the text without them.
fn split(text: &str) -> (Vec<(usize, u64)>, String) {
    let mut stamps = Vec::new();
    let mut rest = String::new();
    for line in text.split_inclusive("\r\n") {
        match line.strip_prefix("#TS:") {
            Some(n) => {
                let n = n.trim_end().parse().expect("#TS seconds");
                stamps.push((rest.len(), n));
            }
            None => rest.push_str(line),
        }
    }
    (stamps, rest)
}

const SET_A_B: &str = "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n\
    *3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n\
    *3\r\n$3\r\nset\r\n$1\r\nb\r\n$1\r\n1\r\n";
const MULTI: &str = "*1\r\n$5\r\nMULTI\r\n\
    *3\r\n$3\r\nset\r\n$1\r\nc\r\n$1\r\n1\r\n\
    *2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n\
    *2\r\n$4\r\nincr\r\n$1\r\nd\r\n\
    *1\r\n$4\r\nEXEC\r\n";

#[test]
fn annotations_where_redis_70_writes_them_and_loading_skips_them() {
    let dir = temp_dir("aof-ts");
    let started = now();
    let args = [
        "--appendonly",
        "yes",
        "--aof-timestamp-enabled",
        "yes",
        "--aof-use-rdb-preamble",
        "no",
        "--aof-disable-auto-gc",
        "yes",
    ];
    let p = Proc::start(&dir, &args);
    let mut c = p.connect();
    assert_eq!(c.q("set a 1"), "+OK\r\n");
    assert_eq!(c.q("set b 1"), "+OK\r\n");
    next_second();
    assert_eq!(c.q("multi"), "+OK\r\n");
    assert_eq!(c.q("set c 1"), "+QUEUED\r\n");
    assert_eq!(c.q("select 2"), "+QUEUED\r\n");
    assert_eq!(c.q("incr d"), "+QUEUED\r\n");
    assert_eq!(c.q("exec"), "*3\r\n+OK\r\n+OK\r\n:1\r\n");
    next_second();
    assert_eq!(
        c.q("bgrewriteaof"),
        "+Background append only file rewriting started\r\n"
    );
    wait_for_rewrite(&mut c);
    next_second();
    assert_eq!(c.q("select 0"), "+OK\r\n");
    assert_eq!(c.q("set e 1"), "+OK\r\n");
    let aof = dir.join("appendonlydir");
    assert_eq!(
        read(aof.join("appendonly.aof.manifest")),
        "file appendonly.aof.2.base.aof seq 2 type b\n\
         file appendonly.aof.1.incr.aof seq 1 type h\n\
         file appendonly.aof.1.base.aof seq 1 type h\n\
         file appendonly.aof.2.incr.aof seq 2 type i\n"
    );

    // Base 1: only the annotation of when it was written.
    let (base1, rest) = split(&read(aof.join("appendonly.aof.1.base.aof")));
    assert_eq!(rest, "");
    assert_eq!(base1.len(), 1);
    let t0 = base1[0].1;
    assert!(t0 >= started && t0 <= now(), "{t0}");
    // Incr 1: SET a/b with an annotation only if the second changed after
    // the base was written; one ahead of the MULTI.
    let (stamps, rest) = split(&read(aof.join("appendonly.aof.1.incr.aof")));
    assert_eq!(rest, format!("{SET_A_B}{MULTI}"));
    let before_multi = stamps.iter().position(|&(at, _)| at == SET_A_B.len());
    let Some(i) = before_multi else {
        panic!("no #TS before the MULTI: {stamps:?}");
    };
    assert!(i <= 1 && stamps.len() == i + 1, "{stamps:?}");
    if i == 1 {
        assert_eq!(stamps[0].0, 0);
        assert!(stamps[0].1 > t0);
    }
    let mut last = t0;
    for &(_, t) in &stamps {
        assert!(t > last, "{stamps:?} after {t0}");
        last = t;
    }
    // Base 2 starts with one; incr 2 too, the second having changed.
    let base2 = read(aof.join("appendonly.aof.2.base.aof"));
    let (b2, rest) = split(&base2);
    assert_eq!(b2.first().map(|s| s.0), Some(0));
    assert!(b2[0].1 > last);
    assert!(rest.starts_with("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"));
    let (i2, rest) = split(&read(aof.join("appendonly.aof.2.incr.aof")));
    assert_eq!(
        rest,
        "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nset\r\n$1\r\ne\r\n$1\r\n1\r\n"
    );
    assert_eq!(i2.len(), 1);
    assert_eq!(i2[0].0, 0);
    assert!(i2[0].1 > last);
    drop(p);

    // Loading skips annotations, 7.0's and any other `#` line.
    let incr = aof.join("appendonly.aof.2.incr.aof");
    let mut text = std::fs::read(&incr).expect("incr");
    text.extend_from_slice(
        b"#any annotation at all\r\n*3\r\n$3\r\nset\r\n$1\r\nf\r\n$1\r\n2\r\n#TS:1",
    );
    std::fs::write(&incr, text).expect("write");
    let p = Proc::start(&dir, &args);
    let mut c = p.connect();
    assert_eq!(
        c.q("mget a b c e f"),
        "*5\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n"
    );
    assert_eq!(c.q("select 2"), "+OK\r\n");
    assert_eq!(c.q("get d"), "$1\r\n1\r\n");
    assert!(files(&aof).len() >= 4);
    drop(p);
    let _ = std::fs::remove_dir_all(&dir);
}
