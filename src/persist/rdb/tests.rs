//! Tests of the RDB value encodings across every threshold, of the legacy
//! encodings (payloads built byte by byte after the formats in `legacy.rs`),
//! and fuzzing of the loaders: thousands of mutated DUMP payloads and files
//! load or fail cleanly.
use super::load::{load, FileOptions};
use super::read::Reader;
use super::save::{save_to_vec, SaveOptions};
use super::value_load::{load_value, LoadOptions};
use super::value_save::{rdb_type, ValueWriter};
use super::write::{put_len, StringWriter};
use super::{types, Encodings, ErrorKind};
use crate::persist::dump;
use crate::persist::legacy::tests::{make_ziplist, make_zipmap};
use crate::store::hash::Hash;
use crate::store::list::List;
use crate::store::set::Set;
use crate::store::value::Value;
use crate::store::zset::{Limits, ZSet};
use crate::store::Store;

fn opts() -> LoadOptions {
    LoadOptions::default()
}

/// Dumps and parses `v`, checking the value and its encoding come back.
fn round_trip(v: &Value, want_type: u8) {
    assert_eq!(rdb_type(v), want_type, "{}", v.encoding());
    for compress in [true, false] {
        let payload = dump::dump(v, compress, Encodings::default());
        let back = dump::parse(&payload, &opts()).expect("payload loads");
        assert_eq!(&back, v);
        assert_eq!(back.encoding(), v.encoding());
        // and the payload of what came back is the same bytes
        assert_eq!(dump::dump(&back, compress, Encodings::default()), payload);
    }
}

fn hash(n: usize, value_len: usize) -> Value {
    let mut h = Hash::new();
    for i in 0..n {
        h.set(format!("f{i}").as_bytes(), &vec![b'v'; value_len]);
    }
    Value::Hash(h)
}

fn set_of(members: impl IntoIterator<Item = Vec<u8>>) -> Value {
    let mut s = Set::new();
    for m in members {
        s.add(&m, 512);
    }
    Value::Set(s)
}

fn zset(n: usize, member_len: usize) -> Value {
    let pairs = (0..n)
        .map(|i| {
            let mut m = format!("{i}:").into_bytes();
            m.resize(member_len.max(m.len()), b'm');
            (m, i as f64 * 0.75 - 3.0)
        })
        .collect();
    Value::ZSet(ZSet::from_pairs(pairs, Limits::default()))
}

#[test]
fn strings_round_trip_at_every_boundary() {
    let ints = [
        0,
        -1,
        127,
        -128,
        128,
        32767,
        -32769,
        i32::MAX as i64,
        i32::MIN as i64 - 1,
        i64::MAX,
        i64::MIN,
    ];
    for n in ints {
        round_trip(&Value::Int(n), types::STRING);
    }
    for len in [0, 1, 11, 20, 21, 44, 45, 100, 70_000] {
        let compressible = vec![b'a'; len];
        round_trip(&Value::from_bytes(&compressible), types::STRING);
        let noise: Vec<u8> = (0..len).map(|i| (i * 131 % 251) as u8).collect();
        round_trip(&Value::from_bytes(&noise), types::STRING);
        if len > 44 {
            round_trip(&Value::raw(noise), types::STRING);
        } else {
            // a short "raw" string (after APPEND, say) loads as "embstr", as
            // in Redis: the encoding is not stored
            let p = dump::dump(&Value::raw(noise.clone()), true, Encodings::default());
            assert_eq!(dump::parse(&p, &opts()).unwrap(), Value::from_bytes(&noise));
        }
    }
    // numeric strings that are not canonical stay strings
    round_trip(&Value::from_bytes(b"007"), types::STRING);
    // an integer's canonical form comes back "int" whatever it was stored as
    // (Redis's tryObjectEncoding on load)
    let p = dump::dump(
        &Value::from_bytes(b"12345678901"),
        true,
        Encodings::default(),
    );
    assert_eq!(
        dump::parse(&p, &opts()).unwrap(),
        Value::Int(12_345_678_901)
    );
}

#[test]
fn collections_round_trip_on_both_sides_of_each_threshold() {
    for n in [1, 511, 512, 513] {
        round_trip(
            &hash(n, 10),
            if n <= 512 {
                types::HASH_LISTPACK
            } else {
                types::HASH
            },
        );
    }
    round_trip(&hash(3, 64), types::HASH_LISTPACK);
    round_trip(&hash(3, 65), types::HASH);
    for n in [1, 512, 513] {
        let v = set_of((0..n as i64).map(|i| (i * 1000 - 70_000).to_string().into_bytes()));
        round_trip(
            &v,
            if n <= 512 {
                types::SET_INTSET
            } else {
                types::SET
            },
        );
    }
    round_trip(&set_of([b"a".to_vec(), b"1".to_vec()]), types::SET);
    round_trip(
        &set_of([i64::MIN.to_string().into_bytes()]),
        types::SET_INTSET,
    );
    for n in [1, 128, 129] {
        round_trip(
            &zset(n, 5),
            if n <= 128 {
                types::ZSET_LISTPACK
            } else {
                types::ZSET_2
            },
        );
    }
    round_trip(&zset(3, 64), types::ZSET_LISTPACK);
    round_trip(&zset(3, 65), types::ZSET_2);
    let special = ZSet::from_pairs(
        vec![
            (b"a".to_vec(), f64::NEG_INFINITY),
            (b"b".to_vec(), f64::INFINITY),
            (b"c".to_vec(), 1e-300),
            (b"d".to_vec(), 4_611_686_018_427_387_904.0),
            (b"e".to_vec(), 1e19),
            (b"f".to_vec(), -0.5),
        ],
        Limits::default(),
    );
    round_trip(&Value::ZSet(special), types::ZSET_LISTPACK);
    for n in [1, 79, 80, 1000] {
        let e = [b'x'; 100];
        let l = List::from_items((0..n).map(|_| &e[..]));
        round_trip(&Value::List(l), types::LIST_QUICKLIST_2);
    }
    let big = vec![b'y'; 9000];
    let l = List::from_items([&b"a"[..], &big, b"7", b"-70000"]);
    round_trip(&Value::List(l), types::LIST_QUICKLIST_2);
}

/// A payload: type byte, body, version, CRC.
fn payload(t: u8, body: &[u8]) -> Vec<u8> {
    let mut p = vec![t];
    p.extend_from_slice(body);
    p.extend_from_slice(&super::RDB_VERSION.to_le_bytes());
    let crc = crate::persist::crc64::crc64(&p);
    p.extend_from_slice(&crc.to_le_bytes());
    p
}

fn string_body(parts: &[&[u8]]) -> Vec<u8> {
    let mut w = StringWriter::new(false);
    let mut out = Vec::new();
    for p in parts {
        w.put(&mut out, p);
    }
    out
}

fn with_count(n: usize, rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put_len(&mut out, n as u64);
    out.extend_from_slice(rest);
    out
}

fn strings(v: &Value) -> Vec<Vec<u8>> {
    match v {
        Value::List(l) => l.iter().map(|e| e.to_vec()).collect(),
        Value::Set(s) => {
            let mut m = s.members();
            m.sort();
            m
        }
        Value::Hash(h) => {
            let mut p: Vec<Vec<u8>> = h
                .pairs()
                .map(|(f, v)| [&f, &b"="[..], &v].concat())
                .collect();
            p.sort();
            p
        }
        Value::ZSet(z) => z
            .iter()
            .map(|(m, s)| [&m, &b"="[..], s.to_string().as_bytes()].concat())
            .collect(),
        other => vec![other
            .str_len()
            .map(|_| b"string".to_vec())
            .unwrap_or_default()],
    }
}

fn parse(t: u8, body: &[u8]) -> Value {
    dump::parse(&payload(t, body), &opts()).expect("loads")
}

fn texts(items: &[&str]) -> Vec<Vec<u8>> {
    items.iter().map(|s| s.as_bytes().to_vec()).collect()
}

#[test]
fn legacy_encodings_load_as_their_7_0_equivalents() {
    // linked list (type 1)
    let v = parse(
        types::LIST,
        &with_count(3, &string_body(&[b"a", b"12", b""])),
    );
    assert_eq!(strings(&v), texts(&["a", "12", ""]));
    assert_eq!(v.encoding(), "quicklist");
    // list ziplist (type 10)
    let zl = make_ziplist(&[b"x", b"5", b"-300", b"hello"]);
    let v = parse(types::LIST_ZIPLIST, &string_body(&[&zl]));
    assert_eq!(strings(&v), texts(&["x", "5", "-300", "hello"]));
    // first quicklist (type 14): ziplist nodes, one empty (skipped)
    let a = make_ziplist(&[b"1", b"2"]);
    let b = make_ziplist(&[]);
    let c = make_ziplist(&[b"three"]);
    let v = parse(
        types::LIST_QUICKLIST,
        &with_count(3, &string_body(&[&a, &b, &c])),
    );
    assert_eq!(strings(&v), texts(&["1", "2", "three"]));
    // zipmap hash (type 9), small and past the value threshold
    let zm = make_zipmap(&[(b"f", b"v"), (b"n", b"10")]);
    let v = parse(types::HASH_ZIPMAP, &string_body(&[&zm]));
    assert_eq!(strings(&v), texts(&["f=v", "n=10"]));
    assert_eq!(v.encoding(), "listpack");
    let long = vec![b'L'; 65];
    let zm = make_zipmap(&[(b"f", &long)]);
    assert_eq!(
        parse(types::HASH_ZIPMAP, &string_body(&[&zm])).encoding(),
        "hashtable"
    );
    // hash ziplist (type 13), more pairs than the threshold: a hashtable
    let fields: Vec<Vec<u8>> = (0..1200)
        .map(|i| format!("{}", i / 2 + (i % 2) * 1_000_000).into_bytes())
        .collect();
    let refs: Vec<&[u8]> = fields.iter().map(Vec::as_slice).collect();
    let v = parse(types::HASH_ZIPLIST, &string_body(&[&make_ziplist(&refs)]));
    assert_eq!((v.encoding(), strings(&v).len()), ("hashtable", 600));
    // sorted set ziplist (type 12): scores as integers or text
    let zl = make_ziplist(&[b"a", b"3", b"b", b"1.5", b"c", b"-inf"]);
    let v = parse(types::ZSET_ZIPLIST, &string_body(&[&zl]));
    assert_eq!(strings(&v), texts(&["c=-inf", "b=1.5", "a=3"]));
    assert_eq!(v.encoding(), "listpack");
    // sorted set with text scores (type 3), including the special codes
    let mut body = Vec::new();
    put_len(&mut body, 3);
    body.extend_from_slice(&string_body(&[b"x"]));
    body.extend_from_slice(b"\x032.5");
    body.extend_from_slice(&string_body(&[b"y"]));
    body.push(254);
    body.extend_from_slice(&string_body(&[b"z"]));
    body.extend_from_slice(b"\x0a-1.25e-02");
    let v = parse(types::ZSET, &body);
    assert_eq!(strings(&v), texts(&["z=-0.0125", "x=2.5", "y=inf"]));
    // a set written member by member (type 2): intset when all are integers
    let v = parse(types::SET, &with_count(2, &string_body(&[b"7", b"-1"])));
    assert_eq!((v.encoding(), strings(&v)), ("intset", texts(&["-1", "7"])));
    // and a hash written pair by pair (type 4) small enough for a listpack
    let v = parse(types::HASH, &with_count(1, &string_body(&[b"f", b"v"])));
    assert_eq!(v.encoding(), "listpack");
}

#[test]
fn refusals_name_what_is_wrong() {
    let bad = |t: u8, body: &[u8]| dump::parse(&payload(t, body), &opts()).unwrap_err();
    let msg = |e: dump::PayloadError| match e {
        dump::PayloadError::BadData(e) => (e.kind, e.message),
        other => panic!("{other:?}"),
    };
    // streams load now: a stream cut short after its node count is damage
    // (its length is read from the payload's footer, as Redis reads it)
    let (kind, _) = msg(bad(types::STREAM_LISTPACKS_2, &[0]));
    assert_eq!(kind, ErrorKind::Corrupt);
    let (kind, m) = msg(bad(types::MODULE_2, &[0]));
    assert_eq!(kind, ErrorKind::Unsupported);
    assert!(m.contains("module"), "{m}");
    // 7.2's listpack set is not a 7.0 type at all
    let p = payload(types::SET_LISTPACK, &[0]);
    assert!(matches!(
        dump::parse(&p, &opts()),
        Err(dump::PayloadError::BadData(_))
    ));
    let (_, m) = msg(bad(types::SET, &with_count(2, &string_body(&[b"a", b"a"]))));
    assert!(m.contains("duplicate"), "{m}");
    let (_, m) = msg(bad(types::ZSET_2, &{
        let mut b = with_count(1, &string_body(&[b"m"]));
        b.extend_from_slice(&f64::NAN.to_le_bytes());
        b
    }));
    assert!(m.contains("NAN"), "{m}");
    let zl = make_ziplist(&[b"a", b"1", b"a", b"2"]);
    let (_, m) = msg(bad(types::HASH_ZIPLIST, &string_body(&[&zl])));
    assert!(m.contains("duplicate"), "{m}");
    let zl = make_ziplist(&[b"a", b"1", b"b"]);
    assert!(msg(bad(types::ZSET_ZIPLIST, &string_body(&[&zl])))
        .1
        .contains("odd"));
    let mut zl = make_ziplist(&[b"a", b"1"]);
    zl[9] = 5; // count
    assert!(msg(bad(types::LIST_ZIPLIST, &string_body(&[&zl])))
        .1
        .contains("ziplist"));
    // the file loader names the key and its database
    let mut store = Store::new(2);
    store.db(1).set(b"k", Value::Int(1), false);
    let fixed = SaveOptions {
        ctime: 0,
        ..SaveOptions::default()
    };
    let mut file = save_to_vec(store.dbs(), &[], &fixed);
    let at = file
        .windows(2)
        .position(|w| w == [types::STRING, 1])
        .unwrap();
    file[at] = types::MODULE_2;
    let e = load(&file, &FileOptions::default()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(
        e.message.contains("key 'k' in DB 1") && e.message.contains("module"),
        "{e}"
    );
    assert_eq!(e.offset, at + 3);
}

/// A stream over several nodes, with a deleted entry, metadata and a
/// consumer group with pending entries.
fn stream_sample() -> Value {
    use crate::store::stream::group::Group;
    use crate::store::stream::{Limits as NodeLimits, Stream, StreamId};
    let mut s = Stream::new();
    let limits = NodeLimits {
        node_max_bytes: 4096,
        node_max_entries: 5,
    };
    for i in 1..=12u64 {
        let fields = if i % 4 == 0 { "g" } else { "f" };
        let pair = [fields.as_bytes().to_vec(), format!("v{i}").into_bytes()];
        s.append(StreamId::new(i, 0), &pair, limits);
    }
    assert!(s.delete(StreamId::new(3, 0)));
    s.max_deleted_id = StreamId::new(3, 0);
    let mut g = Group::new(StreamId::new(6, 0), 6);
    g.create_consumer(b"alice", 1000);
    g.create_consumer(b"bob", 2000);
    g.create_consumer(b"idle", 3000);
    g.deliver(StreamId::new(4, 0), b"alice", 5000);
    g.deliver(StreamId::new(5, 0), b"bob", 6000);
    s.groups.insert(b"g".to_vec(), g);
    s.groups.insert(
        b"h".to_vec(),
        Group::new(
            StreamId::MIN,
            crate::store::stream::group::ENTRIES_READ_UNKNOWN,
        ),
    );
    Value::Stream(std::sync::Arc::new(s))
}

/// Runs what stream commands do on a loaded stream: walks, lookups, a
/// delete, trims, an append and the group counters (none may panic).
fn exercise_stream(v: &Value) {
    use crate::store::stream::{Limits as NodeLimits, Strategy, StreamId, Trim};
    let Value::Stream(s) = v else {
        return;
    };
    let mut s = (**s).clone();
    let ids: Vec<StreamId> = s
        .range(StreamId::MIN, StreamId::MAX, false)
        .map(|e| e.id)
        .collect();
    let back: Vec<StreamId> = s
        .range(StreamId::MIN, StreamId::MAX, true)
        .map(|e| e.id)
        .collect();
    assert_eq!(ids.len(), back.len());
    for e in s.range(StreamId::MIN, StreamId::MAX, false) {
        let n = e.fields().count();
        assert_eq!(n, e.nfields());
    }
    for id in &ids {
        assert!(s.get(*id).is_some(), "{id:?}");
    }
    let _ = (s.edge_id(true), s.edge_id(false), s.radix_tree_nodes());
    for g in s.groups.values() {
        let _ = (s.lag(g), s.entries_read_at(g.last_id));
    }
    if let Some(first) = ids.first() {
        assert!(s.delete(*first));
    }
    let half = s.length / 2;
    s.trim(&Trim {
        strategy: Strategy::MaxLen(half),
        approx: false,
        limit: 0,
    });
    assert_eq!(s.length, half);
    if let Some(next) = s.last_id.incr() {
        let limits = NodeLimits {
            node_max_bytes: 4096,
            node_max_entries: 100,
        };
        s.append(next, &[b"f".to_vec(), b"v".to_vec()], limits);
        assert_eq!(s.range(next, next, false).count(), 1);
    }
}

#[test]
fn streams_round_trip() {
    let v = stream_sample();
    round_trip(&v, types::STREAM_LISTPACKS_2);
    exercise_stream(&v);
    // damage the stream's own checks find: a length that is not the live
    // entries, a last ID below the last entry, a node out of order
    let good = dump::dump(&v, false, Encodings::default());
    let body = &good[..good.len() - 10];
    let Value::Stream(s) = &v else { unreachable!() };
    let mut meta = Vec::new();
    put_len(&mut meta, s.length);
    put_len(&mut meta, s.last_id.ms);
    let at = body
        .windows(meta.len())
        .rposition(|w| w == meta.as_slice())
        .expect("the metadata");
    for (offset, byte, what) in [(0, 3, "length"), (1, 2, "last ID")] {
        let mut bad = body.to_vec();
        bad[at + offset] = byte;
        let e = match dump::parse(&payload(bad[0], &bad[1..]), &opts()) {
            Err(dump::PayloadError::BadData(e)) => e,
            other => panic!("{other:?}"),
        };
        assert!(e.message.contains(what), "{e}");
    }
}

#[test]
fn intsets_are_checked_deeply_or_repaired() {
    let blob = [2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0];
    let p = payload(types::SET_INTSET, &string_body(&[&blob]));
    let deep = LoadOptions {
        deep: true,
        ..opts()
    };
    assert!(dump::parse(&p, &deep).is_err());
    let v = dump::parse(&p, &opts()).unwrap();
    assert_eq!(strings(&v), texts(&["1", "5"]));
    // more members than set-max-intset-entries: a hashtable
    let few = LoadOptions {
        encodings: Encodings {
            set_max_intset_entries: 1,
            ..Encodings::default()
        },
        ..opts()
    };
    let blob = [2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 5, 0];
    let p = payload(types::SET_INTSET, &string_body(&[&blob]));
    assert_eq!(dump::parse(&p, &few).unwrap().encoding(), "hashtable");
}

#[test]
fn files_round_trip_with_expiry_idle_functions_and_databases() {
    let mut store = Store::new(4);
    store.db(0).set(b"a", Value::from_bytes(b"x"), false);
    let i = store.db(0).set(b"ttl", Value::Int(5), false);
    store.db(0).set_expire(i, 4_102_444_800_000);
    let i = store.db(3).set(b"old", Value::Int(6), false);
    store.db(3).table.set_lru(i, 1000);
    store.db(3).set(b"h", hash(600, 3), false);
    let code: &[u8] = b"#!lua name=l\nredis.register_function('f', function() return 1 end)";
    let opts = SaveOptions {
        lru_clock: Some(1500),
        ..SaveOptions::default()
    };
    let file = save_to_vec(store.dbs(), &[code], &opts);
    let fo = FileOptions {
        lru_clock: 2000,
        databases: 4,
        ..FileOptions::default()
    };
    let loaded = load(&file, &fo).expect("loads");
    assert_eq!(loaded.keys_loaded, 4);
    for d in loaded.store.dbs() {
        d.table.check(); // RESIZEDB's reserve kept the table consistent
    }
    assert_eq!(loaded.functions, vec![code.to_vec()]);
    let db3 = &loaded.store.dbs()[3];
    let e = db3.table.entry(db3.table.find(b"old").unwrap());
    assert_eq!(e.lru(), 2000 - 500);
    let db0 = &loaded.store.dbs()[0];
    assert_eq!(
        db0.table.expire_at(db0.table.find(b"ttl").unwrap()),
        4_102_444_800_000
    );
    assert!(super::load::load_functions(&loaded.functions).is_ok());
    // too few databases for the file
    let e = load(&file, &FileOptions { databases: 2, ..fo }).unwrap_err();
    assert!(e.message.contains("database 3"), "{e}");
    // a newer version is refused by name
    let mut v11 = file.clone();
    v11[5..9].copy_from_slice(b"0011");
    let e = load(&v11, &fo).unwrap_err();
    assert!(
        e.message.contains("version 11") && e.message.contains("7.2"),
        "{e}"
    );
}

#[test]
fn many_keys_load_into_a_presized_table() {
    let mut store = Store::new(1);
    for i in 0..5000 {
        store
            .db(0)
            .set(format!("k{i}").as_bytes(), Value::Int(i), false);
    }
    let file = save_to_vec(store.dbs(), &[], &SaveOptions::default());
    let loaded = load(&file, &FileOptions::default()).expect("loads");
    let t = &loaded.store.dbs()[0].table;
    t.check();
    assert_eq!(t.len(), 5000);
    for i in 0..5000 {
        let e = t.entry(t.find(format!("k{i}").as_bytes()).expect("key"));
        assert_eq!(e.value, Value::Int(i));
    }
    // a RESIZEDB hint larger than the file could hold is not believed
    let mut lying = file.clone();
    let at = lying
        .windows(3)
        .position(|w| w == [0xFE, 0x00, 0xFB])
        .expect("RESIZEDB");
    // 5000 is a 14-bit length (two bytes): make it 2^32 - 1
    lying.splice(at + 3..at + 5, [0x80, 0xFF, 0xFF, 0xFF, 0xFF]);
    let fo = FileOptions {
        verify_checksum: false,
        ..FileOptions::default()
    };
    assert_eq!(load(&lying, &fo).expect("loads").keys_loaded, 5000);
}

/// How many rounds the fuzzers run: brief in `cargo test`, longer by hand with
/// `FERROUS_FUZZ_SCALE=100` (and `FERROUS_FUZZ_SEED` for other inputs).
fn fuzz_rounds(base: usize) -> usize {
    let scale = std::env::var("FERROUS_FUZZ_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1usize);
    base * scale
}

fn fuzz_seed(base: u64) -> u64 {
    std::env::var("FERROUS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(base, |s: u64| s | 1)
}

/// The fuzzers' deterministic generator (Knuth's MMIX linear congruential
/// step, high bits out).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 17
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One random change: a byte set, flipped, inserted, removed, or the data cut.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>) {
    if data.is_empty() {
        data.push(rng.next() as u8);
        return;
    }
    let at = rng.below(data.len());
    match rng.below(6) {
        0 => data[at] = rng.next() as u8,
        1 => data[at] ^= 1 << rng.below(8),
        2 => data.insert(at, rng.next() as u8),
        3 => {
            data.remove(at);
        }
        4 => data.truncate(at),
        _ => data[at] = [0x00, 0x3F, 0x40, 0x80, 0x81, 0xC0, 0xC3, 0xFE, 0xFF][rng.below(9)],
    }
}

fn sample_values() -> Vec<Value> {
    let e = [b'z'; 40];
    vec![
        Value::Int(123_456),
        Value::from_bytes(&[b'q'; 200]),
        hash(5, 8),
        hash(520, 4),
        set_of((0..20).map(|i| (i * 7).to_string().into_bytes())),
        set_of([b"x".to_vec(), b"y".to_vec()]),
        zset(10, 3),
        zset(150, 3),
        Value::List(List::from_items((0..300).map(|_| &e[..]))),
        stream_sample(),
    ]
}

/// Thousands of mutated DUMP payloads (with the CRC fixed up, so the value
/// loader sees them) restore or fail cleanly; what restores dumps again.
#[test]
fn fuzzed_dump_payloads_restore_or_fail_cleanly() {
    let mut rng = Rng(fuzz_seed(0x9E37_79B9_7F4A_7C15));
    let deep = LoadOptions {
        deep: true,
        ..opts()
    };
    let mut loaded = 0;
    for v in sample_values() {
        for compress in [true, false] {
            let clean = dump::dump(&v, compress, Encodings::default());
            let body_len = clean.len() - 10;
            for _ in 0..fuzz_rounds(700) {
                let mut body = clean[..body_len].to_vec();
                for _ in 0..1 + rng.below(3) {
                    mutate(&mut rng, &mut body);
                }
                let Some((&t, rest)) = body.split_first() else {
                    continue;
                };
                let p = payload(t, rest);
                for o in [&opts(), &deep] {
                    if let Ok(back) = dump::parse(&p, o) {
                        loaded += 1;
                        exercise_stream(&back);
                        let again = dump::dump(&back, compress, Encodings::default());
                        assert!(dump::parse(&again, o).is_ok());
                    }
                }
            }
        }
    }
    assert!(loaded > 0);
}

/// Mutated files load or fail cleanly (checksum not verified, so the damage
/// reaches the loader).
#[test]
fn fuzzed_files_load_or_fail_cleanly() {
    let mut store = Store::new(2);
    for (i, v) in sample_values().into_iter().enumerate() {
        let k = format!("key:{i}");
        let at = store.db(i % 2).set(k.as_bytes(), v, false);
        store.db(i % 2).set_expire(at, 4_102_444_800_000 + i as u64);
    }
    let file = save_to_vec(store.dbs(), &[b"#!lua name=x\n"], &SaveOptions::default());
    let fo = FileOptions {
        verify_checksum: false,
        ..FileOptions::default()
    };
    assert!(load(&file, &fo).is_ok());
    let mut rng = Rng(fuzz_seed(12345));
    for _ in 0..fuzz_rounds(3000) {
        let mut f = file.clone();
        for _ in 0..1 + rng.below(4) {
            mutate(&mut rng, &mut f);
        }
        if let Err(e) = load(&f, &fo) {
            assert!(e.offset <= f.len(), "{e}");
        }
    }
}

#[test]
fn readers_never_read_past_a_value() {
    // every prefix of a payload's value fails with an offset inside it
    for v in sample_values() {
        let mut out = vec![rdb_type(&v)];
        ValueWriter::new(true, Encodings::default()).put_value(&mut out, &v);
        for cut in 1..out.len() {
            let mut r = Reader::new(&out[1..cut]);
            let e = load_value(&mut r, out[0], &opts()).expect_err("truncated");
            assert!(e.offset <= cut, "{e}");
        }
    }
}
