//! The command generator of the differential fuzzer (`differential.rs`): random
//! requests over the data-type commands, with arguments drawn from small pools
//! chosen to hit Redis's edge cases (numbers that C parses oddly, out-of-range
//! integers, empty and binary strings, option keywords in and out of place), and
//! now and then a request with an argument too few or too many.
//!
//! Invariants: a generated request never makes either server allocate much
//! (offsets, counts and lengths stay small except values that are refused
//! before any work), never blocks for more than a few milliseconds (blocking
//! commands get tiny timeouts), and touches only databases 0 and 1. The same
//! seed gives the same requests.

/// A small deterministic random generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    pub fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }
}

/// Keys: few, so that commands of every family meet on them (WRONGTYPE).
const KEYS: &[&str] = &["a", "b", "c", "d", "e", "{x}1", "{x}2"];
/// String values and number-like arguments.
const VALUES: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "10",
    "100",
    "007",
    "+1",
    "-0",
    " 1",
    "1 ",
    "1.5",
    "-2.5",
    "0.1",
    "1e3",
    "1e400",
    "-1e400",
    "1e-400",
    "inf",
    "-inf",
    "+inf",
    "nan",
    "0x10",
    "abc",
    "",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551615",
    "3.0",
    "hello",
    "\x00bin\u{7f}",
    "a b",
    "5.0e2",
    ".5",
    "5.",
];
/// Members and fields.
const MEMBERS: &[&str] = &["a", "b", "c", "d", "1", "2", "3", "-1", "1.5", "x y", ""];
/// Counts, indexes, ranks and offsets.
const INTS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "-1",
    "-2",
    "-100",
    "100",
    "5",
    "x",
    "1.5",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    " 1",
    "",
    "+2",
    "01",
];
/// Scores and score-range ends.
const SCORES: &[&str] = &[
    "0", "1", "2", "1.5", "-1", "-inf", "+inf", "inf", "(1", "(2", "[a", "(a", "-", "+", "nan",
    "abc", "1e400", "0x10", "1e-320", "-0", "(inf", "(-inf", "10",
];
/// Scores stored by ZADD/ZINCRBY: as [`SCORES`] without a subnormal one. A
/// listpack sorted set holding a subnormal score makes redis-server 7.0.15's
/// numeric SORT of it fail ("One or more scores can't be converted into
/// double"): converting it to a skiplist re-reads the score with strtod, which
/// leaves ERANGE in `errno`, and SORT tests `errno` without clearing it. A
/// Redis bug Ferrous does not copy (listed in its README).
const ZSCORES: &[&str] = &[
    "0", "1", "2", "1.5", "-1", "-inf", "+inf", "inf", "nan", "abc", "1e400", "0x10", "-0", "10",
    "(1", "1e-400",
];
/// Lex-range ends.
const LEX: &[&str] = &["-", "+", "[a", "(a", "[c", "(d", "a", "[", "(", "+x"];
/// Blocking timeouts: tiny, or refused before blocking.
const TIMEOUTS: &[&str] = &["0.001", "0.002", "-1", "x", "1e400", "0x0.01", "nan"];
/// Expiry amounts: in the past (the key goes at once), far ahead (it stays for
/// the whole run, in seconds or milliseconds), or refused.
const EXPIRES: &[&str] = &[
    "-1",
    "0",
    "1000000",
    "100000",
    "x",
    "9223372036854775807",
    "-9223372036854775808",
    "1.5",
    "",
];
/// Bit offsets: small, or refused before any allocation.
const BITOFFS: &[&str] = &["0", "1", "7", "8", "100", "-1", "4294967296", "x"];
/// Byte offsets of SETRANGE/GETRANGE: small, or refused (512 MB and more).
const OFFSETS: &[&str] = &["0", "1", "3", "10", "-1", "-100", "536870912", "x"];

fn key(r: &mut Rng) -> String {
    if r.chance(3) {
        "nokey".into()
    } else {
        r.pick(KEYS).into()
    }
}

/// One random request.
pub fn command(r: &mut Rng) -> Vec<Vec<u8>> {
    let mut a: Vec<String> = Vec::new();
    macro_rules! push {
        ($($e:expr),* $(,)?) => {{ $( a.push(($e).to_string()); )* }};
    }
    let k = key(r);
    match r.below(118) {
        // strings
        0 => push!("SET", k, r.pick(VALUES)),
        1 => {
            push!("SET", k, r.pick(VALUES));
            for _ in 0..r.below(3) {
                match r.below(9) {
                    0 => push!("NX"),
                    1 => push!("XX"),
                    2 => push!("GET"),
                    3 => push!("KEEPTTL"),
                    4 => push!("EX", r.pick(EXPIRES)),
                    5 => push!("PX", r.pick(EXPIRES)),
                    6 => push!("EXAT", r.pick(EXPIRES)),
                    7 => push!("PXAT", r.pick(EXPIRES)),
                    _ => push!(r.pick(VALUES)),
                }
            }
        }
        2 => push!("GET", k),
        3 => push!("GETSET", k, r.pick(VALUES)),
        4 => push!("GETDEL", k),
        5 => {
            push!("GETEX", k);
            match r.below(5) {
                0 => push!("PERSIST"),
                1 => push!("EX", r.pick(EXPIRES)),
                2 => push!("PXAT", r.pick(EXPIRES)),
                3 => push!(r.pick(VALUES)),
                _ => {}
            }
        }
        6 => push!("APPEND", k, r.pick(VALUES)),
        7 => push!("STRLEN", k),
        8 => push!("GETRANGE", k, r.pick(OFFSETS), r.pick(OFFSETS)),
        9 => push!("SETRANGE", k, r.pick(OFFSETS), r.pick(VALUES)),
        10 => push!("INCR", k),
        11 => push!("DECR", k),
        12 => push!("INCRBY", k, r.pick(INTS)),
        13 => push!("DECRBY", k, r.pick(INTS)),
        14 => push!("INCRBYFLOAT", k, r.pick(VALUES)),
        15 => push!("SETNX", k, r.pick(VALUES)),
        16 => push!("SETEX", k, r.pick(EXPIRES), r.pick(VALUES)),
        17 => push!("PSETEX", k, r.pick(EXPIRES), r.pick(VALUES)),
        18 => push!("MSET", k, r.pick(VALUES), key(r), r.pick(VALUES)),
        19 => push!("MSETNX", k, r.pick(VALUES), key(r), r.pick(VALUES)),
        20 => push!("MGET", k, key(r), key(r)),
        21 => push!("SETBIT", k, r.pick(BITOFFS), r.pick(&["0", "1", "2", "x"])),
        22 => push!("GETBIT", k, r.pick(BITOFFS)),
        23 => {
            push!("BITCOUNT", k);
            if r.chance(60) {
                push!(r.pick(INTS), r.pick(INTS));
                if r.chance(40) {
                    push!(r.pick(&["BIT", "BYTE", "bit", "x"]));
                }
            }
        }
        24 => {
            push!("BITPOS", k, r.pick(&["0", "1", "2"]));
            for _ in 0..r.below(3) {
                push!(r.pick(INTS));
            }
        }
        25 => push!(
            "BITOP",
            r.pick(&["AND", "OR", "XOR", "NOT", "bad"]),
            k,
            key(r),
            key(r)
        ),
        26 => {
            push!("LCS", k, key(r));
            match r.below(4) {
                0 => push!("LEN"),
                1 => push!("IDX"),
                2 => push!("IDX", "MINMATCHLEN", r.pick(INTS), "WITHMATCHLEN"),
                _ => {}
            }
        }
        27 => push!("SUBSTR", k, r.pick(OFFSETS), r.pick(OFFSETS)),
        // keys and expiry
        28 => push!("DEL", k, key(r)),
        29 => push!("EXISTS", k, key(r), k.clone()),
        30 => push!("TYPE", k),
        31 => push!("RENAME", k, key(r)),
        32 => push!("RENAMENX", k, key(r)),
        33 => push!(
            r.pick(&["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"]),
            k,
            r.pick(EXPIRES)
        ),
        34 => push!(
            r.pick(&["EXPIRE", "PEXPIRE"]),
            k,
            r.pick(EXPIRES),
            r.pick(&["NX", "XX", "GT", "LT", "xx", "bad"])
        ),
        35 => push!(r.pick(&["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k),
        36 => push!("PERSIST", k),
        37 => push!("OBJECT", "ENCODING", k),
        38 => push!("COPY", k, key(r)),
        39 => push!(
            "COPY",
            k,
            key(r),
            "DB",
            r.pick(&["0", "1", "x", "16"]),
            "REPLACE"
        ),
        40 => push!("MOVE", k, r.pick(&["0", "1", "x", "-1"])),
        41 => push!("TOUCH", k, key(r)),
        42 => push!("UNLINK", k),
        43 => push!("DBSIZE"),
        44 => push!("KEYS", r.pick(&["*", "a*", "?", "[a-c]", "{x}*", "*\\"])),
        45 => push!("SCAN", r.pick(&["0", "-1", "x", ""]), "COUNT", "1000"),
        46 => push!(
            "SCAN",
            "0",
            "COUNT",
            "1000",
            "TYPE",
            r.pick(&["string", "list", "hash", "zset", "set", "x"])
        ),
        47 => push!(
            "SCAN",
            "0",
            "COUNT",
            "1000",
            "MATCH",
            r.pick(&["a*", "*", "{x}?"])
        ),
        // hashes
        48 => push!("HSET", k, r.pick(MEMBERS), r.pick(VALUES)),
        49 => push!(
            "HSET",
            k,
            r.pick(MEMBERS),
            r.pick(VALUES),
            r.pick(MEMBERS),
            r.pick(VALUES)
        ),
        50 => push!("HGET", k, r.pick(MEMBERS)),
        51 => push!("HMGET", k, r.pick(MEMBERS), r.pick(MEMBERS)),
        52 => push!("HDEL", k, r.pick(MEMBERS), r.pick(MEMBERS)),
        53 => push!("HLEN", k),
        54 => push!("HEXISTS", k, r.pick(MEMBERS)),
        55 => push!("HSTRLEN", k, r.pick(MEMBERS)),
        56 => push!("HINCRBY", k, r.pick(MEMBERS), r.pick(INTS)),
        57 => push!("HINCRBYFLOAT", k, r.pick(MEMBERS), r.pick(VALUES)),
        58 => push!("HSETNX", k, r.pick(MEMBERS), r.pick(VALUES)),
        59 => push!(r.pick(&["HGETALL", "HKEYS", "HVALS"]), k),
        60 => push!("HSCAN", k, r.pick(&["0", "-1", "", "x"]), "COUNT", "1000"),
        61 => {
            push!("HRANDFIELD", k);
            if r.chance(70) {
                push!(r.pick(INTS));
                if r.chance(50) {
                    push!("WITHVALUES");
                }
            }
        }
        62 => push!("HMSET", k, r.pick(MEMBERS), r.pick(VALUES)),
        // lists
        63 => push!(
            r.pick(&["LPUSH", "RPUSH", "LPUSHX", "RPUSHX"]),
            k,
            r.pick(VALUES),
            r.pick(MEMBERS)
        ),
        64 => {
            push!(r.pick(&["LPOP", "RPOP"]), k);
            if r.chance(50) {
                push!(r.pick(INTS));
            }
        }
        65 => push!("LRANGE", k, r.pick(INTS), r.pick(INTS)),
        66 => push!("LINDEX", k, r.pick(INTS)),
        67 => push!("LSET", k, r.pick(INTS), r.pick(VALUES)),
        68 => push!("LLEN", k),
        69 => push!("LREM", k, r.pick(INTS), r.pick(MEMBERS)),
        70 => push!("LTRIM", k, r.pick(INTS), r.pick(INTS)),
        71 => push!(
            "LINSERT",
            k,
            r.pick(&["BEFORE", "AFTER", "x"]),
            r.pick(MEMBERS),
            r.pick(VALUES)
        ),
        72 => {
            push!("LPOS", k, r.pick(MEMBERS));
            for _ in 0..r.below(3) {
                push!(r.pick(&["RANK", "COUNT", "MAXLEN", "x"]), r.pick(INTS));
            }
        }
        73 => push!(
            "LMOVE",
            k,
            key(r),
            r.pick(&["LEFT", "RIGHT", "x"]),
            r.pick(&["LEFT", "RIGHT"])
        ),
        74 => push!("RPOPLPUSH", k, key(r)),
        75 => {
            push!(
                "LMPOP",
                r.pick(&["1", "2", "0", "x", "-1"]),
                k,
                key(r),
                r.pick(&["LEFT", "RIGHT", "x"])
            );
            if r.chance(50) {
                push!("COUNT", r.pick(INTS));
            }
        }
        76 => push!(r.pick(&["BLPOP", "BRPOP"]), k, key(r), r.pick(TIMEOUTS)),
        77 => push!("BLMOVE", k, key(r), "LEFT", "RIGHT", r.pick(TIMEOUTS)),
        // sets
        78 => push!("SADD", k, r.pick(MEMBERS), r.pick(MEMBERS)),
        79 => push!("SADD", k, r.pick(INTS), r.pick(INTS), r.pick(INTS)),
        80 => push!("SREM", k, r.pick(MEMBERS), r.pick(INTS)),
        81 => push!("SISMEMBER", k, r.pick(MEMBERS)),
        82 => push!("SMISMEMBER", k, r.pick(MEMBERS), r.pick(INTS)),
        83 => push!("SCARD", k),
        84 => push!("SMEMBERS", k),
        85 => push!(r.pick(&["SINTER", "SUNION", "SDIFF"]), k, key(r)),
        86 => push!(
            r.pick(&["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]),
            key(r),
            k,
            key(r)
        ),
        87 => {
            push!("SINTERCARD", r.pick(&["1", "2", "0", "x", "3"]), k, key(r));
            if r.chance(50) {
                push!("LIMIT", r.pick(INTS));
            }
        }
        88 => push!("SMOVE", k, key(r), r.pick(MEMBERS)),
        89 => {
            push!("SRANDMEMBER", k);
            if r.chance(70) {
                push!(r.pick(INTS));
            }
        }
        90 => {
            push!("SPOP", k);
            if r.chance(50) {
                push!(r.pick(INTS));
            }
        }
        91 => push!("SSCAN", k, r.pick(&["0", "-1", "", "x"]), "COUNT", "1000"),
        // sorted sets
        92 => push!("ZADD", k, r.pick(ZSCORES), r.pick(MEMBERS)),
        93 => {
            push!("ZADD", k);
            for _ in 0..r.below(3) {
                push!(r.pick(&["NX", "XX", "GT", "LT", "CH", "INCR"]));
            }
            push!(r.pick(ZSCORES), r.pick(MEMBERS));
            if r.chance(50) {
                push!(r.pick(ZSCORES), r.pick(MEMBERS));
            }
        }
        94 => push!("ZINCRBY", k, r.pick(ZSCORES), r.pick(MEMBERS)),
        95 => push!("ZSCORE", k, r.pick(MEMBERS)),
        96 => push!("ZMSCORE", k, r.pick(MEMBERS), r.pick(MEMBERS)),
        97 => push!(r.pick(&["ZRANK", "ZREVRANK"]), k, r.pick(MEMBERS)),
        98 => push!("ZCARD", k),
        99 => push!("ZCOUNT", k, r.pick(SCORES), r.pick(SCORES)),
        100 => push!("ZLEXCOUNT", k, r.pick(LEX), r.pick(LEX)),
        101 => {
            push!("ZRANGE", k);
            match r.below(4) {
                0 => push!(r.pick(INTS), r.pick(INTS)),
                1 => push!(r.pick(SCORES), r.pick(SCORES), "BYSCORE"),
                2 => push!(r.pick(LEX), r.pick(LEX), "BYLEX"),
                _ => push!(r.pick(SCORES), r.pick(SCORES)),
            }
            for _ in 0..r.below(3) {
                match r.below(4) {
                    0 => push!("REV"),
                    1 => push!("WITHSCORES"),
                    2 => push!("LIMIT", r.pick(INTS), r.pick(INTS)),
                    _ => push!(r.pick(&["BYSCORE", "BYLEX", "x"])),
                }
            }
        }
        102 => {
            let which = r.pick(&["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]);
            push!(which, k, r.pick(SCORES), r.pick(SCORES));
            if r.chance(40) {
                push!("WITHSCORES");
            }
            if r.chance(40) {
                push!("LIMIT", r.pick(INTS), r.pick(INTS));
            }
        }
        103 => push!(
            r.pick(&["ZRANGEBYLEX", "ZREVRANGEBYLEX"]),
            k,
            r.pick(LEX),
            r.pick(LEX)
        ),
        104 => push!(
            "ZREVRANGE",
            k,
            r.pick(INTS),
            r.pick(INTS),
            r.pick(&["WITHSCORES", "x"])
        ),
        105 => push!("ZREM", k, r.pick(MEMBERS), r.pick(MEMBERS)),
        106 => push!("ZREMRANGEBYSCORE", k, r.pick(SCORES), r.pick(SCORES)),
        107 => push!("ZREMRANGEBYRANK", k, r.pick(INTS), r.pick(INTS)),
        108 => push!("ZREMRANGEBYLEX", k, r.pick(LEX), r.pick(LEX)),
        109 => {
            push!(r.pick(&["ZPOPMIN", "ZPOPMAX"]), k);
            if r.chance(50) {
                push!(r.pick(INTS));
            }
        }
        110 => {
            let which = r.pick(&["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"]);
            push!(which, key(r), r.pick(&["2", "1", "0", "x", "3"]), k, key(r));
            if r.chance(40) && which != "ZDIFFSTORE" {
                push!("WEIGHTS", r.pick(SCORES), r.pick(SCORES));
            }
            if r.chance(40) && which != "ZDIFFSTORE" {
                push!("AGGREGATE", r.pick(&["SUM", "MIN", "MAX", "x"]));
            }
        }
        111 => {
            push!(
                r.pick(&["ZUNION", "ZINTER", "ZDIFF"]),
                r.pick(&["2", "1", "0"]),
                k,
                key(r)
            );
            if r.chance(50) {
                push!("WITHSCORES");
            }
        }
        112 => push!("ZSCAN", k, r.pick(&["0", "-1", "", "x"]), "COUNT", "1000"),
        113 => {
            push!("ZRANDMEMBER", k);
            if r.chance(70) {
                push!(r.pick(INTS));
                if r.chance(50) {
                    push!("WITHSCORES");
                }
            }
        }
        114 => {
            push!(
                "ZMPOP",
                r.pick(&["1", "2", "0", "x"]),
                k,
                key(r),
                r.pick(&["MIN", "MAX", "x"])
            );
            if r.chance(50) {
                push!("COUNT", r.pick(INTS));
            }
        }
        115 => push!(r.pick(&["BZPOPMIN", "BZPOPMAX"]), k, r.pick(TIMEOUTS)),
        // SORT
        116 => {
            push!(r.pick(&["SORT", "SORT_RO"]), k);
            for _ in 0..r.below(4) {
                match r.below(6) {
                    0 => push!("ALPHA"),
                    1 => push!(r.pick(&["ASC", "DESC"])),
                    2 => push!("LIMIT", r.pick(INTS), r.pick(INTS)),
                    3 => push!("BY", r.pick(&["w_*", "nokey", "*", "w_*->f1"])),
                    4 => push!("GET", r.pick(&["#", "w_*", "w_*->f1"])),
                    _ => push!("STORE", key(r)),
                }
            }
        }
        // sort weights
        _ => push!("SET", format!("w_{}", r.pick(MEMBERS)), r.pick(SCORES)),
    }
    // Now and then an argument too few or too many (not for blocking commands,
    // whose last argument is the timeout).
    let blocking = a[0].starts_with('B') && !a[0].starts_with("BIT");
    if !blocking && r.chance(3) && a.len() > 1 {
        a.pop();
    } else if !blocking && r.chance(2) {
        a.push(r.pick(VALUES).into());
    }
    a.into_iter().map(String::into_bytes).collect()
}
