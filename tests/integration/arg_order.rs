//! The order in which commands check the key, its type and their other
//! arguments: each command with a bad number argument against a missing key
//! and against a key of every type. Replies recorded from redis-server 7.0.15
//! (a missing key often answers empty before the argument is read).
use super::support::{run_cases, Cases};

const CASES: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (&[b"LINDEX", b"nokey", b"x"], b"$-1\x0d\x0a"),
    (
        &[b"LSET", b"nokey", b"x", b"v"],
        b"-ERR no such key\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"nokey", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"nokey", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"nokey", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"nokey", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"nokey", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"nokey", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"nokey", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"nokey"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"nokey", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"nokey", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"nokey", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"nokey", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"nokey", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"nokey", b"0", b"COUNT", b"x"],
        b"*2\x0d\x0a$1\x0d\x0a0\x0d\x0a*0\x0d\x0a",
    ),
    (
        &[b"SPOP", b"nokey", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"nokey", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"nokey", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"nokey"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"nokey", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"nokey", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"nokey", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"nokey", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"nokey", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"nokey", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"nokey", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"nokey", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"nokey", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"nokey", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"nokey", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"nokey", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"nokey", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"nokey", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"nokey", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"nokey", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"nokey", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"nokey", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"nokey", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"nokey", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"GETEX", b"nokey", b"EX", b"x"], b"$-1\x0d\x0a"),
    (
        &[b"SORT", b"nokey", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"OBJECT", b"ENCODING", b"nokey"], b"$-1\x0d\x0a"),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (
        &[b"LINDEX", b"str", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LSET", b"str", b"x", b"v"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"str", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"str", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"str", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"str", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"str", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"str", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"str", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"str"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"str", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"str", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"str", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"str", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"str", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"str", b"0", b"COUNT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SPOP", b"str", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"str", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"str", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"str"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"str", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"str", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"str", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"str", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"str", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"str", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"str", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"str", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"str", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"str", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"str", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"str", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"str", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"str", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"str", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"str", b"LIMIT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"str", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"str", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"str", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"str", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETEX", b"str", b"EX", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SORT", b"str", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"OBJECT", b"ENCODING", b"str"],
        b"$6\x0d\x0aembstr\x0d\x0a",
    ),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (
        &[b"LINDEX", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LSET", b"lst", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"lst", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"lst", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"lst", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"lst", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"lst", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"lst", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"lst", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"lst"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"lst", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"lst", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"lst", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"lst", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"lst", b"0", b"COUNT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SPOP", b"lst", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"lst", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"lst"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"lst", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"lst", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"lst", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"lst", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"lst", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"lst", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"lst", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"lst", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"lst", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"lst", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"lst", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"lst", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"lst", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"lst", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"lst", b"LIMIT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"lst", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"lst", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"lst", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETEX", b"lst", b"EX", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SORT", b"lst", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"OBJECT", b"ENCODING", b"lst"],
        b"$9\x0d\x0aquicklist\x0d\x0a",
    ),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (
        &[b"LINDEX", b"h", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LSET", b"h", b"x", b"v"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"h", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"h", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"h", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"h", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"h", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"h", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"h", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"h"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"h", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"h", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"h", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"h", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"h", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"h", b"0", b"COUNT", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SPOP", b"h", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"h", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"h", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"h"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"h", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"h", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"h", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"h", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"h", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"h", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"h", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"h", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"h", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"h", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"h", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"h", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"h", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"h", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"h", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"h", b"LIMIT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"h", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"h", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"h", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"h", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETEX", b"h", b"EX", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SORT", b"h", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"OBJECT", b"ENCODING", b"h"],
        b"$8\x0d\x0alistpack\x0d\x0a",
    ),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (
        &[b"LINDEX", b"s", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LSET", b"s", b"x", b"v"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"s", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"s", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"s", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"s", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"s", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"s", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"s", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"s"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"s", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"s", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"s", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"s", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"s", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"s", b"0", b"COUNT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SPOP", b"s", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"s", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"s", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"s"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"s", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"s", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"s", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"s", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"s", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"s", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"s", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"s", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"s", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"s", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"s", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"s", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"s", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"s", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"s", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"s", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"s", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"s", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"s", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"s", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETEX", b"s", b"EX", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SORT", b"s", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"OBJECT", b"ENCODING", b"s"],
        b"$9\x0d\x0ahashtable\x0d\x0a",
    ),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
    (
        &[b"LINDEX", b"z", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LSET", b"z", b"x", b"v"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"LRANGE", b"z", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LTRIM", b"z", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"z", b"a", b"RANK", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOS", b"z", b"a", b"COUNT", b"-1"],
        b"-ERR COUNT can't be negative\x0d\x0a",
    ),
    (
        &[b"LREM", b"z", b"x", b"a"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"LPOP", b"z", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"RPOP", b"z", b"-1"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"x", b"LEFT", b"z"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"LMPOP", b"1", b"z", b"LEFT", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"HINCRBY", b"z", b"f", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"HINCRBYFLOAT", b"z", b"f", b"x"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"HRANDFIELD", b"z", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"HSCAN", b"z", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"HSCAN", b"z", b"0", b"COUNT", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SPOP", b"z", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (
        &[b"SRANDMEMBER", b"z", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (&[b"SSCAN", b"z", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"SINTERCARD", b"x", b"z"],
        b"-ERR numkeys should be greater than 0\x0d\x0a",
    ),
    (
        &[b"SINTERCARD", b"1", b"z", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"ZINCRBY", b"z", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZRANGE", b"z", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYSCORE", b"z", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANGEBYLEX", b"z", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZCOUNT", b"z", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZLEXCOUNT", b"z", b"x", b"+"],
        b"-ERR min or max not valid string range item\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYRANK", b"z", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZREMRANGEBYSCORE", b"z", b"x", b"1"],
        b"-ERR min or max is not a float\x0d\x0a",
    ),
    (
        &[b"ZRANDMEMBER", b"z", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZPOPMIN", b"z", b"x"],
        b"-ERR value is out of range, must be positive\x0d\x0a",
    ),
    (&[b"ZSCAN", b"z", b"x"], b"-ERR invalid cursor\x0d\x0a"),
    (
        &[b"ZRANGE", b"z", b"0", b"1", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"ZMPOP", b"1", b"z", b"MIN", b"COUNT", b"x"],
        b"-ERR count should be greater than 0\x0d\x0a",
    ),
    (
        &[b"ZADD", b"z", b"x", b"m"],
        b"-ERR value is not a valid float\x0d\x0a",
    ),
    (
        &[b"ZINTERCARD", b"1", b"z", b"LIMIT", b"x"],
        b"-ERR LIMIT can't be negative\x0d\x0a",
    ),
    (
        &[b"INCRBY", b"z", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETRANGE", b"z", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"SETRANGE", b"z", b"x", b"v"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"EXPIRE", b"z", b"x"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"GETEX", b"z", b"EX", b"x"],
        b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a",
    ),
    (
        &[b"SORT", b"z", b"LIMIT", b"x", b"1"],
        b"-ERR value is not an integer or out of range\x0d\x0a",
    ),
    (
        &[b"OBJECT", b"ENCODING", b"z"],
        b"$8\x0d\x0alistpack\x0d\x0a",
    ),
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SET", b"str", b"v"], b"+OK\x0d\x0a"),
    (&[b"RPUSH", b"lst", b"a"], b":1\x0d\x0a"),
    (&[b"HSET", b"h", b"f", b"v"], b":1\x0d\x0a"),
    (&[b"SADD", b"s", b"m"], b":1\x0d\x0a"),
    (&[b"ZADD", b"z", b"1", b"m"], b":1\x0d\x0a"),
];

#[test]
fn argument_checks_come_in_redis_order() {
    run_cases(CASES);
}
