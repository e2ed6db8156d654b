//! FUNCTION and FCALL over TCP: replies compared byte for byte with what
//! redis-server 7.0.15 answered to the same requests (recorded below, in order,
//! on one connection of a fresh server).
use super::support::{run_cases, start_server, Cases};
use std::time::Duration;

const CASES: Cases = &[
    (&[b"FUNCTION", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"return 1"], b"-ERR Missing library metadata\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!python name=x\x0areturn 1"], b"-ERR Engine 'python' not found\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua\x0areturn 1"], b"-ERR Library name was not given\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=bad-name\x0areturn 1"], b"-ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l0\x0areturn 1"], b"-ERR No functions registered\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l1 foo=bar\x0areturn 1"], b"-ERR Invalid metadata value given: foo=bar\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l1\x0aredis.register_function('f-1', function() return 1 end)"], b"-ERR Error registering functions: ERR Library names can only contain letters, numbers, or underscores(_) and must be at least one character long\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l1\x0aredis.register_function('f1', function(keys, args) return {keys, args} end)\x0aredis.register_function{function_name='f2', callback=function() return redis.call('set','a','1') end, flags={'no-writes'}, description='desc'}\x0aredis.register_function{function_name='f3', callback=function() return redis.call('get','a') end, flags={'no-writes'}}\x0aredis.register_function('f4', function() error('boom') end)"], b"$2\x0d\x0al1\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)"], b"-ERR Library 'l1' already exists\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l2\x0aredis.register_function('f1', function() return 1 end)"], b"-ERR Function f1 already exists\x0d\x0a"),
    (&[b"FCALL", b"f1", b"2", b"a", b"b", b"c", b"d"], b"*2\x0d\x0a*2\x0d\x0a$1\x0d\x0aa\x0d\x0a$1\x0d\x0ab\x0d\x0a*2\x0d\x0a$1\x0d\x0ac\x0d\x0a$1\x0d\x0ad\x0d\x0a"),
    (&[b"FCALL", b"f2", b"0"], b"-ERR Write commands are not allowed from read-only scripts. script: f2, on @user_function:3.\x0d\x0a"),
    (&[b"FCALL", b"f3", b"0"], b"$-1\x0d\x0a"),
    (&[b"FCALL", b"f4", b"0"], b"-ERR user_function:5: boom script: f4, on @user_function:5.\x0d\x0a"),
    (&[b"FCALL", b"nof", b"0"], b"-ERR Function not found\x0d\x0a"),
    (&[b"FCALL_RO", b"f1", b"0"], b"-ERR Can not execute a script with write flag using *_ro command.\x0d\x0a"),
    (&[b"FCALL_RO", b"f3", b"0"], b"$-1\x0d\x0a"),
    (&[b"FCALL", b"f1", b"x"], b"-ERR Bad number of keys provided\x0d\x0a"),
    (&[b"FCALL", b"f1", b"5"], b"-ERR Number of keys can't be greater than number of args\x0d\x0a"),
    (&[b"FCALL", b"f1", b"-1"], b"-ERR Number of keys can't be negative\x0d\x0a"),
    (&[b"FUNCTION", b"LIST", b"LIBRARYNAME", b"zz"], b"*0\x0d\x0a"),
    (&[b"FUNCTION", b"STATS"], b"*4\x0d\x0a$14\x0d\x0arunning_script\x0d\x0a$-1\x0d\x0a$7\x0d\x0aengines\x0d\x0a*2\x0d\x0a$3\x0d\x0aLUA\x0d\x0a*4\x0d\x0a$15\x0d\x0alibraries_count\x0d\x0a:1\x0d\x0a$15\x0d\x0afunctions_count\x0d\x0a:4\x0d\x0a"),
    (&[b"FUNCTION", b"DELETE", b"nolib"], b"-ERR Library not found\x0d\x0a"),
    (&[b"FUNCTION", b"KILL"], b"-NOTBUSY No scripts in execution right now.\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l3\x0aredis.register_function{function_name='g', callback=function() end, flags={'bogus'}}"], b"-ERR Error registering functions: ERR unknown flag given\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l3\x0aredis.register_function('g')"], b"-ERR Error registering functions: ERR calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l3\x0aredis.register_function{function_name='g', callback=function() end, x=1}"], b"-ERR Error registering functions: ERR unknown argument given to redis.register_function\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l3\x0alocal x = 1"], b"-ERR No functions registered\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l5\x0areturn +"], b"-ERR Error compiling function: user_function:2: unexpected symbol near '+'\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l5\x0aredis.register_function('a', function() end)\x0aredis.register_function('a', function() end)"], b"-ERR Error registering functions: ERR Function already exists in the library\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l5\x0aredis.register_function('a', 5)"], b"-ERR Error registering functions: ERR second argument to redis.register_function must be a function\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l5\x0aredis.register_function('a', function() end, 3)"], b"-ERR Error registering functions: ERR wrong number of arguments to redis.register_function\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"REPLACE", b"#!lua name=l1\x0aredis.register_function('f9', function() return 9 end)"], b"$2\x0d\x0al1\x0d\x0a"),
    (&[b"FCALL", b"f1", b"0"], b"-ERR Function not found\x0d\x0a"),
    (&[b"FCALL", b"f9", b"0"], b":9\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"BAD", b"#!lua name=l1"], b"-ERR Unknown option given: BAD\x0d\x0a"),
    (&[b"FUNCTION", b"FLUSH", b"BAD"], b"-ERR FUNCTION FLUSH only supports SYNC|ASYNC option\x0d\x0a"),
    (&[b"FUNCTION"], b"-ERR wrong number of arguments for 'function' command\x0d\x0a"),
    (&[b"FUNCTION", b"foo"], b"-ERR unknown subcommand 'foo'. Try FUNCTION HELP.\x0d\x0a"),
    (&[b"FUNCTION", b"DELETE", b"l1"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"DELETE", b"l1"], b"-ERR Library not found\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l6\x0aredis.register_function{function_name='x', callback=function() return 1 end, flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}, description='all flags'}"], b"$2\x0d\x0al6\x0d\x0a"),
    (&[b"FUNCTION", b"LIST", b"LIBRARYNAME", b"l6"], b"*1\x0d\x0a*6\x0d\x0a$12\x0d\x0alibrary_name\x0d\x0a$2\x0d\x0al6\x0d\x0a$6\x0d\x0aengine\x0d\x0a$3\x0d\x0aLUA\x0d\x0a$9\x0d\x0afunctions\x0d\x0a*1\x0d\x0a*6\x0d\x0a$4\x0d\x0aname\x0d\x0a$1\x0d\x0ax\x0d\x0a$11\x0d\x0adescription\x0d\x0a$9\x0d\x0aall flags\x0d\x0a$5\x0d\x0aflags\x0d\x0a*5\x0d\x0a+no-writes\x0d\x0a+allow-oom\x0d\x0a+allow-stale\x0d\x0a+no-cluster\x0d\x0a+allow-cross-slot-keys\x0d\x0a"),
    (&[b"FUNCTION", b"LIST", b"WITHCODE", b"LIBRARYNAME", b"l*"], b"*1\x0d\x0a*8\x0d\x0a$12\x0d\x0alibrary_name\x0d\x0a$2\x0d\x0al6\x0d\x0a$6\x0d\x0aengine\x0d\x0a$3\x0d\x0aLUA\x0d\x0a$9\x0d\x0afunctions\x0d\x0a*1\x0d\x0a*6\x0d\x0a$4\x0d\x0aname\x0d\x0a$1\x0d\x0ax\x0d\x0a$11\x0d\x0adescription\x0d\x0a$9\x0d\x0aall flags\x0d\x0a$5\x0d\x0aflags\x0d\x0a*5\x0d\x0a+no-writes\x0d\x0a+allow-oom\x0d\x0a+allow-stale\x0d\x0a+no-cluster\x0d\x0a+allow-cross-slot-keys\x0d\x0a$12\x0d\x0alibrary_code\x0d\x0a$203\x0d\x0a#!lua name=l6\x0aredis.register_function{function_name='x', callback=function() return 1 end, flags={'no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys'}, description='all flags'}\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l7\x0aredis.register_function{function_name='y', callback=function() return 1 end, flags='no-writes'}"], b"-ERR Error registering functions: ERR flags argument to redis.register_function must be a table representing function flags\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l7\x0aredis.register_function{callback=function() return 1 end}"], b"-ERR Error registering functions: ERR redis.register_function must get a function name argument\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l7\x0aredis.register_function{function_name='y'}"], b"-ERR Error registering functions: ERR redis.register_function must get a callback argument\x0d\x0a"),
    (&[b"FUNCTION", b"HELP"], b"*40\x0d\x0a+FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\x0d\x0a+LOAD [REPLACE] <FUNCTION CODE>\x0d\x0a+    Create a new library with the given library name and code.\x0d\x0a+DELETE <LIBRARY NAME>\x0d\x0a+    Delete the given library.\x0d\x0a+LIST [LIBRARYNAME PATTERN] [WITHCODE]\x0d\x0a+    Return general information on all the libraries:\x0d\x0a+    * Library name\x0d\x0a+    * The engine used to run the Library\x0d\x0a+    * Library description\x0d\x0a+    * Functions list\x0d\x0a+    * Library code (if WITHCODE is given)\x0d\x0a+    It also possible to get only function that matches a pattern using LIBRARYNAME argument.\x0d\x0a+STATS\x0d\x0a+    Return information about the current function running:\x0d\x0a+    * Function name\x0d\x0a+    * Command used to run the function\x0d\x0a+    * Duration in MS that the function is running\x0d\x0a+    If no function is running, return nil\x0d\x0a+    In addition, returns a list of available engines.\x0d\x0a+KILL\x0d\x0a+    Kill the current running function.\x0d\x0a+FLUSH [ASYNC|SYNC]\x0d\x0a+    Delete all the libraries.\x0d\x0a+    When called without the optional mode argument, the behavior is determined by the\x0d\x0a+    lazyfree-lazy-user-flush configuration directive. Valid modes are:\x0d\x0a+    * ASYNC: Asynchronously flush the libraries.\x0d\x0a+    * SYNC: Synchronously flush the libraries.\x0d\x0a+DUMP\x0d\x0a+    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command\x0d\x0a+RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]\x0d\x0a+    Restore the libraries represented by the given payload, it is possible to give a restore policy to\x0d\x0a+    control how to handle existing libraries (default APPEND):\x0d\x0a+    * FLUSH: delete all existing libraries.\x0d\x0a+    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.\x0d\x0a+    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old\x0d\x0a+      libraries with the new libraries (notice that even on this option there is a chance of failure\x0d\x0a+      in case of functions name collision with another library).\x0d\x0a+HELP\x0d\x0a+    Prints this help.\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l8\x0aredis.register_function('g8', function() local t={} for k in pairs(_G) do t[#t+1]=k end table.sort(t) return t end)\x0aredis.register_function('h8', function() local t={} for k in pairs(redis) do t[#t+1]=k end table.sort(t) return t end)\x0aredis.register_function('i8', function() x = 1 end)\x0aredis.register_function('j8', function() return y end)"], b"$2\x0d\x0al8\x0d\x0a"),
    (&[b"FCALL", b"g8", b"0"], b"*32\x0d\x0a$2\x0d\x0a_G\x0d\x0a$8\x0d\x0a_VERSION\x0d\x0a$6\x0d\x0aassert\x0d\x0a$3\x0d\x0abit\x0d\x0a$5\x0d\x0acjson\x0d\x0a$8\x0d\x0acmsgpack\x0d\x0a$14\x0d\x0acollectgarbage\x0d\x0a$9\x0d\x0acoroutine\x0d\x0a$5\x0d\x0aerror\x0d\x0a$6\x0d\x0agcinfo\x0d\x0a$12\x0d\x0agetmetatable\x0d\x0a$6\x0d\x0aipairs\x0d\x0a$4\x0d\x0aload\x0d\x0a$10\x0d\x0aloadstring\x0d\x0a$4\x0d\x0amath\x0d\x0a$4\x0d\x0anext\x0d\x0a$5\x0d\x0apairs\x0d\x0a$5\x0d\x0apcall\x0d\x0a$8\x0d\x0arawequal\x0d\x0a$6\x0d\x0arawget\x0d\x0a$6\x0d\x0arawset\x0d\x0a$5\x0d\x0aredis\x0d\x0a$6\x0d\x0aselect\x0d\x0a$12\x0d\x0asetmetatable\x0d\x0a$6\x0d\x0astring\x0d\x0a$6\x0d\x0astruct\x0d\x0a$5\x0d\x0atable\x0d\x0a$8\x0d\x0atonumber\x0d\x0a$8\x0d\x0atostring\x0d\x0a$4\x0d\x0atype\x0d\x0a$6\x0d\x0aunpack\x0d\x0a$6\x0d\x0axpcall\x0d\x0a"),
    (&[b"FCALL", b"h8", b"0"], b"*20\x0d\x0a$9\x0d\x0aLOG_DEBUG\x0d\x0a$10\x0d\x0aLOG_NOTICE\x0d\x0a$11\x0d\x0aLOG_VERBOSE\x0d\x0a$11\x0d\x0aLOG_WARNING\x0d\x0a$13\x0d\x0aREDIS_VERSION\x0d\x0a$17\x0d\x0aREDIS_VERSION_NUM\x0d\x0a$8\x0d\x0aREPL_ALL\x0d\x0a$8\x0d\x0aREPL_AOF\x0d\x0a$9\x0d\x0aREPL_NONE\x0d\x0a$12\x0d\x0aREPL_REPLICA\x0d\x0a$10\x0d\x0aREPL_SLAVE\x0d\x0a$13\x0d\x0aacl_check_cmd\x0d\x0a$4\x0d\x0acall\x0d\x0a$11\x0d\x0aerror_reply\x0d\x0a$3\x0d\x0alog\x0d\x0a$5\x0d\x0apcall\x0d\x0a$8\x0d\x0aset_repl\x0d\x0a$7\x0d\x0asetresp\x0d\x0a$7\x0d\x0asha1hex\x0d\x0a$12\x0d\x0astatus_reply\x0d\x0a"),
    (&[b"FCALL", b"i8", b"0"], b"-ERR user_function:4: Attempt to modify a readonly table script: i8, on @user_function:4.\x0d\x0a"),
    (&[b"FCALL", b"j8", b"0"], b"-ERR user_function:5: Script attempted to access nonexistent global variable 'y' script: j8, on @user_function:5.\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l9\x0ax = 1"], b"-ERR Error registering functions: ERR user_function:2: Attempt to modify a readonly table\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l9\x0aredis.call('ping')"], b"-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'call'\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l9\x0areturn math.random()"], b"-ERR Error registering functions: ERR user_function:2: Script attempted to access nonexistent global variable 'math'\x0d\x0a"),
    (&[b"FUNCTION", b"STATS"], b"*4\x0d\x0a$14\x0d\x0arunning_script\x0d\x0a$-1\x0d\x0a$7\x0d\x0aengines\x0d\x0a*2\x0d\x0a$3\x0d\x0aLUA\x0d\x0a*4\x0d\x0a$15\x0d\x0alibraries_count\x0d\x0a:2\x0d\x0a$15\x0d\x0afunctions_count\x0d\x0a:5\x0d\x0a"),
    (&[b"FUNCTION", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"LIST"], b"*0\x0d\x0a"),
    (&[b"FCALL", b"g8", b"0"], b"-ERR Function not found\x0d\x0a"),
];

#[test]
fn function_and_fcall_replies_match_redis() {
    run_cases(CASES);
}

#[test]
fn functions_survive_script_flush_and_keep_state_per_library() {
    let srv = start_server();
    let mut c = srv.connect();
    let lib = b"#!lua name=counter\n\
        local calls = 0\n\
        redis.register_function('bump', function(keys) calls = calls + 1 \
        return redis.call('incr', keys[1]) + calls * 100 end)";
    assert_eq!(
        c.cmd(&[b"FUNCTION", b"LOAD", lib]),
        b"$7\r\ncounter\r\n".to_vec()
    );
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b":101\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[b"SCRIPT", b"FLUSH"]), b"+OK\r\n".to_vec());
    // the upvalue lives on: functions are not EVAL scripts
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b":202\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[b"FUNCTION", b"FLUSH"]), b"+OK\r\n".to_vec());
    assert_eq!(
        c.cmd(&[b"FCALL", b"bump", b"1", b"n"]),
        b"-ERR Function not found\r\n".to_vec()
    );
}

/// FUNCTION DUMP writes redis-server 7.0.15's own payload (byte for byte), and
/// FUNCTION RESTORE takes its payloads with each policy.
const DUMP_CASES: Cases = &[
    (&[b"FUNCTION", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"DUMP"], b"$10\x0d\x0a\x0a\x00]\x9b\\@\x0f\x7f\xa2\xda\x0d\x0a"),
    (&[b"FUNCTION", b"LOAD", b"#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a"], b"$2\x0d\x0al1\x0d\x0a"),
    (&[b"FUNCTION", b"DUMP"], b"$82\x0d\x0a\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02\x7f\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02\x7f"], b"-ERR Library l1 already exists\x0d\x0a"),
    (&[b"FUNCTION", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l2\x0aredis.register_function('f2', function() return 2 end)\x0a\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00T\x9a\xcf\xd5\x1f\xec+\x06"], b"+OK\x0d\x0a"),
    (&[b"FCALL", b"f2", b"0"], b":2\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02\x7f", b"REPLACE"], b"+OK\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02\x7f", b"FLUSH"], b"+OK\x0d\x0a"),
    (&[b"FCALL", b"f2", b"0"], b"-ERR Function not found\x0d\x0a"),
    (&[b"FCALL", b"f1", b"0"], b":1\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"junk"], b"-ERR DUMP payload version or checksum are wrong\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02x"], b"-ERR DUMP payload version or checksum are wrong\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE", b"\xf5@E#!lua name=l1\x0aredis.register_function('f1', function() return 1 end)\x0a\x0a\x00`\x94\xb9C\xfak\x02\x7f", b"bad"], b"-ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.\x0d\x0a"),
    (&[b"FUNCTION", b"RESTORE"], b"-ERR wrong number of arguments for 'function|restore' command\x0d\x0a"),
];

#[test]
fn function_dump_and_restore_match_redis() {
    run_cases(DUMP_CASES);
}

/// `redis.log` writes to the server log from a script, from a function and
/// while a library loads (as 7.0 does), at the level asked for.
#[test]
fn redis_log_reaches_the_server_log() {
    let path = std::env::temp_dir().join(format!("ferrous-log-{}.log", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let srv =
        crate::support::start_server_with(&["--logfile", path.to_str().expect("utf-8 temp path")]);
    let mut c = srv.connect();
    let lib = b"#!lua name=logged\n\
        redis.log(redis.LOG_VERBOSE, 'hidden') redis.log(redis.LOG_WARNING, 'loading', 'logged')\n\
        redis.register_function('lf', function() redis.log(redis.LOG_NOTICE, 'in lf') return 1 end)";
    assert_eq!(
        c.cmd(&[&b"FUNCTION"[..], b"LOAD", lib]),
        b"$6\r\nlogged\r\n".to_vec()
    );
    assert_eq!(c.cmd(&[&b"FCALL"[..], b"lf", b"0"]), b":1\r\n".to_vec());
    assert_eq!(
        c.cmd(&[
            &b"EVAL"[..],
            b"redis.log(redis.LOG_WARNING, 'from eval')",
            b"0"
        ]),
        b"$-1\r\n".to_vec()
    );
    // Below the default `notice` level: not written.
    assert_eq!(
        c.cmd(&[&b"EVAL"[..], b"redis.log(redis.LOG_DEBUG, 'too low')", b"0"]),
        b"$-1\r\n".to_vec()
    );
    drop(c);
    drop(srv);
    let log = std::fs::read_to_string(&path).expect("read the log");
    let _ = std::fs::remove_file(&path);
    let lines: Vec<&str> = log.lines().collect();
    let find = |tail: &str| lines.iter().position(|l| l.ends_with(tail));
    let load = find(" # loading logged").expect("load-time log line");
    let call = find(" * in lf").expect("function log line");
    let eval = find(" # from eval").expect("eval log line");
    assert!(load < call && call < eval, "{log}");
    assert!(find("too low").is_none(), "{log}");
}

/// A busy function: others get the BUSY text naming FUNCTION KILL, SCRIPT KILL
/// does not stop it (it answers that text), FUNCTION KILL does. And the other
/// way round for an EVAL script. Texts recorded from redis-server 7.0.15.
#[test]
fn each_kill_command_stops_only_its_own_kind() {
    const FUNCTION_BUSY: &str = "-BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.\r\n";
    const SCRIPT_BUSY: &str = "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n";
    let srv = crate::support::start_server_with(&["--lua-time-limit", "100"]);
    let mut runner = srv.connect();
    let lib = b"#!lua name=busyl\n\
        redis.register_function('spin', function() while true do end end)";
    assert_eq!(
        runner.cmd(&[&b"FUNCTION"[..], b"LOAD", lib]),
        b"$5\r\nbusyl\r\n".to_vec()
    );
    let text = |r: Vec<u8>| String::from_utf8_lossy(&r).into_owned();

    runner.send(&crate::support::multibulk(&[b"FCALL", b"spin", b"0"]));
    std::thread::sleep(Duration::from_millis(300));
    let mut other = srv.connect();
    assert_eq!(text(other.cmd(&[b"GET", b"x"])), FUNCTION_BUSY);
    assert_eq!(text(other.cmd(&[b"SCRIPT", b"KILL"])), FUNCTION_BUSY);
    assert_eq!(text(other.cmd(&[b"FUNCTION", b"KILL"])), "+OK\r\n");
    assert_eq!(
        text(runner.read_reply()),
        "-ERR Script killed by user with SCRIPT KILL... script: spin, on @user_function:2.\r\n"
    );

    runner.send(&crate::support::multibulk(&[
        b"EVAL",
        b"while true do end",
        b"0",
    ]));
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(text(other.cmd(&[b"GET", b"x"])), SCRIPT_BUSY);
    assert_eq!(text(other.cmd(&[b"FUNCTION", b"KILL"])), SCRIPT_BUSY);
    assert_eq!(text(other.cmd(&[b"SCRIPT", b"KILL"])), "+OK\r\n");
    assert!(text(runner.read_reply())
        .starts_with("-ERR Script killed by user with SCRIPT KILL... script: "));
    assert_eq!(
        text(other.cmd(&[b"FUNCTION", b"KILL"])),
        "-NOTBUSY No scripts in execution right now.\r\n"
    );
}

/// A library whose body never ends is stopped after 500 ms, as Redis stops
/// it, and the server goes on (the Tcl suite's "LIBRARIES - load timeout").
#[test]
fn a_library_body_that_loops_times_out() {
    let srv = start_server();
    let mut c = srv.connect();
    let started = std::time::Instant::now();
    assert_eq!(
        c.cmd(&[
            b"FUNCTION",
            b"LOAD",
            b"#!lua name=lib\nlocal a = 1\nwhile 1 do a = a + 1 end"
        ]),
        b"-ERR Error registering functions: ERR FUNCTION LOAD timeout\r\n".to_vec()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(3));
    assert_eq!(c.cmd(&[b"PING"]), b"+PONG\r\n".to_vec());
    assert_eq!(c.cmd(&[b"FUNCTION", b"LIST"]), b"*0\r\n".to_vec());
}
