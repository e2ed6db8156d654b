//! Sorted-set commands over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded below), the
//! listpack -> skiplist conversion, ZSCAN's guarantee, keyspace events, and a
//! randomized test against a model kept in the test.
use super::support::{multibulk, run_cases, start_server, Cases, Conn};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Scores and their formatting, missing and empty keys, the ZADD option matrix,
/// negative and out-of-range ranks, score and lex ranges (binary members),
/// removals by range, WRONGTYPE.
const BASIC: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c"], b":3\x0d\x0a"),
    (&[b"ZADD", b"z", b"0.1", b"x", b"1e300", b"y", b"inf", b"i", b"-0", b"d", b"1.5e-7", b"e", b"-inf", b"n", b"12345678901234567890", b"big"], b":7\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"], b"*20\x0d\x0a$1\x0d\x0an\x0d\x0a$4\x0d\x0a-inf\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0ae\x0d\x0a$22\x0d\x0a1.4999999999999999e-07\x0d\x0a$1\x0d\x0ax\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a$3\x0d\x0abig\x0d\x0a$22\x0d\x0a1.2345678901234567e+19\x0d\x0a$1\x0d\x0ay\x0d\x0a$23\x0d\x0a1.0000000000000001e+300\x0d\x0a$1\x0d\x0ai\x0d\x0a$3\x0d\x0ainf\x0d\x0a"),
    (&[b"ZSCORE", b"z", b"d"], b"$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZSCORE", b"z", b"x"], b"$19\x0d\x0a0.10000000000000001\x0d\x0a"),
    (&[b"ZSCORE", b"z", b"nope"], b"$-1\x0d\x0a"),
    (&[b"ZSCORE", b"nokey", b"a"], b"$-1\x0d\x0a"),
    (&[b"ZMSCORE", b"z", b"a", b"nope", b"x"], b"*3\x0d\x0a$1\x0d\x0a1\x0d\x0a$-1\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a"),
    (&[b"ZMSCORE", b"nokey", b"a"], b"*1\x0d\x0a$-1\x0d\x0a"),
    (&[b"ZINCRBY", b"z", b"0.2", b"x"], b"$19\x0d\x0a0.30000000000000004\x0d\x0a"),
    (&[b"ZINCRBY", b"z", b"1", b"newm"], b"$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZINCRBY", b"z", b"inf", b"i"], b"$3\x0d\x0ainf\x0d\x0a"),
    (&[b"ZINCRBY", b"z", b"-inf", b"i"], b"-ERR resulting score is not a number (NaN)\x0d\x0a"),
    (&[b"ZINCRBY", b"z", b"abc", b"i"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"ZCARD", b"z"], b":11\x0d\x0a"),
    (&[b"ZCARD", b"nokey"], b":0\x0d\x0a"),
    (&[b"ZADD", b"z", b"nx", b"xx", b"1", b"a"], b"-ERR XX and NX options at the same time are not compatible\x0d\x0a"),
    (&[b"ZADD", b"z", b"gt", b"lt", b"1", b"a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\x0d\x0a"),
    (&[b"ZADD", b"z", b"nx", b"gt", b"1", b"a"], b"-ERR GT, LT, and/or NX options at the same time are not compatible\x0d\x0a"),
    (&[b"ZADD", b"z", b"incr", b"1", b"a", b"2", b"b"], b"-ERR INCR option supports a single increment-element pair\x0d\x0a"),
    (&[b"ZADD", b"z", b"x", b"1"], b"-ERR value is not a valid float\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZADD", b"z", b"NX", b"10", b"a", b"10", b"q"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"XX", b"10", b"a", b"10", b"r"], b":0\x0d\x0a"),
    (&[b"ZADD", b"z", b"XX", b"CH", b"11", b"a", b"10", b"r"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"GT", b"CH", b"5", b"a", b"20", b"b"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"LT", b"CH", b"5", b"a", b"20", b"b"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"GT", b"INCR", b"-1", b"a"], b"$-1\x0d\x0a"),
    (&[b"ZADD", b"z", b"LT", b"INCR", b"-1", b"a"], b"$1\x0d\x0a4\x0d\x0a"),
    (&[b"ZADD", b"z", b"NX", b"INCR", b"1", b"a"], b"$-1\x0d\x0a"),
    (&[b"ZADD", b"z", b"XX", b"INCR", b"1", b"nomember"], b"$-1\x0d\x0a"),
    (&[b"ZADD", b"z", b"INCR", b"1", b"a"], b"$1\x0d\x0a5\x0d\x0a"),
    (&[b"ZADD", b"nokey", b"XX", b"1", b"a"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"nokey"], b":0\x0d\x0a"),
    (&[b"ZADD", b"nokey", b"XX", b"INCR", b"1", b"a"], b"$-1\x0d\x0a"),
    (&[b"ZADD", b"z", b"CH", b"1", b"a", b"1", b"b"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"], b"*24\x0d\x0a$1\x0d\x0an\x0d\x0a$4\x0d\x0a-inf\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0ae\x0d\x0a$22\x0d\x0a1.4999999999999999e-07\x0d\x0a$1\x0d\x0ax\x0d\x0a$19\x0d\x0a0.30000000000000004\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a1\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0aq\x0d\x0a$2\x0d\x0a10\x0d\x0a$3\x0d\x0abig\x0d\x0a$22\x0d\x0a1.2345678901234567e+19\x0d\x0a$1\x0d\x0ay\x0d\x0a$23\x0d\x0a1.0000000000000001e+300\x0d\x0a$1\x0d\x0ai\x0d\x0a$3\x0d\x0ainf\x0d\x0a"),
    (&[b"ZRANK", b"z", b"a"], b":4\x0d\x0a"),
    (&[b"ZRANK", b"z", b"nope"], b"$-1\x0d\x0a"),
    (&[b"ZREVRANK", b"z", b"a"], b":7\x0d\x0a"),
    (&[b"ZRANK", b"nokey", b"a"], b"$-1\x0d\x0a"),
    (&[b"ZCOUNT", b"z", b"-inf", b"+inf"], b":12\x0d\x0a"),
    (&[b"ZCOUNT", b"z", b"(1", b"3"], b":1\x0d\x0a"),
    (&[b"ZCOUNT", b"z", b"1", b"(3"], b":3\x0d\x0a"),
    (&[b"ZCOUNT", b"z", b"a", b"1"], b"-ERR min or max is not a float\x0d\x0a"),
    (&[b"ZCOUNT", b"z", b"3", b"1"], b":0\x0d\x0a"),
    (&[b"ZCOUNT", b"nokey", b"1", b"2"], b":0\x0d\x0a"),
    (&[b"ZREM", b"z", b"a", b"nope", b"b"], b":2\x0d\x0a"),
    (&[b"ZREM", b"nokey", b"a"], b":0\x0d\x0a"),
    (&[b"SET", b"str", b"x"], b"+OK\x0d\x0a"),
    (&[b"ZADD", b"str", b"1", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZSCORE", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZRANGE", b"str", b"0", b"-1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZCARD", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZRANK", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZREM", b"str", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZINCRBY", b"str", b"1", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1"], b"*10\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"-3", b"-1"], b"*3\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"-100", b"100"], b"*10\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"5", b"2"], b"*0\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"100", b"200"], b"*0\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"0", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0an\x0d\x0a$4\x0d\x0a-inf\x0d\x0a"),
    (&[b"ZREVRANGE", b"z", b"0", b"2", b"WITHSCORES"], b"*6\x0d\x0a$1\x0d\x0ai\x0d\x0a$3\x0d\x0ainf\x0d\x0a$1\x0d\x0ay\x0d\x0a$23\x0d\x0a1.0000000000000001e+300\x0d\x0a$3\x0d\x0abig\x0d\x0a$22\x0d\x0a1.2345678901234567e+19\x0d\x0a"),
    (&[b"ZREVRANGE", b"z", b"-2", b"-1"], b"*2\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0an\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"REV"], b"*10\x0d\x0a$1\x0d\x0ai\x0d\x0a$1\x0d\x0ay\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0aq\x0d\x0a$1\x0d\x0ac\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0an\x0d\x0a"),
    (&[b"ZRANGE", b"nokey", b"0", b"-1"], b"*0\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"limit", b"0", b"1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"-", b"+", b"bylex", b"withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"1", b"byscore", b"bylex"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"1", b"rev", b"rev"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"1", b"limit", b"0"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"(1", b"5", b"byscore", b"limit", b"0", b"-1"], b"*1\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"(1", b"5", b"byscore", b"limit", b"-1", b"1"], b"*0\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"x", b"1"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"a", b"b", b"byscore"], b"-ERR min or max is not a float\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"a", b"b", b"bylex"], b"-ERR min or max not valid string range item\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"limit", b"0", b"-1"], b"*10\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"limit", b"1", b"-1"], b"*10\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"1", b"3", b"rev"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZREVRANGE", b"z", b"0", b"1", b"limit", b"0", b"1"], b"-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"z", b"-", b"+", b"withscores"], b"-ERR syntax error, WITHSCORES not supported in combination with BYLEX\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"+inf", b"-inf", b"BYSCORE", b"REV", b"LIMIT", b"1", b"2", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0ay\x0d\x0a$23\x0d\x0a1.0000000000000001e+300\x0d\x0a$3\x0d\x0abig\x0d\x0a$22\x0d\x0a1.2345678901234567e+19\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"-inf", b"+inf", b"WITHSCORES", b"LIMIT", b"2", b"3"], b"*6\x0d\x0a$1\x0d\x0ae\x0d\x0a$22\x0d\x0a1.4999999999999999e-07\x0d\x0a$1\x0d\x0ax\x0d\x0a$19\x0d\x0a0.30000000000000004\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"(0", b"(inf"], b"*7\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a"),
    (&[b"ZREVRANGEBYSCORE", b"z", b"+inf", b"-inf", b"LIMIT", b"0", b"2"], b"*2\x0d\x0a$1\x0d\x0ai\x0d\x0a$1\x0d\x0ay\x0d\x0a"),
    (&[b"ZREVRANGEBYSCORE", b"z", b"1", b"3"], b"*0\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"1", b"2", b"LIMIT", b"0"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"", b""], b"*1\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b" 1", b"3"], b"*2\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"1 ", b"3"], b"-ERR min or max is not a float\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"nan", b"3"], b"-ERR min or max is not a float\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"z", b"-1e400", b"1e400"], b"*10\x0d\x0a$1\x0d\x0an\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ax\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aq\x0d\x0a$3\x0d\x0abig\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ai\x0d\x0a"),
    (&[b"DEL", b"l"], b":0\x0d\x0a"),
    (&[b"ZADD", b"l", b"0", b"a", b"0", b"b", b"0", b"c", b"0", b"d", b"0", b"e", b"0", b"a\x00b", b"0", b"\xff", b"0", b"\x00"], b":8\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"-", b"+"], b"*8\x0d\x0a$1\x0d\x0a\x00\x0d\x0a$1\x0d\x0aa\x0d\x0a$3\x0d\x0aa\x00b\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0a\xff\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"[b", b"(d"], b"*2\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"(b", b"[d"], b"*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"[a\x00", b"+"], b"*6\x0d\x0a$3\x0d\x0aa\x00b\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0a\xff\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"-", b"[c", b"LIMIT", b"1", b"1"], b"*1\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"ZREVRANGEBYLEX", b"l", b"+", b"-", b"LIMIT", b"0", b"3"], b"*3\x0d\x0a$1\x0d\x0a\xff\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ZREVRANGEBYLEX", b"l", b"[d", b"[b"], b"*3\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"ZRANGE", b"l", b"[d", b"[b", b"BYLEX", b"REV"], b"*3\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"l", b"-", b"+"], b":8\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"l", b"[b", b"(d"], b":2\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"l", b"a", b"b"], b"-ERR min or max not valid string range item\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"l", b"+x", b"+"], b"-ERR min or max not valid string range item\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"l", b"+", b"-"], b":0\x0d\x0a"),
    (&[b"ZLEXCOUNT", b"nokey", b"-", b"+"], b":0\x0d\x0a"),
    (&[b"ZRANGEBYLEX", b"l", b"-", b"+", b"LIMIT", b"0", b"-1"], b"*8\x0d\x0a$1\x0d\x0a\x00\x0d\x0a$1\x0d\x0aa\x0d\x0a$3\x0d\x0aa\x00b\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0a\xff\x0d\x0a"),
    (&[b"ZREMRANGEBYLEX", b"l", b"[b", b"(d"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"l", b"0", b"-1"], b"*6\x0d\x0a$1\x0d\x0a\x00\x0d\x0a$1\x0d\x0aa\x0d\x0a$3\x0d\x0aa\x00b\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0a\xff\x0d\x0a"),
    (&[b"ZREMRANGEBYLEX", b"l", b"x", b"y"], b"-ERR min or max not valid string range item\x0d\x0a"),
    (&[b"ZREMRANGEBYRANK", b"l", b"0", b"0"], b":1\x0d\x0a"),
    (&[b"ZREMRANGEBYRANK", b"l", b"-2", b"-1"], b":2\x0d\x0a"),
    (&[b"ZREMRANGEBYRANK", b"l", b"5", b"1"], b":0\x0d\x0a"),
    (&[b"ZREMRANGEBYRANK", b"l", b"x", b"1"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"ZRANGE", b"l", b"0", b"-1"], b"*3\x0d\x0a$1\x0d\x0aa\x0d\x0a$3\x0d\x0aa\x00b\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ZREMRANGEBYSCORE", b"l", b"-inf", b"+inf"], b":3\x0d\x0a"),
    (&[b"EXISTS", b"l"], b":0\x0d\x0a"),
    (&[b"ZREMRANGEBYSCORE", b"nokey", b"1", b"2"], b":0\x0d\x0a"),
    (&[b"ZREMRANGEBYSCORE", b"z", b"a", b"1"], b"-ERR min or max is not a float\x0d\x0a"),
    (&[b"ZREMRANGEBYSCORE", b"str", b"1", b"2"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZREMRANGEBYSCORE", b"z", b"(10", b"+inf"], b":3\x0d\x0a"),
    (&[b"ZRANGE", b"z", b"0", b"-1", b"WITHSCORES"], b"*14\x0d\x0a$1\x0d\x0an\x0d\x0a$4\x0d\x0a-inf\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0ae\x0d\x0a$22\x0d\x0a1.4999999999999999e-07\x0d\x0a$1\x0d\x0ax\x0d\x0a$19\x0d\x0a0.30000000000000004\x0d\x0a$4\x0d\x0anewm\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0aq\x0d\x0a$2\x0d\x0a10\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"z"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"TYPE", b"z"], b"+zset\x0d\x0a"),
];

/// Pops, ZMPOP, union / intersection / difference with weights and aggregates,
/// ZINTERCARD, ZRANDMEMBER's deterministic cases, ZRANGESTORE, ZSCAN of a small set
/// (scores as the listpack stores them).
const OPS: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c", b"4", b"d"], b":4\x0d\x0a"),
    (&[b"ZPOPMIN", b"z"], b"*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZPOPMAX", b"z"], b"*2\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a4\x0d\x0a"),
    (&[b"ZPOPMIN", b"z", b"-1"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"ZPOPMIN", b"z", b"0"], b"*0\x0d\x0a"),
    (&[b"ZPOPMIN", b"nokey", b"0"], b"*0\x0d\x0a"),
    (&[b"ZPOPMIN", b"nokey"], b"*0\x0d\x0a"),
    (&[b"ZPOPMIN", b"z", b"x"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"ZPOPMIN", b"z", b"1", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"SET", b"str", b"x"], b"+OK\x0d\x0a"),
    (&[b"ZPOPMIN", b"str", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZPOPMIN", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"4", b"d", b"5", b"e"], b":3\x0d\x0a"),
    (&[b"ZPOPMIN", b"z", b"2"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZPOPMAX", b"z", b"10"], b"*6\x0d\x0a$1\x0d\x0ae\x0d\x0a$1\x0d\x0a5\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a4\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"EXISTS", b"z"], b":0\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c"], b":3\x0d\x0a"),
    (&[b"ZMPOP", b"0", b"z", b"min"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"ZMPOP", b"1", b"z", b"min", b"count", b"0"], b"-ERR count should be greater than 0\x0d\x0a"),
    (&[b"ZMPOP", b"1", b"z", b"foo"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZMPOP", b"2", b"z", b"min"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZMPOP", b"1", b"z", b"min", b"count", b"1", b"count", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZMPOP", b"-1", b"z", b"min"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"ZMPOP", b"x", b"z", b"min"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"ZMPOP", b"1", b"nokey", b"min"], b"*-1\x0d\x0a"),
    (&[b"ZMPOP", b"2", b"nokey", b"z", b"max", b"count", b"2"], b"*2\x0d\x0a$1\x0d\x0az\x0d\x0a*2\x0d\x0a*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a3\x0d\x0a*2\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZMPOP", b"2", b"str", b"z", b"min"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZMPOP", b"2", b"z", b"str", b"min", b"count", b"5"], b"*2\x0d\x0a$1\x0d\x0az\x0d\x0a*1\x0d\x0a*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"EXISTS", b"z"], b":0\x0d\x0a"),
    (&[b"ZMPOP", b"1", b"z", b"MIN"], b"*-1\x0d\x0a"),
    (&[b"ZADD", b"a", b"1", b"x", b"2", b"y", b"3", b"z"], b":3\x0d\x0a"),
    (&[b"ZADD", b"b", b"10", b"y", b"20", b"z", b"30", b"w"], b":3\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"b", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a12\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a23\x0d\x0a$1\x0d\x0aw\x0d\x0a$2\x0d\x0a30\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"b", b"WEIGHTS", b"2", b"-1", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0aw\x0d\x0a$3\x0d\x0a-30\x0d\x0a$1\x0d\x0az\x0d\x0a$3\x0d\x0a-14\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a-6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"b", b"AGGREGATE", b"MIN", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0aw\x0d\x0a$2\x0d\x0a30\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"b", b"AGGREGATE", b"max", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a10\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a20\x0d\x0a$1\x0d\x0aw\x0d\x0a$2\x0d\x0a30\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"b"], b"*4\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aw\x0d\x0a"),
    (&[b"ZINTER", b"2", b"a", b"b", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a12\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a23\x0d\x0a"),
    (&[b"ZINTER", b"2", b"a", b"b", b"WEIGHTS", b"1", b"0.5", b"AGGREGATE", b"MAX", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a5\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a10\x0d\x0a"),
    (&[b"ZINTER", b"2", b"a", b"nokey"], b"*0\x0d\x0a"),
    (&[b"ZINTER", b"2", b"a", b"a", b"WITHSCORES"], b"*6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a4\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a6\x0d\x0a"),
    (&[b"ZDIFF", b"2", b"a", b"b", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZDIFF", b"2", b"b", b"a"], b"*1\x0d\x0a$1\x0d\x0aw\x0d\x0a"),
    (&[b"ZDIFF", b"2", b"a", b"nokey", b"withscores"], b"*6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZDIFF", b"1", b"a", b"weights", b"1"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"2", b"a", b"b"], b":4\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a12\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a23\x0d\x0a$1\x0d\x0aw\x0d\x0a$2\x0d\x0a30\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"d"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"ZINTERSTORE", b"d", b"2", b"a", b"b", b"WEIGHTS", b"0", b"1"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0ay\x0d\x0a$2\x0d\x0a10\x0d\x0a$1\x0d\x0az\x0d\x0a$2\x0d\x0a20\x0d\x0a"),
    (&[b"ZDIFFSTORE", b"d", b"2", b"a", b"b"], b":1\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZINTERSTORE", b"d", b"2", b"a", b"nokey"], b":0\x0d\x0a"),
    (&[b"EXISTS", b"d"], b":0\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"0", b"z"], b"-ERR at least 1 input key is needed for 'zunionstore' command\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"2", b"z"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZUNION", b"1", b"z", b"weights", b"1", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZUNION", b"1", b"a", b"weights", b"x"], b"-ERR weight value is not a float\x0d\x0a"),
    (&[b"ZUNION", b"1", b"a", b"aggregate", b"foo"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZUNION", b"1", b"a", b"withscores", b"aggregate", b"max"], b"*6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"1", b"a", b"withscores"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZUNION", b"-1", b"z"], b"-ERR at least 1 input key is needed for 'zunion' command\x0d\x0a"),
    (&[b"ZUNION", b"x", b"z"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"ZUNION", b"0", b"z"], b"-ERR at least 1 input key is needed for 'zunion' command\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"str", b"weights", b"x"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZUNION", b"2", b"a", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZINTERCARD", b"2", b"a", b"b"], b":2\x0d\x0a"),
    (&[b"ZINTERCARD", b"2", b"a", b"b", b"LIMIT", b"1"], b":1\x0d\x0a"),
    (&[b"ZINTERCARD", b"2", b"a", b"b", b"LIMIT", b"0"], b":2\x0d\x0a"),
    (&[b"ZINTERCARD", b"0", b"z"], b"-ERR at least 1 input key is needed for 'zintercard' command\x0d\x0a"),
    (&[b"ZINTERCARD", b"1", b"z", b"limit", b"-1"], b"-ERR LIMIT can't be negative\x0d\x0a"),
    (&[b"ZINTERCARD", b"1", b"z", b"limit", b"x"], b"-ERR LIMIT can't be negative\x0d\x0a"),
    (&[b"ZINTERCARD", b"2", b"z"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZINTERCARD", b"1", b"a", b"WITHSCORES"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZADD", b"inf", b"1", b"x"], b":1\x0d\x0a"),
    (&[b"ZADD", b"ninf", b"1", b"x"], b":1\x0d\x0a"),
    (&[b"ZUNION", b"2", b"inf", b"ninf", b"WEIGHTS", b"inf", b"-inf", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZUNION", b"1", b"a", b"WEIGHTS", b"0", b"WITHSCORES"], b"*6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZUNION", b"1", b"inf", b"WEIGHTS", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0ax\x0d\x0a$2\x0d\x0a-1\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"1", b"inf", b"WEIGHTS", b"-0"], b":1\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZADD", b"zz", b"0", b"q"], b":1\x0d\x0a"),
    (&[b"ZUNION", b"1", b"zz", b"WEIGHTS", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$1\x0d\x0aq\x0d\x0a$2\x0d\x0a-0\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"nokey"], b"$-1\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"nokey", b"5"], b"*0\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"0"], b"*0\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"10", b"WITHSCORES"], b"*6\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"3"], b"*3\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0ax\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"-9223372036854775808"], b"-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"-9223372036854775807", b"withscores"], b"-ERR value is out of range\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"1", b"foo"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"a", b"x", b"foo"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"str"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZRANDMEMBER", b"str", b"1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"a", b"0", b"-1", b"withscores"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"nokey", b"0", b"-1"], b":0\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"a", b"5", b"6"], b":0\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"a", b"(1", b"5", b"byscore"], b":2\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"withscores"], b"*4\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"a", b"[y", b"+", b"bylex"], b":2\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"a", b"0", b"0", b"rev"], b":1\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"withscores"], b"*2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d", b"str", b"0", b"-1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZSCAN", b"a", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*6\x0d\x0a$1\x0d\x0ax\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZSCAN", b"a", b"0", b"MATCH", b"y*"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*2\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZSCAN", b"a", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (&[b"ZSCAN", b"a", b"0", b"COUNT", b"0"], b"-ERR syntax error\x0d\x0a"),
    (&[b"ZSCAN", b"nokey", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*0\x0d\x0a"),
    (&[b"ZSCAN", b"str", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ZADD", b"big", b"1e17", b"a", b"4611686018427387904", b"b", b"5e18", b"c", b"-0", b"d", b"1.5", b"g"], b":5\x0d\x0a"),
    (&[b"ZSCAN", b"big", b"0"], b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*10\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0ag\x0d\x0a$3\x0d\x0a1.5\x0d\x0a$1\x0d\x0aa\x0d\x0a$18\x0d\x0a100000000000000000\x0d\x0a$1\x0d\x0ab\x0d\x0a$19\x0d\x0a4611686018427387904\x0d\x0a$1\x0d\x0ac\x0d\x0a$5\x0d\x0a5e+18\x0d\x0a"),
];

/// Encodings: the thresholds (and their `ziplist` aliases), conversion on growth,
/// the STORE commands choosing by size, `-0` kept only by the skiplist.
const ENCODINGS: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-listpack-entries", b"3"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"zset-max-listpack-entries"], b"*2\x0d\x0a$25\x0d\x0azset-max-listpack-entries\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"zset-max-ziplist-entries"], b"*2\x0d\x0a$24\x0d\x0azset-max-ziplist-entries\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"a", b"2", b"b", b"3", b"c"], b":3\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"z"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"ZADD", b"z", b"4", b"d"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"z"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"ZREM", b"z", b"d", b"c"], b":2\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"z"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"ZADD", b"sk", b"-0", b"d", b"0.1", b"a"], b":2\x0d\x0a"),
    (&[b"ZSCORE", b"sk", b"d"], b"$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZADD", b"sk", b"1", b"b", b"2", b"c"], b":2\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"sk"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"ZSCORE", b"sk", b"d"], b"$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZRANGE", b"sk", b"0", b"-1", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0aa\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZUNIONSTORE", b"d", b"1", b"sk"], b":4\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"d"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"ZRANGE", b"d", b"0", b"-1", b"WITHSCORES"], b"*8\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0aa\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a1\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZRANGESTORE", b"d2", b"sk", b"0", b"1"], b":2\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"d2"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"ZRANGE", b"d2", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a$1\x0d\x0aa\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-listpack-entries", b"128"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-listpack-value", b"4"], b"+OK\x0d\x0a"),
    (&[b"ZADD", b"v", b"1", b"abcd"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"v"], b"$8\x0d\x0alistpack\x0d\x0a"),
    (&[b"ZADD", b"v", b"1", b"abcde"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"v"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"ZADD", b"v2", b"1", b"abcde"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"v2"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-ziplist-value", b"64"], b"+OK\x0d\x0a"),
    (&[b"CONFIG", b"GET", b"zset-max-listpack-value"], b"*2\x0d\x0a$23\x0d\x0azset-max-listpack-value\x0d\x0a$2\x0d\x0a64\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-listpack-entries", b"0"], b"+OK\x0d\x0a"),
    (&[b"ZADD", b"e", b"1", b"a"], b":1\x0d\x0a"),
    (&[b"OBJECT", b"ENCODING", b"e"], b"$8\x0d\x0askiplist\x0d\x0a"),
    (&[b"CONFIG", b"SET", b"zset-max-listpack-entries", b"128"], b"+OK\x0d\x0a"),
    (&[b"ZRANGE", b"sk", b"1", b"2"], b"*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"ZRANGE", b"sk", b"-1", b"-1", b"REV"], b"*1\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ZRANK", b"sk", b"b"], b":2\x0d\x0a"),
    (&[b"ZREVRANK", b"sk", b"b"], b":1\x0d\x0a"),
    (&[b"ZRANGEBYSCORE", b"sk", b"(0", b"+inf"], b"*3\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"ZPOPMIN", b"sk"], b"*2\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0a0\x0d\x0a"),
    (&[b"ZPOPMAX", b"sk"], b"*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0a2\x0d\x0a"),
    (&[b"ZRANGE", b"sk", b"0", b"-1", b"WITHSCORES"], b"*4\x0d\x0a$1\x0d\x0aa\x0d\x0a$19\x0d\x0a0.10000000000000001\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0a1\x0d\x0a"),
    (&[b"ZADD", b"sk", b"INCR", b"-0", b"d"], b"$2\x0d\x0a-0\x0d\x0a"),
];

#[test]
fn replies_match_redis_basic() {
    run_cases(BASIC);
}

#[test]
fn replies_match_redis_ops() {
    run_cases(OPS);
}

#[test]
fn replies_match_redis_encodings() {
    run_cases(ENCODINGS);
}

/// Splits a reply that is an array of bulk strings (or one bulk / integer) into
/// its items; nested arrays are flattened.
fn items(reply: &[u8]) -> Vec<Vec<u8>> {
    fn walk(b: &[u8], pos: &mut usize, out: &mut Vec<Vec<u8>>) {
        let end = *pos + b[*pos..].windows(2).position(|w| w == b"\r\n").unwrap();
        let head = std::str::from_utf8(&b[*pos + 1..end]).unwrap();
        let kind = b[*pos];
        *pos = end + 2;
        match kind {
            b'*' => {
                for _ in 0..head.parse::<i64>().unwrap().max(0) {
                    walk(b, pos, out);
                }
            }
            b'$' => {
                let n: i64 = head.parse().unwrap();
                if n >= 0 {
                    out.push(b[*pos..*pos + n as usize].to_vec());
                    *pos += n as usize + 2;
                }
            }
            _ => out.push(head.as_bytes().to_vec()),
        }
    }
    let mut out = Vec::new();
    walk(reply, &mut 0, &mut out);
    out
}

fn cmd(c: &mut Conn, args: &[&[u8]]) -> Vec<u8> {
    c.cmd(args)
}

/// How Redis prints the scores this test uses (integers and halves).
fn fmt_score(s: f64) -> Vec<u8> {
    if s.fract() == 0.0 {
        format!("{}", s as i64).into_bytes()
    } else {
        format!("{s}").into_bytes()
    }
}

/// The model: member -> score, sorted on demand by (score, member).
fn sorted(model: &HashMap<Vec<u8>, f64>) -> Vec<(Vec<u8>, f64)> {
    let mut v: Vec<(Vec<u8>, f64)> = model.iter().map(|(m, s)| (m.clone(), *s)).collect();
    v.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap().then_with(|| a.0.cmp(&b.0)));
    v
}

/// A few thousand random commands on one key, each reply checked against the
/// model. The member space (300) is larger than the listpack limit, so the key
/// crosses into the skiplist encoding and back through deletion of the key.
#[test]
fn random_operations_match_a_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut model: HashMap<Vec<u8>, f64> = HashMap::new();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut rnd = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut saw_skiplist = false;
    for step in 0..4000 {
        let m = format!("m{:03}", rnd(300)).into_bytes();
        let s = (rnd(41) as f64 - 20.0) / 2.0;
        let sb = fmt_score(s);
        // Even phases of 500 steps mostly grow the set (past the listpack limit),
        // odd ones let range removals and pops shrink it.
        let mut op = rnd(12);
        if matches!(op, 5 | 9 | 10) && (step / 500) % 2 == 0 && rnd(8) != 0 {
            op = 0;
        }
        match op {
            0..=3 => {
                let got = cmd(&mut c, &[b"ZADD", b"k", &sb, &m]);
                let new = model.insert(m.clone(), s).is_none();
                assert_eq!(got, format!(":{}\r\n", u8::from(new)).into_bytes());
            }
            4 => {
                let got = cmd(&mut c, &[b"ZINCRBY", b"k", &sb, &m]);
                let v = model.entry(m.clone()).or_insert(0.0);
                *v += s;
                assert_eq!(items(&got), vec![fmt_score(*v)]);
            }
            5 => {
                let got = cmd(&mut c, &[b"ZREM", b"k", &m]);
                let was = model.remove(&m).is_some();
                assert_eq!(got, format!(":{}\r\n", u8::from(was)).into_bytes());
            }
            6 => {
                let (a, b) = (rnd(40) as i64 - 20, rnd(40) as i64 - 20);
                let (ab, bb) = (a.to_string(), b.to_string());
                let got = items(&cmd(
                    &mut c,
                    &[b"ZRANGE", b"k", ab.as_bytes(), bb.as_bytes(), b"WITHSCORES"],
                ));
                let all = sorted(&model);
                let len = all.len() as i64;
                let (mut lo, mut hi) = (
                    if a < 0 { a + len } else { a },
                    if b < 0 { b + len } else { b },
                );
                lo = lo.max(0);
                hi = hi.min(len - 1);
                let mut want = Vec::new();
                if lo <= hi {
                    for (m, s) in &all[lo as usize..=hi as usize] {
                        want.push(m.clone());
                        want.push(fmt_score(*s));
                    }
                }
                assert_eq!(got, want, "step {step} ZRANGE {a} {b}");
            }
            7 => {
                let (a, b) = ((rnd(41) as f64 - 20.0) / 2.0, (rnd(41) as f64 - 20.0) / 2.0);
                let (ax, bx) = (rnd(2) == 0, rnd(2) == 0);
                let bound = |v: f64, ex: bool| {
                    let mut t = if ex { b"(".to_vec() } else { Vec::new() };
                    t.extend(fmt_score(v));
                    t
                };
                let (ab, bb) = (bound(a, ax), bound(b, bx));
                let rev = rnd(2) == 0;
                let got = if rev {
                    items(&cmd(&mut c, &[b"ZREVRANGEBYSCORE", b"k", &bb, &ab]))
                } else {
                    items(&cmd(&mut c, &[b"ZRANGEBYSCORE", b"k", &ab, &bb]))
                };
                let mut want: Vec<Vec<u8>> = sorted(&model)
                    .into_iter()
                    .filter(|(_, s)| {
                        (if ax { *s > a } else { *s >= a }) && (if bx { *s < b } else { *s <= b })
                    })
                    .map(|(m, _)| m)
                    .collect();
                if rev {
                    want.reverse();
                }
                assert_eq!(got, want, "step {step}");
                let count = cmd(&mut c, &[b"ZCOUNT", b"k", &ab, &bb]);
                assert_eq!(count, format!(":{}\r\n", want.len()).into_bytes());
            }
            8 => {
                let got = cmd(&mut c, &[b"ZRANK", b"k", &m]);
                let want = match sorted(&model).iter().position(|(x, _)| *x == m) {
                    Some(r) => format!(":{r}\r\n").into_bytes(),
                    None => b"$-1\r\n".to_vec(),
                };
                assert_eq!(got, want);
                let got = cmd(&mut c, &[b"ZSCORE", b"k", &m]);
                let want: Vec<Vec<u8>> = model.get(&m).map(|s| fmt_score(*s)).into_iter().collect();
                assert_eq!(items(&got), want);
            }
            9 => {
                let (a, b) = (rnd(10) as i64 - 3, rnd(10) as i64 - 3);
                let (ab, bb) = (a.to_string(), b.to_string());
                let got = cmd(
                    &mut c,
                    &[b"ZREMRANGEBYRANK", b"k", ab.as_bytes(), bb.as_bytes()],
                );
                let all = sorted(&model);
                let len = all.len() as i64;
                let (mut lo, mut hi) = (
                    if a < 0 { a + len } else { a },
                    if b < 0 { b + len } else { b },
                );
                lo = lo.max(0);
                hi = hi.min(len - 1);
                let mut n = 0;
                if lo <= hi {
                    for (m, _) in &all[lo as usize..=hi as usize] {
                        model.remove(m);
                        n += 1;
                    }
                }
                assert_eq!(got, format!(":{n}\r\n").into_bytes());
            }
            10 => {
                let max = rnd(2) == 0;
                let n = rnd(3) + 1;
                let nb = n.to_string();
                let name: &[u8] = if max { b"ZPOPMAX" } else { b"ZPOPMIN" };
                let got = items(&cmd(&mut c, &[name, b"k", nb.as_bytes()]));
                let mut all = sorted(&model);
                if max {
                    all.reverse();
                }
                let mut want = Vec::new();
                for (m, s) in all.into_iter().take(n as usize) {
                    model.remove(&m);
                    want.push(m);
                    want.push(fmt_score(s));
                }
                assert_eq!(got, want);
            }
            _ => {
                let got = cmd(&mut c, &[b"ZCARD", b"k"]);
                assert_eq!(got, format!(":{}\r\n", model.len()).into_bytes());
                let enc = items(&cmd(&mut c, &[b"OBJECT", b"ENCODING", b"k"]));
                if model.len() > 128 {
                    assert_eq!(enc, vec![b"skiplist".to_vec()]);
                    saw_skiplist = true;
                }
            }
        }
        let exists = cmd(&mut c, &[b"EXISTS", b"k"]);
        assert_eq!(
            exists,
            format!(":{}\r\n", u8::from(!model.is_empty())).into_bytes()
        );
    }
    assert!(
        saw_skiplist,
        "the test never grew the set past the listpack limit"
    );
}

/// Lex ranges against a model on a set whose scores are all equal, with binary
/// members.
#[test]
fn random_lex_ranges_match_a_model() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut members: Vec<Vec<u8>> = Vec::new();
    let mut seed = 77u64;
    let mut rnd = move |n: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    for _ in 0..200 {
        let len = rnd(4) as usize;
        let m: Vec<u8> = (0..len)
            .map(|_| [0u8, b'a', b'b', 0xff][rnd(4) as usize])
            .collect();
        cmd(&mut c, &[b"ZADD", b"lex", b"0", &m]);
        members.push(m);
    }
    let set: BTreeMap<Vec<u8>, ()> = members.into_iter().map(|m| (m, ())).collect();
    let pick = |r: u64, m: &[u8]| -> Vec<u8> {
        match r {
            0 => b"-".to_vec(),
            1 => b"+".to_vec(),
            2 => [b"(".as_slice(), m].concat(),
            _ => [b"[".as_slice(), m].concat(),
        }
    };
    let inside = |b: &[u8], m: &[u8], low: bool| -> bool {
        match b[0] {
            b'-' => low,
            b'+' => !low,
            b'(' => {
                if low {
                    m > &b[1..]
                } else {
                    m < &b[1..]
                }
            }
            _ => {
                if low {
                    m >= &b[1..]
                } else {
                    m <= &b[1..]
                }
            }
        }
    };
    let keys: Vec<Vec<u8>> = set.keys().cloned().collect();
    for _ in 0..500 {
        let a = pick(rnd(5), &keys[rnd(keys.len() as u64) as usize]);
        let b = pick(rnd(5), &keys[rnd(keys.len() as u64) as usize]);
        let want: Vec<Vec<u8>> = keys
            .iter()
            .filter(|m| inside(&a, m, true) && inside(&b, m, false))
            .cloned()
            .collect();
        assert_eq!(items(&cmd(&mut c, &[b"ZRANGEBYLEX", b"lex", &a, &b])), want);
        let mut rev = want.clone();
        rev.reverse();
        assert_eq!(
            items(&cmd(&mut c, &[b"ZREVRANGEBYLEX", b"lex", &b, &a])),
            rev
        );
        assert_eq!(
            cmd(&mut c, &[b"ZLEXCOUNT", b"lex", &a, &b]),
            format!(":{}\r\n", want.len()).into_bytes()
        );
    }
}

#[test]
fn converts_to_skiplist_past_the_limits() {
    let srv = start_server();
    let mut c = srv.connect();
    for i in 0..128 {
        let m = format!("m{i}");
        cmd(&mut c, &[b"ZADD", b"z", b"1", m.as_bytes()]);
    }
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
    assert_eq!(c.q("ZADD z 1 m0"), ":0\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nlistpack\r\n");
    assert_eq!(c.q("ZADD z 2 one-more"), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nskiplist\r\n");
    // Removing members does not convert back.
    assert_eq!(c.q("ZREMRANGEBYRANK z 0 100"), ":101\r\n");
    assert_eq!(c.q("OBJECT ENCODING z"), "$8\r\nskiplist\r\n");
    assert_eq!(
        c.q("ZRANGE z -1 -1 WITHSCORES"),
        "*2\r\n$8\r\none-more\r\n$1\r\n2\r\n"
    );
    let long = "x".repeat(65);
    assert_eq!(c.q(&format!("ZADD w 1 {long}")), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING w"), "$8\r\nskiplist\r\n");
    assert_eq!(c.q("ZADD w2 1 a"), ":1\r\n");
    assert_eq!(c.q(&format!("ZADD w2 1 {long}")), ":1\r\n");
    assert_eq!(c.q("OBJECT ENCODING w2"), "$8\r\nskiplist\r\n");
}

/// A full ZSCAN of a skiplist set returns every member present for the whole scan
/// exactly once, even while other members come and go and scores change.
#[test]
fn zscan_keeps_its_guarantee_under_writes() {
    let srv = start_server();
    let mut c = srv.connect();
    let mut w = srv.connect();
    for i in 0..1000 {
        let m = format!("keep{i}");
        let s = i.to_string();
        cmd(&mut c, &[b"ZADD", b"z", s.as_bytes(), m.as_bytes()]);
    }
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let mut cursor = b"0".to_vec();
    let mut round = 0;
    loop {
        let r = items(&cmd(&mut c, &[b"ZSCAN", b"z", &cursor, b"COUNT", b"37"]));
        for pair in r[1..].chunks(2) {
            seen.push(pair[0].clone());
        }
        // Writes between calls: new members, removed transient members, moved scores.
        let t = format!("temp{round}");
        cmd(&mut w, &[b"ZADD", b"z", b"-5", t.as_bytes()]);
        if round % 2 == 1 {
            let old = format!("temp{}", round - 1);
            cmd(&mut w, &[b"ZREM", b"z", old.as_bytes()]);
        }
        let mv = format!("keep{}", (round * 7) % 1000);
        cmd(&mut w, &[b"ZINCRBY", b"z", b"5000", mv.as_bytes()]);
        round += 1;
        cursor = r[0].clone();
        if cursor == b"0" {
            break;
        }
        assert!(round < 1000, "scan does not end");
    }
    let keep: Vec<&Vec<u8>> = seen.iter().filter(|m| m.starts_with(b"keep")).collect();
    let distinct: HashSet<&Vec<u8>> = keep.iter().copied().collect();
    assert_eq!(keep.len(), 1000, "each kept member exactly once");
    assert_eq!(distinct.len(), 1000);
}

#[test]
fn zrandmember_picks_members() {
    let srv = start_server();
    let mut c = srv.connect();
    for i in 0..200 {
        let m = format!("m{i}");
        let s = i.to_string();
        cmd(&mut c, &[b"ZADD", b"z", s.as_bytes(), m.as_bytes()]);
    }
    for n in [1usize, 5, 60, 150, 199] {
        let ns = n.to_string();
        let got = items(&cmd(
            &mut c,
            &[b"ZRANDMEMBER", b"z", ns.as_bytes(), b"WITHSCORES"],
        ));
        assert_eq!(got.len(), n * 2);
        let distinct: HashSet<&Vec<u8>> = got.iter().step_by(2).collect();
        assert_eq!(distinct.len(), n, "distinct picks");
        for p in got.chunks(2) {
            assert_eq!(&p[0][1..], &p[1][..], "score of {:?}", p[0]);
        }
    }
    let got = items(&cmd(&mut c, &[b"ZRANDMEMBER", b"z", b"-500"]));
    assert_eq!(got.len(), 500);
    assert!(got.iter().all(|m| m[0] == b'm'));
    let one = items(&cmd(&mut c, &[b"ZRANDMEMBER", b"z"]));
    assert_eq!(one.len(), 1);
}

#[test]
fn keyspace_events_are_redis_events() {
    let srv = start_server();
    let mut s = srv.connect();
    let mut c = srv.connect();
    assert_eq!(c.q("CONFIG SET notify-keyspace-events KEA"), "+OK\r\n");
    s.send(&multibulk(&[b"PSUBSCRIBE", b"__keyevent*"]));
    s.read_reply();
    for line in [
        "ZADD z 1 a 2 b 3 c",
        "ZADD z 1 a",
        "ZADD z NX 5 a",
        "ZINCRBY z 1 a",
        "ZREM z nope",
        "ZREM z a",
        "ZREMRANGEBYRANK z 0 0",
        "ZADD z 4 d",
        "ZREMRANGEBYSCORE z 3 3",
        "ZREMRANGEBYLEX z - +",
        "ZADD z 1 a 2 b",
        "ZPOPMIN z",
        "ZPOPMAX z 5",
        "ZADD z 1 a",
        "ZUNIONSTORE d 1 z",
        "ZINTERSTORE d 1 z",
        "ZDIFFSTORE d 1 z",
        "ZRANGESTORE d z 0 -1",
        "ZRANGESTORE d z 5 6",
        "ZMPOP 1 z MAX",
    ] {
        c.q(line);
    }
    // Recorded from redis-server 7.0.15 (event, key).
    let want = [
        ("zadd", "z"),
        ("zincr", "z"),
        ("zrem", "z"),
        ("zremrangebyrank", "z"),
        ("zadd", "z"),
        ("zremrangebyscore", "z"),
        ("zremrangebylex", "z"),
        ("del", "z"),
        ("zadd", "z"),
        ("zpopmin", "z"),
        ("zpopmax", "z"),
        ("del", "z"),
        ("zadd", "z"),
        ("zunionstore", "d"),
        ("zinterstore", "d"),
        ("zdiffstore", "d"),
        ("zrangestore", "d"),
        ("del", "d"),
        ("zpopmax", "z"),
        ("del", "z"),
    ];
    for (ev, key) in want {
        let got = items(&s.read_reply());
        assert_eq!(
            got,
            vec![
                b"pmessage".to_vec(),
                b"__keyevent*".to_vec(),
                format!("__keyevent@0__:{ev}").into_bytes(),
                key.as_bytes().to_vec()
            ]
        );
    }
}
