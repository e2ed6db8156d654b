//! Geo commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered (recorded below), the events it fired, and,
//! when redis-server is installed, random searches run on both servers.
use super::support::{event_listener, expect_events, start_server, Conn, Rand};
use super::transcript::run_transcript;

const TRANSCRIPT: &str = include_str!("../transcripts/geo.txt");

#[test]
fn replies_match_redis() {
    run_transcript(TRANSCRIPT, "geo_replies_match_redis");
}

#[test]
fn odd_scores_decode_as_in_redis() {
    run_transcript(TRANSCRIPT, "geo_odd_scores");
}

#[test]
fn events_as_redis_fires_them() {
    let srv = start_server();
    let (mut c, mut s) = event_listener(&srv);
    for line in [
        "GEOADD g 1 1 a 2 2 b",
        "GEOADD g 1 1 a",
        "GEOADD g CH 1.5 1 a",
        "GEORADIUS g 1 1 500 km STORE d",
        "GEORADIUS g 1 1 500 km STOREDIST d",
        "GEOSEARCHSTORE d g FROMLONLAT 1 1 BYRADIUS 500 km",
        "GEOSEARCHSTORE d g FROMLONLAT 50 50 BYRADIUS 1 km",
        "GEORADIUS nokey 1 1 1 km STORE g",
        "SET marker x",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15.
    expect_events(
        &mut s,
        &[
            ("zadd", "g"),
            ("zadd", "g"),
            ("georadiusstore", "d"),
            ("georadiusstore", "d"),
            ("geosearchstore", "d"),
            ("del", "d"),
            ("del", "g"),
            ("set", "marker"),
        ],
    );
}

fn both(a: &mut Conn, b: &mut Conn, args: &[String]) {
    let args: Vec<&[u8]> = args.iter().map(|s| s.as_bytes()).collect();
    let (ra, rb) = (a.cmd(&args), b.cmd(&args));
    assert_eq!(
        String::from_utf8_lossy(&ra),
        String::from_utf8_lossy(&rb),
        "{:?}",
        args.iter()
            .map(|a| String::from_utf8_lossy(a))
            .collect::<Vec<_>>()
    );
}

/// Where redis-server is installed: random sets (with repeated positions, so
/// distances tie) and random searches of every kind, compared byte for byte.
#[test]
fn random_searches_match_a_live_redis() {
    let Some(reference) = super::support::start_reference() else {
        eprintln!("redis-server not installed: skipped");
        return;
    };
    let srv = start_server();
    let (mut ours, mut theirs) = (srv.connect(), reference.connect());
    let mut r = Rand(0x2545_f491_4f6c_dd1d);
    let s = |v: &[&dyn ToString]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    for _ in 0..150 {
        both(&mut ours, &mut theirs, &s(&[&"DEL", &"g", &"d"]));
        let (clon, clat) = (r.range(-180.0, 180.0), r.range(-85.0, 85.0));
        let spread = [0.01, 0.5, 5.0, 40.0, 180.0][(r.next() % 5) as usize];
        let n = r.next() % 200;
        let mut add = s(&[&"GEOADD", &"g"]);
        let mut last = (clon, clat);
        for j in 0..n {
            if j == 0 || !r.next().is_multiple_of(10) {
                last = (
                    (clon + r.range(-spread, spread)).clamp(-180.0, 180.0),
                    (clat + r.range(-spread, spread)).clamp(-85.05, 85.05),
                );
            }
            add.extend(s(&[&last.0, &last.1, &format!("m{j}")]));
        }
        if n > 0 {
            both(&mut ours, &mut theirs, &add);
        }
        let (unit, per_m) =
            [("m", 1.0), ("km", 1000.0), ("mi", 1609.34), ("ft", 0.3048)][(r.next() % 4) as usize];
        let dist =
            [0.0, 1.0, 100.0, 1e4, 1e5, 1e6, 5e6, 2e7][(r.next() % 8) as usize] / per_m * r.unit();
        let mut opts: Vec<String> = Vec::new();
        for o in ["WITHDIST", "WITHHASH", "WITHCOORD"] {
            if r.next().is_multiple_of(2) {
                opts.push(o.into());
            }
        }
        match r.next() % 3 {
            0 => opts.push("ASC".into()),
            1 => opts.push("DESC".into()),
            _ => {}
        }
        if r.next().is_multiple_of(2) {
            opts.extend(s(&[&"COUNT", &(1 + r.next() % 50)]));
            if r.next().is_multiple_of(3) {
                opts.push("ANY".into());
            }
        }
        let member = format!("m{}", r.next() % n.max(1));
        let mut q = match r.next() % 4 {
            0 => s(&[&"GEORADIUS", &"g", &clon, &clat, &dist, &unit]),
            1 => s(&[&"GEORADIUSBYMEMBER", &"g", &member, &dist, &unit]),
            2 => {
                let h = dist * r.range(0.1, 3.0);
                s(&[
                    &"GEOSEARCH",
                    &"g",
                    &"FROMLONLAT",
                    &clon,
                    &clat,
                    &"BYBOX",
                    &dist,
                    &h,
                    &unit,
                ])
            }
            _ => s(&[
                &"GEOSEARCH",
                &"g",
                &"FROMMEMBER",
                &member,
                &"BYRADIUS",
                &dist,
                &unit,
            ]),
        };
        let plain = q.clone();
        q.extend(opts.iter().cloned());
        both(&mut ours, &mut theirs, &q);
        let mut store = if plain[0] == "GEOSEARCH" {
            let mut v = s(&[&"GEOSEARCHSTORE", &"d"]);
            v.extend(plain[1..].iter().cloned());
            v
        } else {
            let mut v = plain.clone();
            v.extend(s(&[&"STOREDIST", &"d"]));
            v
        };
        store.extend(opts.iter().filter(|o| !o.starts_with("WITH")).cloned());
        both(&mut ours, &mut theirs, &store);
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"ZRANGE", &"d", &0, &-1, &"WITHSCORES"]),
        );
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"GEOPOS", &"g", &member, &"nope"]),
        );
        both(&mut ours, &mut theirs, &s(&[&"GEOHASH", &"g", &member]));
        both(
            &mut ours,
            &mut theirs,
            &s(&[&"GEODIST", &"g", &member, &"m0", &unit]),
        );
    }
}
