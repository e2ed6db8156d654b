//! Publish -> subscriber delivery rate of two servers over loopback, for a ratio.
//!
//! `cargo run --release --example pubsub_rate -- PORT_A PORT_B [MESSAGES]`
//!
//! The workload of `benches/pubsub.rs`: one subscriber on channel `ch` read by its
//! own thread, one publisher sending 32-byte messages as pipelined PUBLISH
//! requests with 64 in flight; a run ends when the subscriber has the last byte.
//! Runs alternate A, B, A, B, A, B; the best run of each side is reported, as
//! messages per second, with the ratio B/A.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Instant;

const PAYLOAD: usize = 32;
const WINDOW: usize = 64;

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_nodelay(true).ok();
    s
}

/// Messages per second delivered from one publisher to one subscriber.
fn run(port: u16, n: usize) -> f64 {
    let mut sub = connect(port);
    sub.write_all(b"*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n")
        .expect("subscribe");
    let mut confirm = [0u8; 31];
    sub.read_exact(&mut confirm).expect("confirmation");
    let one_msg = format!("*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n${PAYLOAD}\r\n").len() + PAYLOAD + 2;
    let total = n * one_msg;
    let reader = std::thread::spawn(move || {
        let mut buf = vec![0u8; 1 << 16];
        let mut have = 0;
        while have < total {
            match sub.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(k) => have += k,
            }
        }
        (Instant::now(), have)
    });
    let mut p = connect(port);
    let mut one = format!("*3\r\n$7\r\nPUBLISH\r\n$2\r\nch\r\n${PAYLOAD}\r\n").into_bytes();
    one.extend_from_slice(&[b'm'; PAYLOAD]);
    one.extend_from_slice(b"\r\n");
    let batch: Vec<u8> = one.repeat(WINDOW);
    let mut replies = vec![0u8; WINDOW * 4];
    let start = Instant::now();
    let mut left = n;
    while left > 0 {
        let k = left.min(WINDOW);
        p.write_all(&batch[..k * one.len()]).expect("publish");
        p.read_exact(&mut replies[..k * 4]).expect("replies");
        left -= k;
    }
    let (end, have) = reader.join().expect("reader");
    assert_eq!(have, total, "subscriber got {have} of {total} bytes");
    n as f64 / end.duration_since(start).as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = |i: usize| -> u16 {
        args.get(i).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            eprintln!("usage: pubsub_rate PORT_A PORT_B [MESSAGES]");
            std::process::exit(2)
        })
    };
    let (a, b) = (port(0), port(1));
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(500_000);
    let (mut best_a, mut best_b) = (0f64, 0f64);
    for _ in 0..3 {
        best_a = best_a.max(run(a, n));
        best_b = best_b.max(run(b, n));
    }
    println!("A {a}: {best_a:.0} msg/s");
    println!("B {b}: {best_b:.0} msg/s");
    println!("B/A = {:.3}", best_b / best_a);
}
