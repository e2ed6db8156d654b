//! Criterion bench: publish -> subscriber delivery, in process. A server runs on a
//! loopback port inside the bench; one client subscribes to a channel and a thread
//! reads its socket; another client publishes pipelined PUBLISH requests (64 in
//! flight). Each measured run publishes `iters` messages and ends when the
//! subscriber has received the last byte of the last one, so the figure criterion
//! reports (elements/s) is messages delivered per second.
//!
//! Run with `cargo bench --bench pubsub`. For a ratio against redis-server over
//! the same loopback workload, see `examples/pubsub_rate.rs`.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ferrous::server::config::Config;
use ferrous::server::log::Logger;
use ferrous::server::Server;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::{Duration, Instant};

const PAYLOAD: usize = 32;
const WINDOW: usize = 64;

/// The bytes a subscriber receives for one message on channel `ch`.
fn message_len() -> usize {
    format!("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n${PAYLOAD}\r\n").len() + PAYLOAD + 2
}

/// Subscribes on `port` and starts a reader thread; each request sent on the
/// returned channel (a byte count) is answered once that many bytes have arrived.
fn subscriber(port: u16) -> (Sender<usize>, Receiver<()>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).ok();
    s.write_all(b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n")
        .expect("subscribe");
    let mut confirm = [0u8; 31];
    s.read_exact(&mut confirm).expect("confirmation");
    assert_eq!(&confirm[..], b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n");
    let (want_tx, want_rx) = channel::<usize>();
    let (done_tx, done_rx) = channel();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut have = 0usize;
        while let Ok(want) = want_rx.recv() {
            while have < want {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => return,
                    Ok(n) => have += n,
                }
            }
            have -= want;
            if done_tx.send(()).is_err() {
                return;
            }
        }
    });
    (want_tx, done_rx)
}

/// Publishes `n` messages with at most `WINDOW` requests in flight.
fn publish(p: &mut TcpStream, n: usize) {
    let payload = vec![b'm'; PAYLOAD];
    let mut one = format!("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n${PAYLOAD}\r\n").into_bytes();
    one.extend_from_slice(&payload);
    one.extend_from_slice(b"\r\n");
    let mut batch = Vec::new();
    let mut replies = vec![0u8; WINDOW * 4];
    let mut left = n;
    while left > 0 {
        let k = left.min(WINDOW);
        batch.clear();
        for _ in 0..k {
            batch.extend_from_slice(&one);
        }
        p.write_all(&batch).expect("publish");
        // Each reply is `:1\r\n`.
        p.read_exact(&mut replies[..k * 4]).expect("replies");
        left -= k;
    }
}

fn pubsub(c: &mut Criterion) {
    let config = Config {
        port: 0,
        ..Config::default()
    };
    let server = Server::bind_with_logger(config, Logger::quiet()).expect("bind");
    let port = server.port();
    let handle = server.handle();
    std::thread::spawn(move || server.run());
    let (want, done) = subscriber(port);
    let mut p = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    p.set_nodelay(true).ok();
    let mut g = c.benchmark_group("pubsub");
    g.throughput(Throughput::Elements(1));
    g.measurement_time(Duration::from_secs(5));
    g.bench_function("publish to 1 subscriber, 32-byte messages", |b| {
        b.iter_custom(|iters| {
            let n = iters as usize;
            let start = Instant::now();
            want.send(n * message_len()).expect("reader");
            publish(&mut p, n);
            done.recv().expect("reader");
            start.elapsed()
        })
    });
    g.finish();
    handle.shutdown();
}

criterion_group!(benches, pubsub);
criterion_main!(benches);
