//! Scripting over TCP: EVAL/EVALSHA/EVAL_RO/EVALSHA_RO/SCRIPT replies compared byte
//! for byte with what redis-server 7.0.15 answered to the same requests (recorded
//! below, in order, on one connection of a fresh server), plus the behaviours that
//! need several connections: busy scripts, SCRIPT KILL, WATCH, PUBLISH.
use super::support::{run_cases, start_server, start_server_with, Cases};
use std::time::{Duration, Instant};

const CASES: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"SCRIPT", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"return 1", b"0"], b":1\x0d\x0a"),
    (&[b"EVAL", b"return {1,2,{3,'x'},nil,4}", b"0"], b"*3\x0d\x0a:1\x0d\x0a:2\x0d\x0a*2\x0d\x0a:3\x0d\x0a$1\x0d\x0ax\x0d\x0a"),
    (&[b"EVAL", b"return 3.99", b"0"], b":3\x0d\x0a"),
    (&[b"EVAL", b"return -3.99", b"0"], b":-3\x0d\x0a"),
    (&[b"EVAL", b"return true", b"0"], b":1\x0d\x0a"),
    (&[b"EVAL", b"return false", b"0"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"return nil", b"0"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"return 1e20", b"0"], b":-9223372036854775808\x0d\x0a"),
    (&[b"EVAL", b"return 0/0", b"0"], b":-9223372036854775808\x0d\x0a"),
    (&[b"EVAL", b"return {ok='fine'}", b"0"], b"+fine\x0d\x0a"),
    (&[b"EVAL", b"return {err='bad thing'}", b"0"], b"-bad thing\x0d\x0a"),
    (&[b"EVAL", b"return {err='bad\\nthing'}", b"0"], b"-bad thing\x0d\x0a"),
    (&[b"EVAL", b"return {1,{err='x'},3}", b"0"], b"*3\x0d\x0a:1\x0d\x0a-x\x0d\x0a:3\x0d\x0a"),
    (&[b"EVAL", b"return {1,{ok='x'},3}", b"0"], b"*3\x0d\x0a:1\x0d\x0a+x\x0d\x0a:3\x0d\x0a"),
    (&[b"EVAL", b"return {ok=5}", b"0"], b"*0\x0d\x0a"),
    (&[b"EVAL", b"return {double=3.5}", b"0"], b"$3\x0d\x0a3.5\x0d\x0a"),
    (&[b"EVAL", b"return {map={a=1}}", b"0"], b"*2\x0d\x0a$1\x0d\x0aa\x0d\x0a:1\x0d\x0a"),
    (&[b"EVAL", b"return {set={a=true}}", b"0"], b"*1\x0d\x0a$1\x0d\x0aa\x0d\x0a"),
    (&[b"EVAL", b"return {big_number='123'}", b"0"], b"$3\x0d\x0a123\x0d\x0a"),
    (&[b"EVAL", b"return {KEYS[1], KEYS[2], ARGV[1], ARGV[2], #ARGV}", b"2", b"k1", b"k\x002", b"a1", b"a\xff"], b"*5\x0d\x0a$2\x0d\x0ak1\x0d\x0a$3\x0d\x0ak\x002\x0d\x0a$2\x0d\x0aa1\x0d\x0a$2\x0d\x0aa\xff\x0d\x0a:2\x0d\x0a"),
    (&[b"EVAL", b"return 1", b"2", b"a"], b"-ERR Number of keys can't be greater than number of args\x0d\x0a"),
    (&[b"EVAL", b"return 1", b"-1"], b"-ERR Number of keys can't be negative\x0d\x0a"),
    (&[b"EVAL", b"return 1", b"x"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"EVAL", b"return 1"], b"-ERR wrong number of arguments for 'eval' command\x0d\x0a"),
    (&[b"EVALSHA", b"ffffffffffffffffffffffffffffffffffffffff", b"0"], b"-NOSCRIPT No matching script. Please use EVAL.\x0d\x0a"),
    (&[b"EVALSHA", b"abc", b"0"], b"-NOSCRIPT No matching script. Please use EVAL.\x0d\x0a"),
    (&[b"SCRIPT", b"LOAD", b"return 'loaded'"], b"$40\x0d\x0ab534286061d4b9e4026607613b95c06c06015ae8\x0d\x0a"),
    (&[b"EVALSHA", b"b534286061d4b9e4026607613b95c06c06015ae8", b"0"], b"$6\x0d\x0aloaded\x0d\x0a"),
    (&[b"SCRIPT", b"EXISTS", b"b534286061d4b9e4026607613b95c06c06015ae8", b"B534286061D4B9E4026607613B95C06C06015AE8", b"nope"], b"*3\x0d\x0a:1\x0d\x0a:1\x0d\x0a:0\x0d\x0a"),
    (&[b"SCRIPT", b"LOAD", b"return +"], b"-ERR Error compiling script (new function): user_script:1: unexpected symbol near '+'\x0d\x0a"),
    (&[b"EVAL", b"return 1 +", b"0"], b"-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\x0d\x0a"),
    (&[b"EVAL", b"return 'cached by eval'", b"0"], b"$14\x0d\x0acached by eval\x0d\x0a"),
    (&[b"EVALSHA", b"14a0ec5969ac10dc856a79479466fd953463f052", b"0"], b"$14\x0d\x0acached by eval\x0d\x0a"),
    (&[b"EVAL", b"error('ERR foo')", b"0"], b"-ERR user_script:1: ERR foo script: c279a82e0ffc897c1b469b823b28888636dcc94d, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error('foo')", b"0"], b"-ERR user_script:1: foo script: 3636b3c71d6a755d5b3f0a4d22850f935598f38d, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error({err='X y'})", b"0"], b"-X y script: 4fba4bac04df521d52f90e9091a962514f12c323, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error(5)", b"0"], b"-ERR user_script:1: 5 script: 007feaf5de074afe3398416376e34525ad911752, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error()", b"0"], b"-ERR nil script: aca90d914519fdb9825352bdc0befb59f7c8510f, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error('foo', 0)", b"0"], b"-ERR foo script: 61bac73800c22993a866293205187690e880369a, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"error(redis.sha1hex())", b"0"], b"-ERR wrong number of arguments script: 736710e5f15f85d836b024f776921a0f966517b8, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"local a = 1\x0aerror('two')", b"0"], b"-ERR user_script:2: two script: 993cf434b5be4bfc3c78f7d22dfbdac965af84d8, on @user_script:2.\x0d\x0a"),
    (&[b"EVAL", b"x=1", b"0"], b"-ERR user_script:1: Attempt to modify a readonly table script: 7caf6056913504f0508c65faf2dc3f94ff65bcfd, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return y", b"0"], b"-ERR user_script:1: Script attempted to access nonexistent global variable 'y' script: e278681ed961e2fb52881313e5c90fdd93749940, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"string.foo=1", b"0"], b"-ERR user_script:1: Attempt to modify a readonly table script: 430e58f82d10fb9c20c167012c39650705856070, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"setmetatable(_G, nil)", b"0"], b"-ERR Attempt to modify a readonly table script: 22fdd3b51da2d4bc6703d71d651cd782d8e5a35f, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('nocommand')", b"0"], b"-ERR Unknown Redis command called from script script: a766089f0d3064b2af94398b76e10b9e480dbc86, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.pcall('nocommand')", b"0"], b"-ERR Unknown Redis command called from script\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('get')", b"0"], b"-ERR Wrong number of args calling Redis command from script script: f187dee77f607f7cff00bbabc9df38507582c78d, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.pcall('get')", b"0"], b"-ERR Wrong number of args calling Redis command from script\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('eval','return 1', 0)", b"0"], b"-ERR This Redis command is not allowed from script script: 498b5081e21f7e3039493da0ab415ae08f116868, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('subscribe','x')", b"0"], b"-ERR This Redis command is not allowed from script script: 2f334966be3d5602175118691c9d198b0a695e53, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('multi')", b"0"], b"-ERR This Redis command is not allowed from script script: c329a1a294be6bf95b44144f7502610661ae925a, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call()", b"0"], b"-ERR Please specify at least one argument for this redis lib call script: 0a907e1429221a4d85516cab7fd219a82a9439d8, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call(1)", b"0"], b"-ERR Unknown Redis command called from script script: 9bdfc0557e68d76a6a10c85f455de0f93ee495a7, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call({})", b"0"], b"-ERR Lua redis lib command arguments must be strings or integers script: 80747816df1f4411f7c442b928fce6a814214839, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('get', {})", b"0"], b"-ERR Lua redis lib command arguments must be strings or integers script: 4368e88f98d93af9caf358186e5fbf273374ee91, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return {pcall(redis.call)}", b"0"], b"*2\x0d\x0a$-1\x0d\x0a$64\x0d\x0aERR Please specify at least one argument for this redis lib call\x0d\x0a"),
    (&[b"EVAL", b"return {pcall(redis.pcall)}", b"0"], b"*2\x0d\x0a:1\x0d\x0a-ERR Please specify at least one argument for this redis lib call\x0d\x0a"),
    (&[b"EVAL", b"return redis.pcall({})", b"0"], b"-ERR Lua redis lib command arguments must be strings or integers\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('set','k','v')", b"0"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('get','k')", b"0"], b"$1\x0d\x0av\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('incr','k')", b"0"], b"-ERR value is not an integer or out of range script: 1f71dc1cd0b838440b29a02b9ecb8480e01af28a, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.pcall('incr','k')", b"0"], b"-ERR value is not an integer or out of range\x0d\x0a"),
    (&[b"EVAL", b"local t = redis.pcall('incr','k') return t.err", b"0"], b"$43\x0d\x0aERR value is not an integer or out of range\x0d\x0a"),
    (&[b"EVAL", b"local ok, e = pcall(redis.call, 'incr', 'k') return e", b"0"], b"$43\x0d\x0aERR value is not an integer or out of range\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('ping')", b"0"], b"+PONG\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('ping').ok", b"0"], b"$4\x0d\x0aPONG\x0d\x0a"),
    (&[b"EVAL", b"return {redis.call('get', 'nokey')}", b"0"], b"*1\x0d\x0a$-1\x0d\x0a"),
    (&[b"EVAL", b"redis.call('set','n',1e100) return redis.call('get','n')", b"0"], b"$6\x0d\x0a1e+100\x0d\x0a"),
    (&[b"EVAL", b"redis.call('set','n',3.0) return redis.call('mget', 'nokey', 'n')", b"0"], b"*2\x0d\x0a$-1\x0d\x0a$1\x0d\x0a3\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('ECHO', 'a\\0b')", b"0"], b"$3\x0d\x0aa\x00b\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('get', 1.5)", b"0"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"redis.call('select', 3) return redis.call('set','sel','1')", b"0"], b"+OK\x0d\x0a"),
    (&[b"GET", b"sel"], b"$-1\x0d\x0a"),
    (&[b"SELECT", b"3"], b"+OK\x0d\x0a"),
    (&[b"GET", b"sel"], b"$1\x0d\x0a1\x0d\x0a"),
    (&[b"SELECT", b"0"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"redis.call('set','w1','1') error('after the write')", b"0"], b"-ERR user_script:1: after the write script: 0d54505b9a4cf2ab0ba2ffaf6adc536e483d9063, on @user_script:1.\x0d\x0a"),
    (&[b"GET", b"w1"], b"$1\x0d\x0a1\x0d\x0a"),
    (&[b"EVAL", b"redis.call('hset','h','f','v') return redis.call('hgetall','h')", b"0"], b"*2\x0d\x0a$1\x0d\x0af\x0d\x0a$1\x0d\x0av\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('type', 'h')", b"0"], b"+hash\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('incrbyfloat', 'fl', '1.5')", b"0"], b"$3\x0d\x0a1.5\x0d\x0a"),
    (&[b"EVAL", b"return redis.log(redis.LOG_WARNING, 'from', 'a script')", b"0"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"return redis.log(99, 'x')", b"0"], b"-ERR Invalid debug level. script: d1ccc394357733a87e4372af693b49d6582b5c58, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.log('x', 'x')", b"0"], b"-ERR First argument must be a number (log level). script: 1ca7b2fcc13618110177d3fa90153335afc2a7da, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.log(1)", b"0"], b"-ERR redis.log() requires two arguments or more. script: f5438245431406aa19fc387d93c6d03a0d5bcb0f, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.setresp(4)", b"0"], b"-ERR RESP version must be 2 or 3. script: 921c0a48021d97dfd5884aeea41875972c7804d9, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.setresp()", b"0"], b"-ERR redis.setresp() requires one argument. script: 76da64e28014e7c9ad76db33c3918c53d81a3d7e, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.set_repl(99)", b"0"], b"-ERR Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE. script: fae934173b6296d6836d5d5f52e192640f8897d9, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.set_repl()", b"0"], b"-ERR redis.set_repl() requires two arguments. script: 9504533b41060c143a92eb2f8878e77d33b6dc33, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.set_repl(redis.REPL_ALL)", b"0"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"return redis.replicate_commands()", b"0"], b":1\x0d\x0a"),
    (&[b"EVAL", b"return redis.acl_check_cmd('get','x')", b"0"], b":1\x0d\x0a"),
    (&[b"EVAL", b"return redis.acl_check_cmd('nocmd')", b"0"], b"-ERR Invalid command passed to redis.acl_check_cmd() script: b1c7b7cf0380db354e5957d5e405a51fdee76f63, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"return redis.acl_check_cmd()", b"0"], b"-ERR Please specify at least one argument for this redis lib call script: 1124f33ad66e7866b4e0c1499a4c20fb5eb9c180, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"redis.setresp(3) return redis.call('hgetall', 'h')", b"0"], b"*2\x0d\x0a$1\x0d\x0af\x0d\x0a$1\x0d\x0av\x0d\x0a"),
    (&[b"EVAL", b"redis.setresp(3) return redis.call('hgetall', 'h').map.f", b"0"], b"$1\x0d\x0av\x0d\x0a"),
    (&[b"EVAL", b"redis.setresp(3) return redis.call('get', 'nokey') == nil", b"0"], b":1\x0d\x0a"),
    (&[b"EVAL", b"return redis.sha1hex('abc')", b"0"], b"$40\x0d\x0aa9993e364706816aba3e25717850c26c9cd0d89d\x0d\x0a"),
    (&[b"EVAL", b"return redis.error_reply('My Error')", b"0"], b"-My Error\x0d\x0a"),
    (&[b"EVAL", b"return redis.status_reply('FINE')", b"0"], b"+FINE\x0d\x0a"),
    (&[b"EVAL", b"return redis.REDIS_VERSION", b"0"], b"$6\x0d\x0a7.0.15\x0d\x0a"),
    (&[b"EVAL", b"return tostring(math.random())", b"0"], b"$16\x0d\x0a0.39646477363839\x0d\x0a"),
    (&[b"EVAL", b"return cjson.encode({a=1})", b"0"], b"$7\x0d\x0a{\"a\":1}\x0d\x0a"),
    (&[b"EVAL", b"return cmsgpack.unpack(cmsgpack.pack({1,2,3}))", b"0"], b"*3\x0d\x0a:1\x0d\x0a:2\x0d\x0a:3\x0d\x0a"),
    (&[b"EVAL", b"return bit.band(0xff, 0x0f)", b"0"], b":15\x0d\x0a"),
    (&[b"EVAL", b"return struct.pack('>I2', 258)", b"0"], b"$2\x0d\x0a\x01\x02\x0d\x0a"),
    (&[b"EVAL_RO", b"return redis.call('set','x','1')", b"0"], b"-ERR Write commands are not allowed from read-only scripts. script: 8b2ae6dd76cda7fc3e27f97431ae27d7b08a221d, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL_RO", b"return redis.call('get','k')", b"0"], b"$1\x0d\x0av\x0d\x0a"),
    (&[b"SCRIPT", b"LOAD", b"return redis.call('set', KEYS[1], ARGV[1])"], b"$40\x0d\x0a55b22c0d0cedf3866879ce7c854970626dcef0c3\x0d\x0a"),
    (&[b"EVALSHA_RO", b"55b22c0d0cedf3866879ce7c854970626dcef0c3", b"1", b"k", b"v"], b"-ERR Write commands are not allowed from read-only scripts. script: 55b22c0d0cedf3866879ce7c854970626dcef0c3, on @user_script:1.\x0d\x0a"),
    (&[b"EVAL", b"#!lua flags=no-writes\x0areturn redis.call('set','x','1')", b"0"], b"-ERR Write commands are not allowed from read-only scripts. script: 6496c2741353a8e9e5fd8f1f4205c2149edef733, on @user_script:2.\x0d\x0a"),
    (&[b"EVAL", b"#!lua flags=no-writes\x0areturn redis.call('get','k')", b"0"], b"$1\x0d\x0av\x0d\x0a"),
    (&[b"EVAL", b"#!lua flags=bogus\x0areturn 1", b"0"], b"-ERR Unexpected flag in script shebang: bogus\x0d\x0a"),
    (&[b"EVAL", b"#!lua name=x\x0areturn 1", b"0"], b"-ERR Unknown lua shebang option: name=x\x0d\x0a"),
    (&[b"EVAL", b"#!python\x0areturn 1", b"0"], b"-ERR Unexpected engine in script shebang: #!python\x0d\x0a"),
    (&[b"EVAL", b"#!lua\x0areturn 1", b"0"], b":1\x0d\x0a"),
    (&[b"SCRIPT", b"FLUSH", b"bad"], b"-ERR SCRIPT FLUSH only support SYNC|ASYNC option\x0d\x0a"),
    (&[b"SCRIPT", b"FLUSH", b"ASYNC"], b"+OK\x0d\x0a"),
    (&[b"SCRIPT", b"EXISTS", b"b534286061d4b9e4026607613b95c06c06015ae8"], b"*1\x0d\x0a:0\x0d\x0a"),
    (&[b"SCRIPT", b"KILL"], b"-NOTBUSY No scripts in execution right now.\x0d\x0a"),
    (&[b"SCRIPT"], b"-ERR wrong number of arguments for 'script' command\x0d\x0a"),
    (&[b"SCRIPT", b"foo"], b"-ERR unknown subcommand 'foo'. Try SCRIPT HELP.\x0d\x0a"),
    (&[b"SCRIPT", b"EXISTS"], b"-ERR wrong number of arguments for 'script|exists' command\x0d\x0a"),
    (&[b"SCRIPT", b"LOAD"], b"-ERR wrong number of arguments for 'script|load' command\x0d\x0a"),
    (&[b"SCRIPT", b"HELP"], b"*17\x0d\x0a+SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\x0d\x0a+DEBUG (YES|SYNC|NO)\x0d\x0a+    Set the debug mode for subsequent scripts executed.\x0d\x0a+EXISTS <sha1> [<sha1> ...]\x0d\x0a+    Return information about the existence of the scripts in the script cache.\x0d\x0a+FLUSH [ASYNC|SYNC]\x0d\x0a+    Flush the Lua scripts cache. Very dangerous on replicas.\x0d\x0a+    When called without the optional mode argument, the behavior is determined by the\x0d\x0a+    lazyfree-lazy-user-flush configuration directive. Valid modes are:\x0d\x0a+    * ASYNC: Asynchronously flush the scripts cache.\x0d\x0a+    * SYNC: Synchronously flush the scripts cache.\x0d\x0a+KILL\x0d\x0a+    Kill the currently executing Lua script.\x0d\x0a+LOAD <script>\x0d\x0a+    Load a script into the scripts cache without executing it.\x0d\x0a+HELP\x0d\x0a+    Prints this help.\x0d\x0a"),
    (&[b"MULTI"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('incr', 'cnt')", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"EVAL", b"return redis.call('incr', 'cnt')", b"0"], b"+QUEUED\x0d\x0a"),
    (&[b"EXEC"], b"*2\x0d\x0a:1\x0d\x0a:2\x0d\x0a"),
];

#[test]
fn eval_and_script_replies_match_redis() {
    run_cases(CASES);
}

#[test]
fn numkeys_is_read_as_string2ll() {
    run_cases(NUMKEYS);
}

#[test]
fn busy_script_gets_busy_replies_and_script_kill_stops_it() {
    let srv = start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    runner.send(&super::support::multibulk(&[
        b"EVAL",
        b"local i = 0 while true do i = i + 1 end",
        b"0",
    ]));
    // let the script start before asking
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    let start = Instant::now();
    // Before the threshold the other client waits; after it, BUSY.
    let got = other.cmd(&[b"GET", b"x"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n".to_vec());
    let killed = runner.read_reply();
    assert_eq!(
        String::from_utf8_lossy(&killed),
        "-ERR Script killed by user with SCRIPT KILL... script: \
         3fcf51a9b854b8f66cb8685600b0d7df968f4398, on @user_script:1.\r\n"
    );
    assert_eq!(other.cmd(&[b"PING"]), b"+PONG\r\n".to_vec());
    assert_eq!(
        other.cmd(&[b"SCRIPT", b"KILL"]),
        b"-NOTBUSY No scripts in execution right now.\r\n".to_vec()
    );
}

#[test]
fn script_that_wrote_is_unkillable() {
    let srv = start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    runner.send(&super::support::multibulk(&[
        b"EVAL",
        b"redis.call('set', 'w', '1') local t = redis.call('time') \
          while tonumber(redis.call('time')[1]) < tonumber(t[1]) + 2 do end return 'done'",
        b"0",
    ]));
    // let the script start before asking
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    let got = other.cmd(&[b"SCRIPT", b"KILL"]);
    assert_eq!(
        String::from_utf8_lossy(&got),
        "-UNKILLABLE Sorry the script already executed write commands against the dataset. \
         You can either wait the script termination or kill the server in a hard way using \
         the SHUTDOWN NOSAVE command.\r\n"
    );
    assert_eq!(runner.read_reply(), b"$4\r\ndone\r\n".to_vec());
    assert_eq!(other.cmd(&[b"GET", b"w"]), b"$1\r\n1\r\n".to_vec());
}

#[test]
fn script_write_invalidates_watch() {
    let srv = start_server();
    let mut a = srv.connect();
    let mut b = srv.connect();
    assert_eq!(a.cmd(&[b"WATCH", b"k"]), b"+OK\r\n".to_vec());
    assert_eq!(
        b.cmd(&[
            b"EVAL",
            b"return redis.call('set', KEYS[1], 'x')",
            b"1",
            b"k"
        ]),
        b"+OK\r\n".to_vec()
    );
    assert_eq!(a.cmd(&[b"MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(a.cmd(&[b"GET", b"k"]), b"+QUEUED\r\n".to_vec());
    assert_eq!(a.cmd(&[b"EXEC"]), b"*-1\r\n".to_vec());
}

#[test]
fn publish_from_a_script_reaches_subscribers() {
    let srv = start_server();
    let mut sub = srv.connect();
    assert_eq!(
        sub.cmd(&[b"SUBSCRIBE", b"ch"]),
        b"*3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n".to_vec()
    );
    let mut p = srv.connect();
    assert_eq!(
        p.cmd(&[b"EVAL", b"return redis.call('publish', 'ch', 'hi')", b"0"]),
        b":1\r\n".to_vec()
    );
    assert_eq!(
        sub.read_reply(),
        b"*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n".to_vec()
    );
}

#[test]
fn script_cache_survives_until_flush_and_counts_in_info() {
    let srv = start_server();
    let mut c = srv.connect();
    let sha = c.cmd(&[b"SCRIPT", b"LOAD", b"return 42"]);
    assert_eq!(
        sha,
        b"$40\r\n1fa00e76656cc152ad327c13fe365858fd7be306\r\n".to_vec()
    );
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    assert!(info.contains("number_of_cached_scripts:1\r\n"), "{info}");
    assert_eq!(c.cmd(&[b"SCRIPT", b"FLUSH"]), b"+OK\r\n".to_vec());
    assert_eq!(
        c.cmd(&[
            b"EVALSHA",
            b"1fa00e76656cc152ad327c13fe365858fd7be306",
            b"0"
        ]),
        b"-NOSCRIPT No matching script. Please use EVAL.\r\n".to_vec()
    );
}

#[test]
fn script_heap_is_bounded_and_the_server_lives_on() {
    let srv = start_server();
    let mut c = srv.connect();
    assert_eq!(c.cmd(&[b"SET", b"keep", b"me"]), b"+OK\r\n".to_vec());
    let endless = b"local t = {} local i = 0 while true do i = i + 1 t[i] = i end";
    assert_eq!(
        c.cmd(&[b"EVAL", endless, b"0"]),
        b"-ERR not enough memory\r\n".to_vec()
    );
    // the heap is given back, the keyspace and the engine are intact
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    let lua: u64 = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_lua:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert!(
        lua < 10 << 20,
        "used_memory_lua after the failed script: {lua}"
    );
    assert_eq!(c.cmd(&[b"GET", b"keep"]), b"$2\r\nme\r\n".to_vec());
    assert_eq!(c.cmd(&[b"EVAL", b"return 7", b"0"]), b":7\r\n".to_vec());
}

/// Scripts as applications write them: a sliding-window rate limiter on a
/// sorted set, a compare-and-delete lock release, a queue move between lists
/// with an owner hash, a JSON document kept with cjson, a msgpack round trip,
/// bit and struct (replies recorded from redis-server 7.0.15).
const APPLICATION_CASES: Cases = &[
    (&[b"FLUSHALL"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"local key = KEYS[1]\x0alocal now = tonumber(ARGV[1])\x0alocal window = tonumber(ARGV[2])\x0alocal limit = tonumber(ARGV[3])\x0aredis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)\x0alocal count = redis.call('ZCARD', key)\x0aif count < limit then\x0a  redis.call('ZADD', key, now, ARGV[4])\x0a  redis.call('PEXPIRE', key, window)\x0a  return {1, limit - count - 1}\x0aend\x0alocal oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\x0areturn {0, tonumber(oldest[2]) + window - now}", b"1", b"rl", b"1000", b"1000", b"3", b"req0"], b"*2\x0d\x0a:1\x0d\x0a:2\x0d\x0a"),
    (&[b"EVAL", b"local key = KEYS[1]\x0alocal now = tonumber(ARGV[1])\x0alocal window = tonumber(ARGV[2])\x0alocal limit = tonumber(ARGV[3])\x0aredis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)\x0alocal count = redis.call('ZCARD', key)\x0aif count < limit then\x0a  redis.call('ZADD', key, now, ARGV[4])\x0a  redis.call('PEXPIRE', key, window)\x0a  return {1, limit - count - 1}\x0aend\x0alocal oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\x0areturn {0, tonumber(oldest[2]) + window - now}", b"1", b"rl", b"1100", b"1000", b"3", b"req1"], b"*2\x0d\x0a:1\x0d\x0a:1\x0d\x0a"),
    (&[b"EVAL", b"local key = KEYS[1]\x0alocal now = tonumber(ARGV[1])\x0alocal window = tonumber(ARGV[2])\x0alocal limit = tonumber(ARGV[3])\x0aredis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)\x0alocal count = redis.call('ZCARD', key)\x0aif count < limit then\x0a  redis.call('ZADD', key, now, ARGV[4])\x0a  redis.call('PEXPIRE', key, window)\x0a  return {1, limit - count - 1}\x0aend\x0alocal oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\x0areturn {0, tonumber(oldest[2]) + window - now}", b"1", b"rl", b"1200", b"1000", b"3", b"req2"], b"*2\x0d\x0a:1\x0d\x0a:0\x0d\x0a"),
    (&[b"EVAL", b"local key = KEYS[1]\x0alocal now = tonumber(ARGV[1])\x0alocal window = tonumber(ARGV[2])\x0alocal limit = tonumber(ARGV[3])\x0aredis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)\x0alocal count = redis.call('ZCARD', key)\x0aif count < limit then\x0a  redis.call('ZADD', key, now, ARGV[4])\x0a  redis.call('PEXPIRE', key, window)\x0a  return {1, limit - count - 1}\x0aend\x0alocal oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\x0areturn {0, tonumber(oldest[2]) + window - now}", b"1", b"rl", b"1300", b"1000", b"3", b"req3"], b"*2\x0d\x0a:0\x0d\x0a:700\x0d\x0a"),
    (&[b"EVAL", b"local key = KEYS[1]\x0alocal now = tonumber(ARGV[1])\x0alocal window = tonumber(ARGV[2])\x0alocal limit = tonumber(ARGV[3])\x0aredis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)\x0alocal count = redis.call('ZCARD', key)\x0aif count < limit then\x0a  redis.call('ZADD', key, now, ARGV[4])\x0a  redis.call('PEXPIRE', key, window)\x0a  return {1, limit - count - 1}\x0aend\x0alocal oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')\x0areturn {0, tonumber(oldest[2]) + window - now}", b"1", b"rl", b"2500", b"1000", b"3", b"req4"], b"*2\x0d\x0a:1\x0d\x0a:2\x0d\x0a"),
    (&[b"ZRANGE", b"rl", b"0", b"-1", b"WITHSCORES"], b"*2\x0d\x0a$4\x0d\x0areq4\x0d\x0a$4\x0d\x0a2500\x0d\x0a"),
    (&[b"SET", b"lock", b"token1"], b"+OK\x0d\x0a"),
    (&[b"EVAL", b"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", b"1", b"lock", b"other"], b":0\x0d\x0a"),
    (&[b"EVAL", b"if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end", b"1", b"lock", b"token1"], b":1\x0d\x0a"),
    (&[b"EXISTS", b"lock"], b":0\x0d\x0a"),
    (&[b"RPUSH", b"pending", b"j1", b"j2", b"j3"], b":3\x0d\x0a"),
    (&[b"EVAL", b"local job = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')\x0aif not job then return false end\x0aredis.call('HSET', KEYS[3], job, ARGV[1])\x0areturn {job, redis.call('LLEN', KEYS[1]), redis.call('LLEN', KEYS[2])}", b"3", b"pending", b"working", b"owners", b"w1"], b"*3\x0d\x0a$2\x0d\x0aj3\x0d\x0a:2\x0d\x0a:1\x0d\x0a"),
    (&[b"EVAL", b"local job = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')\x0aif not job then return false end\x0aredis.call('HSET', KEYS[3], job, ARGV[1])\x0areturn {job, redis.call('LLEN', KEYS[1]), redis.call('LLEN', KEYS[2])}", b"3", b"pending", b"working", b"owners", b"w2"], b"*3\x0d\x0a$2\x0d\x0aj2\x0d\x0a:1\x0d\x0a:2\x0d\x0a"),
    (&[b"HGETALL", b"owners"], b"*4\x0d\x0a$2\x0d\x0aj3\x0d\x0a$2\x0d\x0aw1\x0d\x0a$2\x0d\x0aj2\x0d\x0a$2\x0d\x0aw2\x0d\x0a"),
    (&[b"LRANGE", b"working", b"0", b"-1"], b"*2\x0d\x0a$2\x0d\x0aj2\x0d\x0a$2\x0d\x0aj3\x0d\x0a"),
    (&[b"EVAL", b"local job = redis.call('LMOVE', KEYS[1], KEYS[2], 'RIGHT', 'LEFT')\x0aif not job then return false end\x0aredis.call('HSET', KEYS[3], job, ARGV[1])\x0areturn {job, redis.call('LLEN', KEYS[1]), redis.call('LLEN', KEYS[2])}", b"3", b"none", b"working", b"owners", b"w3"], b"$-1\x0d\x0a"),
    (&[b"EVAL", b"local doc = cjson.decode(redis.call('GET', KEYS[1]) or '{\"n\":0,\"tags\":[]}')\x0adoc.n = doc.n + 1\x0atable.insert(doc.tags, ARGV[1])\x0alocal out = cjson.encode({n = doc.n, tags = doc.tags, last = doc.tags[#doc.tags]})\x0aredis.call('SET', KEYS[1], out)\x0areturn out", b"1", b"doc", b"a"], b"$31\x0d\x0a{\"last\":\"a\",\"tags\":[\"a\"],\"n\":1}\x0d\x0a"),
    (&[b"EVAL", b"local doc = cjson.decode(redis.call('GET', KEYS[1]) or '{\"n\":0,\"tags\":[]}')\x0adoc.n = doc.n + 1\x0atable.insert(doc.tags, ARGV[1])\x0alocal out = cjson.encode({n = doc.n, tags = doc.tags, last = doc.tags[#doc.tags]})\x0aredis.call('SET', KEYS[1], out)\x0areturn out", b"1", b"doc", b"b"], b"$35\x0d\x0a{\"last\":\"b\",\"tags\":[\"a\",\"b\"],\"n\":2}\x0d\x0a"),
    (&[b"GET", b"doc"], b"$35\x0d\x0a{\"last\":\"b\",\"tags\":[\"a\",\"b\"],\"n\":2}\x0d\x0a"),
    (&[b"EVAL", b"local packed = cmsgpack.pack({ARGV[1], tonumber(ARGV[2]), {a = 1}, true})\x0aredis.call('SET', KEYS[1], packed)\x0alocal t = cmsgpack.unpack(redis.call('GET', KEYS[1]))\x0areturn {#packed, t[1], t[2], t[3].a, t[4] and 1 or 0}", b"1", b"mp", b"hello", b"42"], b"*5\x0d\x0a:13\x0d\x0a$5\x0d\x0ahello\x0d\x0a:42\x0d\x0a:1\x0d\x0a:1\x0d\x0a"),
    (&[b"EVAL", b"return cjson.encode(cjson.decode('[1,2.5,\"x\",null,{\"k\":[true,false]}]'))", b"0"], b"$35\x0d\x0a[1,2.5,\"x\",null,{\"k\":[true,false]}]\x0d\x0a"),
    (&[b"EVAL", b"return cjson.encode({['\\u{1F600}'] = 'ok'})", b"0"], b"$17\x0d\x0a{\"u{1F600}\":\"ok\"}\x0d\x0a"),
    (&[b"EVAL", b"return cjson.decode('\"\\\\ud83d\\\\ude00\"')", b"0"], b"$4\x0d\x0a\xf0\x9f\x98\x80\x0d\x0a"),
    (&[b"EVAL", b"return {cjson.encode({1,2,nil,4})}", b"0"], b"*1\x0d\x0a$12\x0d\x0a[1,2,null,4]\x0d\x0a"),
    (&[b"EVAL", b"local ok, e = pcall(cjson.encode, {[1]=1, [5]=5}) return e", b"0"], b"$20\x0d\x0a[1,null,null,null,5]\x0d\x0a"),
    (&[b"EVAL", b"return bit.tohex(bit.bxor(0xF0F0, -1))", b"0"], b"$8\x0d\x0affff0f0f\x0d\x0a"),
    (&[b"EVAL", b"return {struct.unpack('<i2 >I4', struct.pack('<i2 >I4', -2, 7))}", b"0"], b"*3\x0d\x0a:-2\x0d\x0a:7\x0d\x0a:7\x0d\x0a"),
];

#[test]
fn application_scripts_give_redis_replies() {
    run_cases(APPLICATION_CASES);
}

/// A connection that started waiting for the keyspace lock before a script
/// began (here behind a DEBUG SLEEP queued ahead of the script in the same
/// transaction) still answers BUSY once the script is past the threshold,
/// rather than waiting for the script to end.
#[test]
fn a_client_already_waiting_gets_busy_too() {
    let srv = start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    assert_eq!(runner.cmd(&[b"MULTI"]), b"+OK\r\n".to_vec());
    assert_eq!(
        runner.cmd(&[b"DEBUG", b"SLEEP", b"0.3"]),
        b"+QUEUED\r\n".to_vec()
    );
    assert_eq!(
        runner.cmd(&[b"EVAL", b"while true do end", b"0"]),
        b"+QUEUED\r\n".to_vec()
    );
    runner.send(&super::support::multibulk(&[b"EXEC"]));
    std::thread::sleep(Duration::from_millis(100));
    // Waits behind DEBUG SLEEP, then the script begins: BUSY 100 ms later.
    let mut other = srv.connect();
    let start = Instant::now();
    assert_eq!(
        String::from_utf8_lossy(&other.cmd(&[b"GET", b"x"])),
        "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n"
    );
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(other.cmd(&[b"SCRIPT", b"KILL"]), b"+OK\r\n".to_vec());
    assert_eq!(
        String::from_utf8_lossy(&runner.read_reply()),
        "*2\r\n+OK\r\n-ERR Script killed by user with SCRIPT KILL... script: \
         694a5fe1ddb97a4c6a1bf299d9537c7d3d0f84e7, on @user_script:1.\r\n"
    );
}

/// Scripts that allocate nothing themselves still leave KEYS and ARGV tables
/// behind each call; the engine collects them (before the fix, 100,000 calls
/// of `return 1` left about 13 MB in `used_memory_lua`).
#[test]
fn keys_and_argv_of_many_calls_are_collected() {
    let srv = start_server();
    let mut c = srv.connect();
    let one = super::support::multibulk(&[b"EVAL", b"return 1", b"1", b"k", b"a"]);
    for _ in 0..100 {
        let batch: Vec<u8> = one.repeat(1000);
        c.send(&batch);
        for _ in 0..1000 {
            assert_eq!(c.read_reply(), b":1\r\n".to_vec());
        }
    }
    let info = String::from_utf8_lossy(&c.cmd(&[b"INFO", b"memory"])).into_owned();
    let lua: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("used_memory_lua:"))
        .and_then(|v| v.trim().parse().ok())
        .expect("used_memory_lua in INFO");
    assert!(lua < 4 << 20, "used_memory_lua {lua}");
}

/// EVAL/EVALSHA/FCALL read numkeys as Redis's getLongLongFromObject does (no
/// `+`, no leading zero, no `-0`, no space); replies from redis-server 7.0.15.
const NUMKEYS: Cases = &[
    (
        &[
            b"FUNCTION",
            b"LOAD",
            b"REPLACE",
            b"#!lua name=numlib\nredis.register_function('numf', function(k,a) return #k end)",
        ],
        b"$6\r\nnumlib\r\n",
    ),
    (
        &[b"EVAL", b"return 1", b"+0"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[b"EVAL", b"return 1", b"01"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[b"EVAL", b"return 1", b"-0"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[b"EVAL", b"return 1", b" 0"],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[
            b"EVALSHA",
            b"0000000000000000000000000000000000000000",
            b"+0",
        ],
        b"-ERR value is not an integer or out of range\r\n",
    ),
    (
        &[b"FCALL", b"numf", b"+0"],
        b"-ERR Bad number of keys provided\r\n",
    ),
    (
        &[b"FCALL", b"numf", b"01"],
        b"-ERR Bad number of keys provided\r\n",
    ),
    (
        &[b"FCALL", b"numf", b"-0"],
        b"-ERR Bad number of keys provided\r\n",
    ),
    (
        &[b"FCALL_RO", b"numf", b"+1", b"a"],
        b"-ERR Bad number of keys provided\r\n",
    ),
    (&[b"FCALL", b"numf", b"1", b"a"], b":1\r\n"),
];
