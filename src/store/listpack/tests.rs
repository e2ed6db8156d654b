//! Tests of the listpack type: Redis's encodings byte for byte, edits
//! against a model, validation of damaged buffers.
use super::*;

fn all(lp: &Listpack) -> Vec<Vec<u8>> {
    lp.iter().map(|e| e.to_vec()).collect()
}

#[test]
fn encodings_are_the_ones_redis_chooses() {
    // Bytes of entries as redis-server 7.0.15 writes them (taken from
    // DEBUG LISTPACK / DUMP payloads of small hashes).
    let cases: &[(&[u8], &[u8])] = &[
        (b"0", &[0x00, 0x01]),
        (b"127", &[0x7F, 0x01]),
        (b"128", &[0xC0, 0x80, 0x02]),
        (b"-1", &[0xDF, 0xFF, 0x02]),
        (b"4095", &[0xCF, 0xFF, 0x02]),
        (b"-4096", &[0xD0, 0x00, 0x02]),
        (b"4096", &[0xF1, 0x00, 0x10, 0x03]),
        (b"-32769", &[0xF2, 0xFF, 0x7F, 0xFF, 0x04]),
        (b"8388608", &[0xF3, 0x00, 0x00, 0x80, 0x00, 0x05]),
        (b"2147483648", &[0xF4, 0, 0, 0, 0x80, 0, 0, 0, 0, 0x09]),
        (b"-0", &[0x82, b'-', b'0', 0x03]),
        (b"01", &[0x82, b'0', b'1', 0x03]),
        (b"", &[0x80, 0x01]),
        (b"ab", &[0x82, b'a', b'b', 0x03]),
    ];
    for (s, want) in cases {
        let mut out = Vec::new();
        put_entry(&mut out, Entry::Str(s));
        assert_eq!(&out[..], *want, "{:?}", String::from_utf8_lossy(s));
        assert_eq!(entry_size(s), want.len());
    }
    // 12-bit and 32-bit string lengths, and multi-byte backlens
    let s = vec![b'x'; 200];
    let mut out = Vec::new();
    put_entry(&mut out, Entry::Str(&s));
    assert_eq!(&out[..2], &[0xE0, 200]);
    assert_eq!(&out[202..], &[0x01, 0x80 | (202 & 127) as u8]);
    let s = vec![b'y'; 5000];
    let mut out = Vec::new();
    put_entry(&mut out, Entry::Str(&s));
    assert_eq!(&out[..5], &[0xF0, 0x88, 0x13, 0, 0]);
    assert_eq!(out.len(), 5005 + 2);
}

#[test]
fn backlen_thresholds() {
    for (l, n) in [(127, 1), (128, 2), (16382, 2), (16383, 3), (2_097_150, 3)] {
        assert_eq!(backlen_size(l), n, "{l}");
        let mut out = vec![0u8; 3];
        put_backlen(&mut out, l);
        assert_eq!(out.len(), 3 + n);
        assert_eq!(read_backlen(&out, out.len() - 1), Some(l));
    }
}

#[test]
fn push_iterate_both_ways_and_index() {
    let mut lp = Listpack::new();
    let items: Vec<Vec<u8>> = (0..300)
        .map(|i| match i % 4 {
            0 => (i * 1000 - 70000).to_string().into_bytes(),
            1 => vec![b'a'; i],
            2 => format!("f{i}").into_bytes(),
            _ => (i64::MAX - i as i64).to_string().into_bytes(),
        })
        .collect();
    for it in &items {
        lp.push_back(it);
    }
    assert_eq!(lp.len(), 300);
    assert_eq!(all(&lp), items);
    let rev: Vec<Vec<u8>> = lp.iter().rev().map(|e| e.to_vec()).collect();
    let mut want = items.clone();
    want.reverse();
    assert_eq!(rev, want);
    assert_eq!(lp.get(0).unwrap().to_vec(), items[0]);
    assert_eq!(lp.get(-1).unwrap().to_vec(), items[299]);
    assert_eq!(lp.get(150).unwrap().to_vec(), items[150]);
    assert_eq!(lp.get(-300).unwrap().to_vec(), items[0]);
    assert!(lp.get(300).is_none() && lp.get(-301).is_none());
    // the bytes we build are accepted by the validating constructor
    let again = Listpack::from_bytes(lp.as_bytes().to_vec()).unwrap();
    assert_eq!(again, lp);
    // mixed front/back iteration meets in the middle
    let mut it = lp.iter();
    let mut n = 0;
    while it.next().is_some() {
        n += 1;
        if it.next_back().is_some() {
            n += 1;
        }
    }
    assert_eq!(n, 300);
}

#[test]
fn edits_keep_the_listpack_well_formed() {
    let mut lp = Listpack::from_items([&b"b"[..], b"d"]);
    lp.push_front(b"a");
    let d = lp.find(b"d", 0).unwrap();
    lp.insert(d, b"c", false).unwrap();
    let last = lp.last().unwrap();
    lp.insert(last, b"e", true).unwrap();
    assert_eq!(all(&lp), [b"a", b"b", b"c", b"d", b"e"].map(|s| s.to_vec()));
    let b = lp.find(b"b", 0).unwrap();
    assert!(lp.replace(b, &[b'B'; 100]));
    let c = lp.delete(lp.find(b"a", 0).unwrap()).unwrap();
    assert_eq!(lp.entry(c).unwrap().to_vec(), vec![b'B'; 100]);
    assert_eq!(lp.delete_range(1, 2), 2);
    assert_eq!(all(&lp), vec![vec![b'B'; 100], b"e".to_vec()]);
    assert_eq!(lp.delete_range(-1, 10), 1);
    assert_eq!(lp.len(), 1);
    Listpack::from_bytes(lp.as_bytes().to_vec()).unwrap();
    assert_eq!(lp.delete(lp.first().unwrap()), None);
    assert!(lp.is_empty());
    assert_eq!(lp.as_bytes(), Listpack::new().as_bytes());
}

#[test]
fn find_with_skip_looks_at_fields_only() {
    let lp = Listpack::from_items([&b"f1"[..], b"v", b"v", b"f2", b"10", b"x"]);
    assert_eq!(lp.find(b"v", 1), lp.seek(2)); // "v" at index 2 is a field
    assert!(lp.find(b"f2", 1).is_none()); // index 3 is a value
    let p = lp.find(b"10", 1).unwrap();
    assert_eq!(lp.entry(p), Some(Entry::Int(10)));
    assert_eq!(lp.entry(lp.next(p).unwrap()), Some(Entry::Str(b"x")));
}

#[test]
fn random_edits_match_a_vec_model() {
    let mut lp = Listpack::new();
    let mut model: Vec<Vec<u8>> = Vec::new();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut rand = |n: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % n.max(1) as u64) as usize
    };
    for step in 0..4000 {
        let v: Vec<u8> = match rand(5) {
            0 => (rand(200_000) as i64 - 100_000).to_string().into_bytes(),
            1 => vec![b'a' + rand(26) as u8; rand(70)],
            2 => vec![b'b'; 4000 + rand(200)],
            3 => i64::MIN.to_string().into_bytes(),
            _ => format!("v{step}").into_bytes(),
        };
        let i = rand(model.len() + 1);
        match rand(6) {
            0 => {
                lp.push_back(&v);
                model.push(v);
            }
            1 => {
                lp.push_front(&v);
                model.insert(0, v);
            }
            2 if !model.is_empty() && i < model.len() => {
                let p = lp.seek(i as i64).unwrap();
                let after = rand(2) == 0;
                let q = lp.insert(p, &v, after).unwrap();
                assert!(lp.entry(q).unwrap().eq_bytes(&v));
                model.insert(i + usize::from(after), v);
            }
            3 if i < model.len() => {
                let p = lp.seek(-(model.len() as i64) + i as i64).unwrap();
                assert!(lp.replace(p, &v));
                model[i] = v;
            }
            4 if i < model.len() => {
                lp.delete(lp.seek(i as i64).unwrap());
                model.remove(i);
            }
            _ if i < model.len() => {
                let n = rand(4);
                let gone = lp.delete_range(i as i64, n);
                let end = (i + n).min(model.len());
                assert_eq!(gone, end - i);
                model.drain(i..end);
            }
            _ => {}
        }
        assert_eq!(lp.len(), model.len());
        if step % 97 == 0 {
            assert_eq!(all(&lp), model);
            Listpack::from_bytes(lp.as_bytes().to_vec()).expect("still well-formed");
        }
    }
    assert_eq!(all(&lp), model);
    let back: Vec<Vec<u8>> = lp.iter().rev().map(|e| e.to_vec()).collect();
    assert_eq!(back, model.iter().rev().cloned().collect::<Vec<_>>());
}

#[test]
fn count_saturates_at_65535_and_is_then_walked() {
    let mut lp = Listpack::new();
    for i in 0..65540 {
        lp.push_back_int(i % 100);
    }
    assert_eq!(lp.header_count(), COUNT_UNKNOWN);
    assert_eq!(lp.len(), 65540);
    Listpack::from_bytes(lp.as_bytes().to_vec()).unwrap();
    lp.delete_range(0, 10);
    assert_eq!(lp.header_count(), COUNT_UNKNOWN);
    assert_eq!(lp.len(), 65530);
}

#[test]
fn validation_refuses_damaged_buffers() {
    let good = Listpack::from_items([&b"hello"[..], b"12", b"-5000"]).into_bytes();
    Listpack::from_bytes(good.clone()).unwrap();
    let mut bad = good.clone();
    bad[0] += 1; // size field
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good.clone();
    bad[4] = 2; // count
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good.clone();
    let n = bad.len();
    bad[n - 1] = 0; // terminator
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good.clone();
    bad[HEADER_SIZE] = 0x8F; // string length past the end
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good.clone();
    bad[HEADER_SIZE] = 0xF7; // no such encoding
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good.clone();
    bad[HEADER_SIZE + 6] = 9; // backlen of "hello"
    assert!(Listpack::from_bytes(bad).is_err());
    let mut bad = good;
    bad[4] = 0xFF; // unknown count is fine
    bad[5] = 0xFF;
    assert_eq!(Listpack::from_bytes(bad).unwrap().len(), 3);
    assert!(Listpack::from_bytes(vec![7, 0, 0, 0, 0, 0]).is_err());
}

#[test]
fn every_mutation_of_a_valid_buffer_is_refused_or_readable() {
    let good = Listpack::from_items([&b"abc"[..], b"1", b"-100000", &[b'z'; 70][..]]).into_bytes();
    for i in 0..good.len() {
        for v in [0u8, 1, 0x7F, 0x80, 0xC0, 0xE0, 0xF0, 0xF4, 0xFE, 0xFF] {
            let mut b = good.clone();
            b[i] = v;
            if let Ok(lp) = Listpack::from_bytes(b) {
                // reading it both ways never fails part-way
                let n = lp.len();
                assert_eq!(lp.iter().count(), n);
                assert_eq!(lp.iter().rev().count(), n);
            }
        }
    }
}

#[test]
fn entry_len_is_what_put_entry_writes() {
    let mut cases: Vec<Vec<u8>> = vec![b"".to_vec(), b"-0".to_vec(), b"007".to_vec()];
    for n in [
        0i64,
        127,
        128,
        -4096,
        4095,
        4096,
        -32769,
        8388608,
        i64::MIN,
        i64::MAX,
    ] {
        cases.push(n.to_string().into_bytes());
    }
    for len in [1, 63, 64, 4095, 4096, 20000] {
        cases.push(vec![b'z'; len]);
    }
    for c in &cases {
        let mut out = Vec::new();
        put_entry(&mut out, Entry::Str(c));
        assert_eq!(entry_len(Entry::Str(c)), out.len());
        if let Some(n) = string2ll(c) {
            let mut out2 = Vec::new();
            put_entry(&mut out2, Entry::Int(n));
            assert_eq!(entry_len(Entry::Int(n)), out2.len());
            assert_eq!(out, out2);
        }
    }
}
