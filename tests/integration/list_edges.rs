//! More list cases over TCP, from a second recorded session (argument errors,
//! the order in which Redis checks key, type and arguments, LPOS's edges,
//! hexadecimal timeouts, CLIENT UNBLOCK's arity), each reply byte for byte what
//! redis-server 7.0.15 answered; and blocking pops served from the key that
//! filled, in MULTI, pipelined behind a wait, and their keyspace events.
use super::support::{run_cases, start_server, Cases, Conn, TestServer};
use std::time::{Duration, Instant};

const CASES: Cases = &[
    (&[b"rpush", b"l", b"a", b"b", b"c"], b":3\x0d\x0a"),
    (&[b"llen", b"l"], b":3\x0d\x0a"),
    (&[b"llen", b"nokey"], b":0\x0d\x0a"),
    (&[b"lpush", b"l", b"z"], b":4\x0d\x0a"),
    (&[b"lpushx", b"nokey", b"a"], b":0\x0d\x0a"),
    (&[b"rpushx", b"nokey", b"a"], b":0\x0d\x0a"),
    (&[b"lpushx", b"l", b"y"], b":5\x0d\x0a"),
    (&[b"rpushx", b"l", b"d", b"e"], b":7\x0d\x0a"),
    (&[b"lrange", b"l", b"0", b"-1"], b"*7\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a"),
    (&[b"lrange", b"l", b"-3", b"-1"], b"*3\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a"),
    (&[b"lrange", b"l", b"-100", b"100"], b"*7\x0d\x0a$1\x0d\x0ay\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0ae\x0d\x0a"),
    (&[b"lrange", b"l", b"5", b"2"], b"*0\x0d\x0a"),
    (&[b"lrange", b"l", b"100", b"200"], b"*0\x0d\x0a"),
    (&[b"lrange", b"l", b"-1", b"-3"], b"*0\x0d\x0a"),
    (&[b"lrange", b"nokey", b"0", b"-1"], b"*0\x0d\x0a"),
    (&[b"lrange", b"l", b"x", b"1"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"lrange", b"nokey", b"x", b"1"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"lindex", b"l", b"0"], b"$1\x0d\x0ay\x0d\x0a"),
    (&[b"lindex", b"l", b"-1"], b"$1\x0d\x0ae\x0d\x0a"),
    (&[b"lindex", b"l", b"-7"], b"$1\x0d\x0ay\x0d\x0a"),
    (&[b"lindex", b"l", b"-8"], b"$-1\x0d\x0a"),
    (&[b"lindex", b"l", b"7"], b"$-1\x0d\x0a"),
    (&[b"lindex", b"l", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"lindex", b"nokey", b"x"], b"$-1\x0d\x0a"),
    (&[b"lset", b"l", b"0", b"A"], b"+OK\x0d\x0a"),
    (&[b"lset", b"l", b"-1", b"E"], b"+OK\x0d\x0a"),
    (&[b"lset", b"l", b"7", b"Q"], b"-ERR index out of range\x0d\x0a"),
    (&[b"lset", b"l", b"-8", b"Q"], b"-ERR index out of range\x0d\x0a"),
    (&[b"lset", b"nokey", b"0", b"a"], b"-ERR no such key\x0d\x0a"),
    (&[b"lset", b"nokey", b"x", b"a"], b"-ERR no such key\x0d\x0a"),
    (&[b"lset", b"l", b"x", b"a"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"lrange", b"l", b"0", b"-1"], b"*7\x0d\x0a$1\x0d\x0aA\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0aE\x0d\x0a"),
    (&[b"linsert", b"l", b"before", b"c", b"C1"], b":8\x0d\x0a"),
    (&[b"linsert", b"l", b"after", b"c", b"C2"], b":9\x0d\x0a"),
    (&[b"linsert", b"l", b"after", b"nothere", b"x"], b":-1\x0d\x0a"),
    (&[b"linsert", b"l", b"middle", b"a", b"b"], b"-ERR syntax error\x0d\x0a"),
    (&[b"linsert", b"nokey", b"before", b"a", b"b"], b":0\x0d\x0a"),
    (&[b"lrange", b"l", b"0", b"-1"], b"*9\x0d\x0a$1\x0d\x0aA\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$2\x0d\x0aC1\x0d\x0a$1\x0d\x0ac\x0d\x0a$2\x0d\x0aC2\x0d\x0a$1\x0d\x0ad\x0d\x0a$1\x0d\x0aE\x0d\x0a"),
    (&[b"lpos", b"l", b"c"], b":5\x0d\x0a"),
    (&[b"lpos", b"l", b"nothere"], b"$-1\x0d\x0a"),
    (&[b"lpos", b"l", b"c", b"count", b"0"], b"*1\x0d\x0a:5\x0d\x0a"),
    (&[b"lpos", b"nokey", b"a"], b"$-1\x0d\x0a"),
    (&[b"lpos", b"nokey", b"a", b"count", b"0"], b"*0\x0d\x0a"),
    (&[b"lpos", b"nokey", b"a", b"rank", b"0"], b"-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"rank", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"count", b"x"], b"-ERR COUNT can't be negative\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"count", b"-1"], b"-ERR COUNT can't be negative\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"maxlen", b"-1"], b"-ERR MAXLEN can't be negative\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"foo"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lpos", b"l", b"a", b"rank"], b"-ERR syntax error\x0d\x0a"),
    (&[b"rpush", b"p", b"a", b"b", b"a", b"b", b"a"], b":5\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"-2", b"count", b"0"], b"*2\x0d\x0a:2\x0d\x0a:0\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"2", b"count", b"2"], b"*2\x0d\x0a:2\x0d\x0a:4\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"-1", b"maxlen", b"2"], b":4\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"-9223372036854775808", b"count", b"2"], b"*3\x0d\x0a:4\x0d\x0a:2\x0d\x0a:0\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"9223372036854775807"], b"$-1\x0d\x0a"),
    (&[b"lpos", b"p", b"b", b"maxlen", b"2"], b":1\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"count", b"0", b"maxlen", b"3"], b"*2\x0d\x0a:0\x0d\x0a:2\x0d\x0a"),
    (&[b"lpos", b"p", b"a", b"rank", b"-1", b"count", b"0", b"maxlen", b"2"], b"*1\x0d\x0a:4\x0d\x0a"),
    (&[b"lrem", b"p", b"1", b"a"], b":1\x0d\x0a"),
    (&[b"lrem", b"p", b"-1", b"a"], b":1\x0d\x0a"),
    (&[b"lrem", b"p", b"0", b"b"], b":2\x0d\x0a"),
    (&[b"lrange", b"p", b"0", b"-1"], b"*1\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"lrem", b"p", b"0", b"a"], b":1\x0d\x0a"),
    (&[b"exists", b"p"], b":0\x0d\x0a"),
    (&[b"lrem", b"nokey", b"0", b"a"], b":0\x0d\x0a"),
    (&[b"lrem", b"l", b"x", b"a"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"ltrim", b"l", b"1", b"-2"], b"+OK\x0d\x0a"),
    (&[b"lrange", b"l", b"0", b"-1"], b"*7\x0d\x0a$1\x0d\x0az\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a$2\x0d\x0aC1\x0d\x0a$1\x0d\x0ac\x0d\x0a$2\x0d\x0aC2\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ltrim", b"l", b"-2", b"-1"], b"+OK\x0d\x0a"),
    (&[b"lrange", b"l", b"0", b"-1"], b"*2\x0d\x0a$2\x0d\x0aC2\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"ltrim", b"l", b"5", b"10"], b"+OK\x0d\x0a"),
    (&[b"exists", b"l"], b":0\x0d\x0a"),
    (&[b"ltrim", b"nokey", b"0", b"1"], b"+OK\x0d\x0a"),
    (&[b"ltrim", b"l", b"x", b"1"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"rpush", b"l", b"1", b"2", b"3", b"4", b"5"], b":5\x0d\x0a"),
    (&[b"lpop", b"l"], b"$1\x0d\x0a1\x0d\x0a"),
    (&[b"rpop", b"l"], b"$1\x0d\x0a5\x0d\x0a"),
    (&[b"lpop", b"l", b"2"], b"*2\x0d\x0a$1\x0d\x0a2\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"rpop", b"l", b"2"], b"*1\x0d\x0a$1\x0d\x0a4\x0d\x0a"),
    (&[b"lpop", b"l", b"0"], b"*-1\x0d\x0a"),
    (&[b"lpop", b"l", b"5"], b"*-1\x0d\x0a"),
    (&[b"exists", b"l"], b":0\x0d\x0a"),
    (&[b"lpop", b"nokey"], b"$-1\x0d\x0a"),
    (&[b"lpop", b"nokey", b"0"], b"*-1\x0d\x0a"),
    (&[b"lpop", b"nokey", b"1"], b"*-1\x0d\x0a"),
    (&[b"lpop", b"l", b"x"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"lpop", b"l", b"-1"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"lpop", b"nokey", b"x"], b"-ERR value is out of range, must be positive\x0d\x0a"),
    (&[b"lpop", b"l", b"1", b"2"], b"-ERR wrong number of arguments for 'lpop' command\x0d\x0a"),
    (&[b"rpush", b"src", b"a", b"b", b"c"], b":3\x0d\x0a"),
    (&[b"lmove", b"src", b"dst", b"left", b"right"], b"$1\x0d\x0aa\x0d\x0a"),
    (&[b"lmove", b"src", b"dst", b"right", b"left"], b"$1\x0d\x0ac\x0d\x0a"),
    (&[b"lrange", b"dst", b"0", b"-1"], b"*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"rpoplpush", b"src", b"src"], b"$1\x0d\x0ab\x0d\x0a"),
    (&[b"lrange", b"src", b"0", b"-1"], b"*1\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"rpoplpush", b"src", b"dst"], b"$1\x0d\x0ab\x0d\x0a"),
    (&[b"exists", b"src"], b":0\x0d\x0a"),
    (&[b"lmove", b"src", b"dst", b"left", b"left"], b"$-1\x0d\x0a"),
    (&[b"rpoplpush", b"nokey", b"dst"], b"$-1\x0d\x0a"),
    (&[b"lmove", b"src", b"dst", b"up", b"left"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lmove", b"src", b"dst", b"left"], b"-ERR wrong number of arguments for 'lmove' command\x0d\x0a"),
    (&[b"lmpop", b"2", b"nokey", b"dst", b"right", b"count", b"2"], b"*2\x0d\x0a$3\x0d\x0adst\x0d\x0a*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ac\x0d\x0a"),
    (&[b"lmpop", b"1", b"dst", b"left", b"count", b"10"], b"*2\x0d\x0a$3\x0d\x0adst\x0d\x0a*1\x0d\x0a$1\x0d\x0ab\x0d\x0a"),
    (&[b"lmpop", b"1", b"dst", b"left"], b"*-1\x0d\x0a"),
    (&[b"lmpop", b"0", b"l", b"left"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"-1", b"l", b"left"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"x", b"l", b"left"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"1", b"l", b"middle"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lmpop", b"1", b"l", b"left", b"count", b"0"], b"-ERR count should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"1", b"l", b"left", b"count", b"-1"], b"-ERR count should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"1", b"l", b"left", b"count", b"x"], b"-ERR count should be greater than 0\x0d\x0a"),
    (&[b"lmpop", b"1", b"l", b"left", b"count", b"1", b"count", b"2"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lmpop", b"3", b"a", b"b"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lmpop", b"1", b"a", b"b", b"c"], b"-ERR syntax error\x0d\x0a"),
    (&[b"lmpop", b"2", b"l"], b"-ERR wrong number of arguments for 'lmpop' command\x0d\x0a"),
    (&[b"blpop", b"e", b"0.01"], b"*-1\x0d\x0a"),
    (&[b"brpop", b"e1", b"e2", b"0.01"], b"*-1\x0d\x0a"),
    (&[b"brpoplpush", b"e", b"f", b"0.01"], b"*-1\x0d\x0a"),
    (&[b"blmove", b"e", b"f", b"left", b"left", b"0.01"], b"*-1\x0d\x0a"),
    (&[b"blmpop", b"0.01", b"1", b"e", b"left"], b"*-1\x0d\x0a"),
    (&[b"blpop", b"e", b"-1"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"blpop", b"e", b"abc"], b"-ERR timeout is not a float or out of range\x0d\x0a"),
    (&[b"blpop", b"e", b"nan"], b"-ERR timeout is not a float or out of range\x0d\x0a"),
    (&[b"blpop", b"e", b"inf"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"blpop", b"e", b"1e400"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"blpop", b"e", b"9223372036854776"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"blpop", b"e", b""], b"-ERR timeout is not a float or out of range\x0d\x0a"),
    (&[b"blpop", b"e", b" 1"], b"-ERR timeout is not a float or out of range\x0d\x0a"),
    (&[b"blmpop", b"x", b"0", b"l", b"left"], b"-ERR numkeys should be greater than 0\x0d\x0a"),
    (&[b"blmpop", b"x", b"1", b"l", b"middle"], b"-ERR syntax error\x0d\x0a"),
    (&[b"blmpop", b"0", b"1", b"l", b"left", b"count", b"0"], b"-ERR count should be greater than 0\x0d\x0a"),
    (&[b"blmpop", b"-1", b"1", b"l", b"left"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"blmove", b"l", b"x", b"up", b"left", b"x"], b"-ERR syntax error\x0d\x0a"),
    (&[b"blmove", b"l", b"x", b"left", b"left", b"x"], b"-ERR timeout is not a float or out of range\x0d\x0a"),
    (&[b"brpoplpush", b"l", b"x", b"-1"], b"-ERR timeout is negative\x0d\x0a"),
    (&[b"rpush", b"b1", b"x"], b":1\x0d\x0a"),
    (&[b"blpop", b"nokey", b"b1", b"0x10"], b"*2\x0d\x0a$2\x0d\x0ab1\x0d\x0a$1\x0d\x0ax\x0d\x0a"),
    (&[b"rpush", b"b2", b"y", b"z"], b":2\x0d\x0a"),
    (&[b"brpop", b"nokey", b"b2", b"0"], b"*2\x0d\x0a$2\x0d\x0ab2\x0d\x0a$1\x0d\x0az\x0d\x0a"),
    (&[b"blmpop", b"0", b"2", b"nokey", b"b2", b"left", b"count", b"5"], b"*2\x0d\x0a$2\x0d\x0ab2\x0d\x0a*1\x0d\x0a$1\x0d\x0ay\x0d\x0a"),
    (&[b"rpush", b"b3", b"q"], b":1\x0d\x0a"),
    (&[b"blmove", b"b3", b"b3", b"left", b"right", b"0"], b"$1\x0d\x0aq\x0d\x0a"),
    (&[b"brpoplpush", b"b3", b"b4", b"0"], b"$1\x0d\x0aq\x0d\x0a"),
    (&[b"lrange", b"b4", b"0", b"-1"], b"*1\x0d\x0a$1\x0d\x0aq\x0d\x0a"),
    (&[b"multi"], b"+OK\x0d\x0a"),
    (&[b"blpop", b"e", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"brpop", b"e", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"brpoplpush", b"e", b"f", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"blmove", b"e", b"f", b"left", b"right", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"blmpop", b"0", b"1", b"e", b"left"], b"+QUEUED\x0d\x0a"),
    (&[b"exec"], b"*5\x0d\x0a*-1\x0d\x0a*-1\x0d\x0a$-1\x0d\x0a$-1\x0d\x0a*-1\x0d\x0a"),
    (&[b"set", b"s", b"v"], b"+OK\x0d\x0a"),
    (&[b"lpush", b"s", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"rpush", b"s", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lpushx", b"s", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lpop", b"s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"rpop", b"s", b"1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"llen", b"s"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lrange", b"s", b"0", b"1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lindex", b"s", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lset", b"s", b"0", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"linsert", b"s", b"before", b"a", b"b"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lrem", b"s", b"0", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"ltrim", b"s", b"0", b"1"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lpos", b"s", b"a"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lmove", b"s", b"dst", b"left", b"left"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"rpush", b"t", b"x"], b":1\x0d\x0a"),
    (&[b"lmove", b"t", b"s", b"left", b"left"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"lrange", b"t", b"0", b"-1"], b"*1\x0d\x0a$1\x0d\x0ax\x0d\x0a"),
    (&[b"lmpop", b"2", b"nokey", b"s", b"left"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"blpop", b"s", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"blpop", b"nokey", b"s", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"blmove", b"s", b"t", b"left", b"left", b"0"], b"-WRONGTYPE Operation against a key holding the wrong kind of value\x0d\x0a"),
    (&[b"rpush", b"l2", b"a"], b":1\x0d\x0a"),
    (&[b"object", b"encoding", b"l2"], b"$9\x0d\x0aquicklist\x0d\x0a"),
    (&[b"type", b"l2"], b"+list\x0d\x0a"),
    (&[b"config", b"get", b"list-max-*"], b"*4\x0d\x0a$22\x0d\x0alist-max-listpack-size\x0d\x0a$2\x0d\x0a-2\x0d\x0a$21\x0d\x0alist-max-ziplist-size\x0d\x0a$2\x0d\x0a-2\x0d\x0a"),
    (&[b"config", b"get", b"list-compress-depth"], b"*2\x0d\x0a$19\x0d\x0alist-compress-depth\x0d\x0a$1\x0d\x0a0\x0d\x0a"),
    (&[b"config", b"set", b"list-max-listpack-size", b"4"], b"+OK\x0d\x0a"),
    (&[b"config", b"get", b"list-max-ziplist-size"], b"*2\x0d\x0a$21\x0d\x0alist-max-ziplist-size\x0d\x0a$1\x0d\x0a4\x0d\x0a"),
    (&[b"config", b"set", b"list-max-ziplist-size", b"-2"], b"+OK\x0d\x0a"),
    (&[b"config", b"set", b"list-max-ziplist-size", b"x"], b"-ERR CONFIG SET failed (possibly related to argument 'list-max-ziplist-size') - argument couldn't be parsed into an integer\x0d\x0a"),
    (&[b"client", b"unblock", b"abc"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"client", b"unblock", b"1", b"foo"], b"-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\x0d\x0a"),
    (&[b"client", b"unblock", b"99999"], b":0\x0d\x0a"),
    (&[b"client", b"unblock", b"99999", b"error"], b":0\x0d\x0a"),
    (&[b"client", b"unblock", b"-1", b"timeout"], b":0\x0d\x0a"),
    (&[b"client", b"unblock"], b"-ERR wrong number of arguments for 'client|unblock' command\x0d\x0a"),
    (&[b"client", b"unblock", b"1", b"2", b"3"], b"-ERR unknown subcommand or wrong number of arguments for 'unblock'. Try CLIENT HELP.\x0d\x0a"),
    (&[b"lpush"], b"-ERR wrong number of arguments for 'lpush' command\x0d\x0a"),
    (&[b"lpush", b"l"], b"-ERR wrong number of arguments for 'lpush' command\x0d\x0a"),
    (&[b"llen"], b"-ERR wrong number of arguments for 'llen' command\x0d\x0a"),
    (&[b"lmove", b"a", b"b", b"left", b"right", b"extra"], b"-ERR wrong number of arguments for 'lmove' command\x0d\x0a"),
];

#[test]
fn replies_match_redis() {
    run_cases(CASES);
}

/// Waits until the server reports `n` blocked clients.
fn wait_blocked(srv: &TestServer, n: usize) {
    super::list::until_blocked(&mut srv.connect(), n);
}

/// Sends a command without waiting for its reply.
fn send(c: &mut Conn, line: &str) {
    let args: Vec<&[u8]> = line.split_whitespace().map(str::as_bytes).collect();
    c.send(&super::support::multibulk(&args));
}

fn text(c: &mut Conn) -> String {
    String::from_utf8_lossy(&c.read_reply()).into_owned()
}

#[test]
fn blpop_is_woken_by_a_push_from_another_client() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    send(&mut a, "BLPOP k 0");
    wait_blocked(&srv, 1);
    assert!(b.q("CLIENT LIST").contains("flags=b"));
    assert_eq!(b.q("RPUSH k v1 v2"), ":2\r\n");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nk\r\n$2\r\nv1\r\n");
    assert_eq!(b.q("LRANGE k 0 -1"), "*1\r\n$2\r\nv2\r\n");
    assert!(b.q("INFO clients").contains("blocked_clients:0\r\n"));
    // The connection goes on normally afterwards.
    assert_eq!(a.q("PING"), "+PONG\r\n");
}

#[test]
fn brpop_served_by_exec_takes_the_first_key_made_ready() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    send(&mut a, "BRPOP k1 k2 0");
    wait_blocked(&srv, 1);
    b.q("MULTI");
    b.q("RPUSH k2 x");
    b.q("RPUSH k1 y");
    assert_eq!(b.q("EXEC"), "*2\r\n:1\r\n:1\r\n");
    assert_eq!(text(&mut a), "*2\r\n$2\r\nk2\r\n$1\r\nx\r\n");
    assert_eq!(b.q("EXISTS k1 k2"), ":1\r\n");
}

#[test]
fn lmove_into_a_waited_key_wakes_and_blmove_chains() {
    let srv = start_server();
    let (mut a, mut b, mut c) = (srv.connect(), srv.connect(), srv.connect());
    send(&mut a, "BLPOP d 0");
    wait_blocked(&srv, 1);
    c.q("RPUSH s v");
    assert_eq!(c.q("LMOVE s d LEFT LEFT"), "$1\r\nv\r\n");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nd\r\n$1\r\nv\r\n");
    // BLMOVE a -> b wakes a BLPOP on b in the same round.
    send(&mut a, "BLMOVE x y LEFT RIGHT 0");
    wait_blocked(&srv, 1);
    send(&mut b, "BLPOP y 0");
    wait_blocked(&srv, 2);
    assert_eq!(c.q("RPUSH x 1"), ":1\r\n");
    assert_eq!(text(&mut a), "$1\r\n1\r\n");
    assert_eq!(text(&mut b), "*2\r\n$1\r\ny\r\n$1\r\n1\r\n");
    assert_eq!(c.q("EXISTS x y"), ":0\r\n");
    // A destination of another type: the blocked BLMOVE answers WRONGTYPE and the
    // element stays in the source.
    c.q("SET ws 1");
    send(&mut a, "BRPOPLPUSH wa ws 0");
    wait_blocked(&srv, 1);
    c.q("RPUSH wa e");
    assert_eq!(
        text(&mut a),
        "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
    );
    assert_eq!(c.q("LRANGE wa 0 -1"), "*1\r\n$1\r\ne\r\n");
}

#[test]
fn blmpop_served_with_count() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    send(&mut a, "BLMPOP 0 2 m1 m2 RIGHT COUNT 2");
    wait_blocked(&srv, 1);
    b.q("RPUSH m2 a b c");
    assert_eq!(
        text(&mut a),
        "*2\r\n$2\r\nm2\r\n*2\r\n$1\r\nc\r\n$1\r\nb\r\n"
    );
    assert_eq!(b.q("LRANGE m2 0 -1"), "*1\r\n$1\r\na\r\n");
}

#[test]
fn fractional_timeouts_answer_a_null_array() {
    let srv = start_server();
    let mut a = srv.connect();
    let t = Instant::now();
    assert_eq!(a.q("BLPOP k 0.25"), "*-1\r\n");
    let took = t.elapsed();
    assert!(took >= Duration::from_millis(240), "{took:?}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(a.q("BLMOVE k d LEFT LEFT 0.05"), "*-1\r\n");
    assert!(a.q("INFO clients").contains("blocked_clients:0\r\n"));
}

#[test]
fn client_unblock_with_timeout_or_error() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    let id = a.q("CLIENT ID");
    let id = id.trim_start_matches(':').trim();
    send(&mut a, "BLPOP k 0");
    wait_blocked(&srv, 1);
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id}")), ":1\r\n");
    assert_eq!(text(&mut a), "*-1\r\n");
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id}")), ":0\r\n");
    send(&mut a, "BRPOPLPUSH k d 0");
    wait_blocked(&srv, 1);
    assert_eq!(b.q(&format!("CLIENT UNBLOCK {id} ERROR")), ":1\r\n");
    assert_eq!(
        text(&mut a),
        "-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n"
    );
    assert!(b.q("INFO clients").contains("blocked_clients:0\r\n"));
}

#[test]
fn requests_pipelined_behind_a_blocked_one_run_after_it() {
    let srv = start_server();
    let (mut a, mut b) = (srv.connect(), srv.connect());
    a.send(b"*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n");
    wait_blocked(&srv, 1);
    // More input while blocked is kept for later.
    send(&mut a, "ECHO later");
    std::thread::sleep(Duration::from_millis(150));
    b.q("RPUSH k v");
    assert_eq!(text(&mut a), "*2\r\n$1\r\nk\r\n$1\r\nv\r\n");
    assert_eq!(text(&mut a), "+PONG\r\n");
    assert_eq!(text(&mut a), "$5\r\nlater\r\n");
}

#[test]
fn keyspace_events_of_list_commands() {
    let srv = start_server();
    let (mut c, mut sub) = (srv.connect(), srv.connect());
    c.q("CONFIG SET notify-keyspace-events KEA");
    sub.q("PSUBSCRIBE __keyevent@0__:*");
    for line in [
        "RPUSH src a b",
        "LMOVE src dst LEFT RIGHT",
        "LMOVE src dst RIGHT LEFT",
        "RPOPLPUSH dst dst",
        "LPUSHX dst z",
        "LINSERT dst BEFORE z y",
        "LSET dst 0 q",
        "LREM dst 1 q",
        "LTRIM dst 0 0",
        "LMPOP 1 dst LEFT",
        "RPUSH m 1 2 3",
        "LPOP m 3",
    ] {
        c.q(line);
    }
    let want = [
        "rpush", "rpush", "lpop", "lpush", "rpop", "del", "lpush", "rpop", "lpush", "linsert",
        "lset", "lrem", "ltrim", "lpop", "del", "rpush", "lpop", "del",
    ];
    for ev in want {
        let msg = text(&mut sub);
        let tail = format!("__keyevent@0__:{ev}\r\n");
        assert!(msg.contains(&tail), "want {ev}, got {msg:?}");
    }
}

#[test]
fn blocking_commands_in_multi_answer_at_once() {
    let srv = start_server();
    let mut a = srv.connect();
    a.q("MULTI");
    a.q("BLPOP e 0");
    a.q("BRPOPLPUSH e f 0");
    a.q("BLMPOP 0 1 e LEFT");
    assert_eq!(a.q("EXEC"), "*3\r\n*-1\r\n$-1\r\n*-1\r\n");
    assert!(a.q("INFO clients").contains("blocked_clients:0\r\n"));
}
