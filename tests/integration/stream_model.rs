//! Randomized stream tests: entries against a plain ordered map, a consumer
//! group's pending list against a model of it, and (when redis-server is
//! installed) random command sequences replayed on both servers.
use super::support::{start_reference, start_server, Conn, Rand};
use std::collections::BTreeMap;

/// The elements of a flat RESP reply: bulk strings and integers as text,
/// nil as "nil", nested arrays flattened (array headers as "[n").
fn tokens(reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(reply);
    let mut out = Vec::new();
    let mut lines = text.split("\r\n");
    while let Some(l) = lines.next() {
        match l.as_bytes().first() {
            Some(b'$') if l == "$-1" => out.push("nil".into()),
            Some(b'$') => out.push(lines.next().unwrap_or_default().to_string()),
            Some(b'*') => out.push(format!("[{}", &l[1..])),
            Some(b':') => out.push(l[1..].to_string()),
            Some(_) => out.push(l.to_string()),
            None => {}
        }
    }
    out
}

fn cmd(c: &mut Conn, args: &[String]) -> Vec<u8> {
    let args: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    c.cmd(&args)
}

fn words(line: &str) -> Vec<String> {
    line.split_whitespace().map(str::to_string).collect()
}

type Model = BTreeMap<(u64, u64), Vec<String>>;

/// XRANGE of the model, as reply tokens.
fn model_range(m: &Model, lo: (u64, u64), hi: (u64, u64), rev: bool) -> Vec<String> {
    let mut items: Vec<_> = if lo <= hi {
        m.range(lo..=hi).collect()
    } else {
        Vec::new()
    };
    if rev {
        items.reverse();
    }
    let mut out = vec![format!("[{}", items.len())];
    for ((ms, seq), fields) in items {
        out.push("[2".into());
        out.push(format!("{ms}-{seq}"));
        out.push(format!("[{}", fields.len()));
        out.extend(fields.iter().cloned());
    }
    out
}

#[test]
fn random_entries_match_an_ordered_map() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut r = Rand(0x5eed_1234_abcd_0001);
    let mut m: Model = BTreeMap::new();
    let mut last = (0u64, 0u64);
    for round in 0..4000 {
        match r.below(100) {
            0..=44 => {
                let ms = last.0 + r.below(3);
                let seq = if ms == last.0 {
                    last.1 + 1 + r.below(2)
                } else {
                    r.below(3)
                };
                let n = 1 + r.below(3);
                let mut fields = Vec::new();
                for k in 0..n {
                    let f = if r.chance(85) {
                        format!("f{k}")
                    } else {
                        format!("x{}", r.below(5))
                    };
                    fields.push(f);
                    fields.push(format!("{}", r.below(300)));
                }
                let mut line = vec!["XADD".to_string(), "s".into(), format!("{ms}-{seq}")];
                line.extend(fields.iter().cloned());
                assert_eq!(tokens(&cmd(&mut c, &line)), vec![format!("{ms}-{seq}")]);
                m.insert((ms, seq), fields);
                last = (ms, seq);
            }
            45..=64 => {
                let ids: Vec<(u64, u64)> = (0..1 + r.below(3))
                    .map(|_| (r.below(last.0 + 2), r.below(4)))
                    .collect();
                let mut line = words("XDEL s");
                line.extend(ids.iter().map(|(a, b)| format!("{a}-{b}")));
                let mut n = 0;
                for id in &ids {
                    n += usize::from(m.remove(id).is_some());
                }
                assert_eq!(
                    tokens(&cmd(&mut c, &line)),
                    vec![n.to_string()],
                    "round {round}"
                );
            }
            65..=69 => {
                let keep = r.below(m.len() as u64 + 3) as usize;
                let removed = m.len().saturating_sub(keep);
                let first: Vec<_> = m.keys().take(removed).copied().collect();
                for k in first {
                    m.remove(&k);
                }
                let reply = cmd(&mut c, &words(&format!("XTRIM s MAXLEN = {keep}")));
                assert_eq!(tokens(&reply), vec![removed.to_string()]);
            }
            70..=73 => {
                let min = (r.below(last.0 + 2), r.below(3));
                let gone: Vec<_> = m.range(..min).map(|(k, _)| *k).collect();
                for k in &gone {
                    m.remove(k);
                }
                let reply = cmd(
                    &mut c,
                    &words(&format!("XTRIM s MINID {}-{}", min.0, min.1)),
                );
                assert_eq!(tokens(&reply), vec![gone.len().to_string()]);
            }
            74..=75 => {
                let n = [1, 2, 3, 5, 100][r.below(5) as usize];
                c.q(&format!("CONFIG SET stream-node-max-entries {n}"));
            }
            _ => {
                let lo = (r.below(last.0 + 2), r.below(4));
                let hi = (r.below(last.0 + 2), r.below(4));
                let rev = r.chance(50);
                let line = if rev {
                    format!("XREVRANGE s {}-{} {}-{}", hi.0, hi.1, lo.0, lo.1)
                } else {
                    format!("XRANGE s {}-{} {}-{}", lo.0, lo.1, hi.0, hi.1)
                };
                let got = tokens(&cmd(&mut c, &words(&line)));
                assert_eq!(got, model_range(&m, lo, hi, rev), "{line}");
            }
        }
        if round % 500 == 0 {
            let all = tokens(&cmd(&mut c, &words("XRANGE s - +")));
            assert_eq!(all, model_range(&m, (0, 0), (u64::MAX, u64::MAX), false));
            assert_eq!(c.q("XLEN s"), format!(":{}\r\n", m.len()));
        }
    }
}

/// Who holds each pending entry and how often it was delivered.
type Pel = BTreeMap<u64, (String, u64)>;

fn pending(c: &mut Conn) -> Pel {
    let t = tokens(&c.cmd(&[b"XPENDING", b"s", b"g", b"-", b"+", b"100000"]));
    let mut pel = BTreeMap::new();
    // [n, then per row: [4, id, consumer, idle, count
    for row in t[1..].chunks(5) {
        let ms: u64 = row[1].split('-').next().unwrap_or("0").parse().unwrap_or(0);
        pel.insert(ms, (row[2].clone(), row[4].parse().unwrap_or(0)));
    }
    pel
}

#[test]
fn random_group_operations_match_a_model_of_the_pending_list() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut r = Rand(0x0dd_ba11_cafe_f00d);
    let consumers = ["alice", "bob", "carol"];
    let mut pel: Pel = BTreeMap::new();
    let mut live: BTreeMap<u64, ()> = BTreeMap::new();
    let mut next_id = 1u64;
    let mut group_last = 0u64;
    c.q("XGROUP CREATE s g $ MKSTREAM");
    for round in 0..3000 {
        let who = consumers[r.below(3) as usize].to_string();
        match r.below(100) {
            0..=24 => {
                for _ in 0..1 + r.below(3) {
                    c.q(&format!("XADD s {next_id}-0 f v"));
                    live.insert(next_id, ());
                    next_id += 1;
                }
            }
            25..=44 => {
                let count = 1 + r.below(3);
                let noack = r.chance(10);
                let line = format!(
                    "XREADGROUP GROUP g {who} COUNT {count}{} STREAMS s >",
                    if noack { " NOACK" } else { "" }
                );
                let got = tokens(&cmd(&mut c, &words(&line)));
                let want: Vec<u64> = live
                    .range(group_last + 1..)
                    .take(count as usize)
                    .map(|(k, _)| *k)
                    .collect();
                let ids: Vec<u64> = got
                    .iter()
                    .filter_map(|t| t.strip_suffix("-0").and_then(|n| n.parse().ok()))
                    .collect();
                assert_eq!(ids, want, "round {round}: {line}");
                for id in want {
                    group_last = id;
                    if !noack {
                        pel.insert(id, (who.clone(), 1));
                    }
                }
            }
            45..=59 => {
                let ids: Vec<u64> = (0..1 + r.below(3)).map(|_| 1 + r.below(next_id)).collect();
                let mut line = words("XACK s g");
                line.extend(ids.iter().map(|i| format!("{i}-0")));
                let acked = ids.iter().filter(|i| pel.remove(i).is_some()).count();
                assert_eq!(tokens(&cmd(&mut c, &line)), vec![acked.to_string()]);
            }
            60..=69 => {
                let id = 1 + r.below(next_id);
                let justid = r.chance(50);
                let line = format!(
                    "XCLAIM s g {who} 0 {id}-0{}",
                    if justid { " JUSTID" } else { "" }
                );
                let got = tokens(&cmd(&mut c, &words(&line)));
                match (live.contains_key(&id), pel.get_mut(&id)) {
                    (true, Some(slot)) => {
                        slot.0 = who.clone();
                        slot.1 += u64::from(!justid);
                        assert_eq!(got[0], "[1", "{line}");
                    }
                    (false, Some(_)) => {
                        pel.remove(&id);
                        assert_eq!(got, vec!["[0"], "{line}");
                    }
                    _ => assert_eq!(got, vec!["[0"], "{line}"),
                }
            }
            70..=77 => {
                let start = 1 + r.below(next_id);
                let count = 1 + r.below(4) as usize;
                let line = format!("XAUTOCLAIM s g {who} 0 {start}-0 COUNT {count} JUSTID");
                cmd(&mut c, &words(&line));
                let mut budget = count;
                let ids: Vec<u64> = pel.range(start..).map(|(k, _)| *k).collect();
                for id in ids {
                    if budget == 0 {
                        break;
                    }
                    budget -= 1;
                    if live.contains_key(&id) {
                        if let Some(slot) = pel.get_mut(&id) {
                            slot.0 = who.clone();
                        }
                    } else {
                        pel.remove(&id);
                    }
                }
            }
            78..=85 => {
                let id = 1 + r.below(next_id);
                c.q(&format!("XDEL s {id}-0"));
                live.remove(&id);
            }
            86..=89 => {
                let line = format!("XGROUP DELCONSUMER s g {who}");
                let had = pel.values().filter(|(c, _)| *c == who).count();
                pel.retain(|_, (c, _)| *c != who);
                let got = tokens(&cmd(&mut c, &words(&line)));
                let n: usize = got[0].parse().unwrap_or(usize::MAX);
                assert_eq!(n, had, "{line}");
            }
            _ => {
                // Replaying history counts a delivery of each live entry.
                let line = format!("XREADGROUP GROUP g {who} STREAMS s 0");
                cmd(&mut c, &words(&line));
                for (id, slot) in pel.iter_mut() {
                    if slot.0 == who && live.contains_key(id) {
                        slot.1 += 1;
                    }
                }
            }
        }
        assert_eq!(pending(&mut c), pel, "round {round}");
    }
}

/// Where redis-server is installed: random stream commands on both servers
/// give the same bytes (commands whose replies carry times are left out).
#[test]
fn random_commands_match_a_live_redis() {
    let Some(reference) = start_reference() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let srv = start_server();
    let (mut ours, mut theirs) = (srv.connect(), reference.connect());
    let mut r = Rand(0x1234_5678_9abc_def1);
    let mut ms = 1u64;
    let groups = ["g1", "g2"];
    let consumers = ["c1", "c2", ""];
    let id = |r: &mut Rand, ms: u64| match r.below(10) {
        0 => "-".to_string(),
        1 => "+".to_string(),
        2..=4 => format!("{}", r.below(ms + 2)),
        _ => format!("{}-{}", r.below(ms + 2), r.below(3)),
    };
    for round in 0..3000 {
        let g = groups[r.below(2) as usize];
        let c = consumers[r.below(3) as usize];
        let line: Vec<String> = match r.below(100) {
            0..=29 => {
                ms += [0, 1, 1, 2, 300][r.below(5) as usize];
                let mut l = words("XADD s");
                match r.below(8) {
                    0 => l.extend(words(&format!("MAXLEN ~ {}", r.below(30)))),
                    1 => l.extend(words(&format!("MAXLEN {}", r.below(30)))),
                    2 => l.extend(["MINID".to_string(), id(&mut r, ms)]),
                    _ => {}
                }
                l.push(if r.chance(70) {
                    format!("{ms}-{}", r.below(3))
                } else {
                    format!("{ms}-*")
                });
                for k in 0..1 + r.below(2) {
                    let f = if r.chance(90) {
                        format!("f{k}")
                    } else {
                        "z".into()
                    };
                    l.extend([f, format!("{}", r.below(1000))]);
                }
                l
            }
            30..=37 => {
                let mut l = words("XDEL s");
                l.extend((0..1 + r.below(3)).map(|_| id(&mut r, ms)));
                l
            }
            38..=41 => words(&format!(
                "XTRIM s {} {}",
                ["MAXLEN", "MAXLEN ~", "MINID", "MINID ~"][r.below(4) as usize],
                r.below(20)
            )),
            42..=49 => {
                let (a, b) = (id(&mut r, ms), id(&mut r, ms));
                let op = if r.chance(50) { "XRANGE" } else { "XREVRANGE" };
                words(&format!("{op} s {a} {b} COUNT {}", r.below(6)))
            }
            50..=53 => words(&format!(
                "XREAD COUNT {} STREAMS s {}",
                r.below(4),
                id(&mut r, ms)
            )),
            54..=59 => match r.below(4) {
                0 => words(&format!("XGROUP CREATE s {g} {}", id(&mut r, ms))),
                1 => words(&format!("XGROUP SETID s {g} {}", id(&mut r, ms))),
                2 => words(&format!("XGROUP DESTROY s {g}")),
                _ => vec![
                    "XGROUP".into(),
                    "CREATECONSUMER".into(),
                    "s".into(),
                    g.into(),
                    c.into(),
                ],
            },
            60..=74 => {
                let from = if r.chance(75) {
                    ">".to_string()
                } else {
                    id(&mut r, ms)
                };
                let mut l = words(&format!("XREADGROUP GROUP {g}"));
                l.push(c.into());
                l.extend(words(&format!("COUNT {} STREAMS s {from}", r.below(4))));
                l
            }
            75..=79 => words(&format!("XACK s {g} {} {}", id(&mut r, ms), id(&mut r, ms))),
            80..=83 => words(&format!("XPENDING s {g}")),
            84..=88 => {
                let mut l = words(&format!("XCLAIM s {g}"));
                l.push(c.into());
                l.extend(words(&format!(
                    "0 {} {} JUSTID",
                    id(&mut r, ms),
                    id(&mut r, ms)
                )));
                l
            }
            89..=92 => {
                let mut l = words(&format!("XAUTOCLAIM s {g}"));
                l.push(c.into());
                l.extend(words(&format!(
                    "0 {} COUNT {}",
                    id(&mut r, ms),
                    1 + r.below(4)
                )));
                l
            }
            93..=96 => words(if r.chance(50) {
                "XINFO STREAM s"
            } else {
                "XINFO GROUPS s"
            }),
            _ => words(&format!(
                "CONFIG SET stream-node-max-entries {}",
                [1, 2, 3, 100][r.below(4) as usize]
            )),
        };
        let (a, b) = (cmd(&mut ours, &line), cmd(&mut theirs, &line));
        assert_eq!(
            String::from_utf8_lossy(&a),
            String::from_utf8_lossy(&b),
            "round {round}: {line:?}"
        );
    }
}
