//! Criterion benches for the wire layer: parsing requests (a pipeline of 16
//! multibulk SETs, inline PINGs, one large bulk) and writing replies (status,
//! integers, doubles, bulks, an array of 100 bulks).
//!
//! Run with `cargo bench --bench resp`.
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ferrous::resp::parse::RequestParser;
use ferrous::resp::Reply;

fn multibulk(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Parses every request in `buf`, returning how many there were.
fn parse_all(buf: &[u8]) -> usize {
    let mut p = RequestParser::default();
    let mut pos = 0;
    let mut n = 0;
    while let Ok(Some(req)) = p.next(buf, &mut pos) {
        black_box(&req);
        n += 1;
    }
    n
}

fn parsing(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    let mut pipeline = Vec::new();
    for i in 0..16 {
        pipeline.extend(multibulk(&[
            b"SET",
            format!("key:{i:012}").as_bytes(),
            b"xxx",
        ]));
    }
    g.throughput(Throughput::Elements(16));
    g.bench_function("multibulk_set_x16", |b| {
        b.iter(|| assert_eq!(parse_all(black_box(&pipeline)), 16))
    });
    let inline = b"PING\r\n".repeat(16);
    g.bench_function("inline_ping_x16", |b| {
        b.iter(|| assert_eq!(parse_all(black_box(&inline)), 16))
    });
    let quoted = b"SET \"key with spaces\" 'value\\'s' \"\\x41\\n\"\r\n".repeat(16);
    g.bench_function("inline_quoted_x16", |b| {
        b.iter(|| assert_eq!(parse_all(black_box(&quoted)), 16))
    });
    let big_value = vec![b'v'; 1 << 20];
    let big = multibulk(&[b"SET", b"k", &big_value]);
    g.throughput(Throughput::Bytes(big.len() as u64));
    g.bench_function("bulk_1mb", |b| {
        b.iter(|| assert_eq!(parse_all(black_box(&big)), 1))
    });
    g.finish();
}

fn writing(c: &mut Criterion) {
    let mut g = c.benchmark_group("reply");
    g.throughput(Throughput::Elements(16));
    let mut out = Reply::new();
    g.bench_function("ok_x16", |b| {
        b.iter(|| {
            out.buf.clear();
            for _ in 0..16 {
                out.ok();
            }
            black_box(out.buf.len())
        })
    });
    g.bench_function("integer_x16", |b| {
        b.iter(|| {
            out.buf.clear();
            for i in 0..16i64 {
                out.integer(black_box(i * 1_234_567));
            }
            black_box(out.buf.len())
        })
    });
    // Scores as ZSCORE/ZINCRBY reply them (`%.17g`): integral, short and long fractions.
    let doubles: [f64; 16] = [
        1.0,
        2.5,
        0.1,
        std::f64::consts::PI,
        1e-5,
        100.0,
        -7.25,
        1e21,
        42.0,
        0.3,
        1.0 / 3.0,
        -0.5,
        12345.678,
        2e-300,
        7.0,
        9007199254740993.0,
    ];
    g.bench_function("double_x16", |b| {
        b.iter(|| {
            out.buf.clear();
            for &d in &doubles {
                out.double(black_box(d));
            }
            black_box(out.buf.len())
        })
    });
    let value = vec![b'x'; 64];
    g.bench_function("bulk64_x16", |b| {
        b.iter(|| {
            out.buf.clear();
            for _ in 0..16 {
                out.bulk(black_box(&value));
            }
            black_box(out.buf.len())
        })
    });
    g.throughput(Throughput::Elements(100));
    g.bench_function("array_of_100_bulks", |b| {
        b.iter(|| {
            out.buf.clear();
            out.array(100);
            for _ in 0..100 {
                out.bulk(black_box(&value[..10]));
            }
            black_box(out.buf.len())
        })
    });
    g.finish();
}

criterion_group!(benches, parsing, writing);
criterion_main!(benches);
