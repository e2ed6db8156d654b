//! Criterion benches for the keyspace: the store operations behind GET, SET
//! (new key and overwrite), INCR, a full SCAN, the glob matcher, and INCRBYFLOAT's
//! long-double arithmetic, on a database of 100,000 keys.
//!
//! Run with `cargo bench --bench store`.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ferrous::num::F80;
use ferrous::store::{glob_match, Store, Value};

const KEYS: usize = 100_000;

fn key(i: usize) -> Vec<u8> {
    format!("key:{:012}", i).into_bytes()
}

fn filled() -> (Store, Vec<Vec<u8>>) {
    let mut s = Store::new(16);
    let keys: Vec<Vec<u8>> = (0..KEYS).map(key).collect();
    for k in &keys {
        s.db(0).set(k, Value::from_bytes_try_int(b"xxx"), false);
    }
    (s, keys)
}

fn store_ops(c: &mut Criterion) {
    let (mut s, keys) = filled();
    let mut i = 0usize;
    c.bench_function("get existing", |b| {
        b.iter(|| {
            i = (i + 7919) % KEYS;
            black_box(s.db(0).get(&keys[i]).is_some())
        })
    });
    c.bench_function("set overwrite", |b| {
        b.iter(|| {
            i = (i + 7919) % KEYS;
            s.db(0)
                .set(&keys[i], Value::from_bytes_try_int(b"yyy"), false)
        })
    });
    c.bench_function("incr", |b| {
        b.iter(|| {
            i = (i + 7919) % KEYS;
            let db = s.db(0);
            let idx = db
                .lookup(&keys[i])
                .unwrap_or_else(|| db.insert_new(&keys[i], Value::Int(0)));
            let e = db.entry_mut(idx);
            e.value = match e.value {
                Value::Int(n) => Value::Int(n.wrapping_add(1)),
                _ => Value::Int(1),
            };
        })
    });
    c.bench_function("set new then delete", |b| {
        let k = b"a-fresh-key".to_vec();
        b.iter(|| {
            s.db(0).set(&k, Value::Int(1), false);
            s.db(0).remove(&k)
        })
    });
    c.bench_function("full scan of 100k keys", |b| {
        b.iter(|| {
            let mut cursor = 0;
            let mut n = 0;
            loop {
                cursor = s.db(0).table.scan_step(cursor, |_| n += 1);
                if cursor == 0 {
                    break;
                }
            }
            black_box(n)
        })
    });
}

fn matcher(c: &mut Criterion) {
    c.bench_function("glob key:*12?4[0-9]", |b| {
        b.iter(|| {
            glob_match(
                black_box(b"key:*12?4[0-9]"),
                black_box(b"key:000000012345"),
                false,
            )
        })
    });
}

fn long_double(c: &mut Criterion) {
    let a = F80::parse(b"10.5").unwrap_or(F80::ZERO);
    let d = F80::parse(b"0.1").unwrap_or(F80::ZERO);
    c.bench_function("incrbyfloat 10.5 + 0.1 parse/add/format", |b| {
        b.iter(|| {
            let x = F80::parse(black_box(b"3010.60000000000000009")).unwrap_or(a);
            black_box(x.plus(d).to_human_string())
        })
    });
}

criterion_group!(benches, store_ops, matcher, long_double);
criterion_main!(benches);
