//! The script environments against redis-server 7.0.15: every expected value
//! below was read from the oracle (`EVAL ... 0` / `FUNCTION LOAD` + `FCALL`).
use super::*;

/// Runs `src` as a script body (chunk `@user_script`) in a sealed EVAL state
/// and returns its first result as text, or the error message.
fn eval_in(vm: &mut Vm, src: &str) -> Result<String, String> {
    let f = vm
        .load(src.as_bytes(), "@user_script")
        .map_err(|e| vm.error_message(&e))?;
    match vm.call(f, &[]) {
        Ok(vals) => Ok(vals
            .first()
            .map(|v| vm.to_string_lossy(*v))
            .unwrap_or_default()),
        Err(e) => Err(vm.error_message(&e)),
    }
}

fn sealed_eval_vm() -> Vm {
    let mut vm = new_eval_vm();
    seal(&mut vm);
    set_script_args(&mut vm, &[b"k1".to_vec()], &[b"a\0b".to_vec()]);
    vm
}

/// Sorted keys of the table an expression yields, space separated.
const KEYS_OF: &str =
    "local t = {} for k in pairs(%s) do t[#t+1] = k end table.sort(t) return table.concat(t, ' ')";

fn keys_of(vm: &mut Vm, expr: &str) -> String {
    eval_in(vm, &KEYS_OF.replace("%s", expr)).unwrap_or_else(|e| e)
}

#[test]
fn eval_globals_are_redis_7_0s() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        keys_of(&mut vm, "_G"),
        "ARGV KEYS _G _VERSION __redis__err__handler assert bit cjson cmsgpack collectgarbage \
         coroutine error gcinfo getmetatable ipairs load loadstring math next pairs pcall \
         rawequal rawget rawset redis select setmetatable string struct table tonumber \
         tostring type unpack xpcall"
    );
}

#[test]
fn library_tables_are_redis_7_0s() {
    let mut vm = sealed_eval_vm();
    let expect = [
        (
            "string",
            "byte char dump find format gfind gmatch gsub len lower match rep reverse sub upper",
        ),
        (
            "table",
            "concat foreach foreachi getn insert maxn remove setn sort",
        ),
        (
            "math",
            "abs acos asin atan atan2 ceil cos cosh deg exp floor fmod frexp huge ldexp log log10 \
             max min mod modf pi pow rad random randomseed sin sinh sqrt tan tanh",
        ),
        ("coroutine", "create resume running status wrap yield"),
        (
            "cjson",
            "_NAME _VERSION decode decode_invalid_numbers decode_max_depth encode \
             encode_invalid_numbers encode_keep_buffer encode_max_depth encode_number_precision \
             encode_sparse_array new null",
        ),
        (
            "cmsgpack",
            "_COPYRIGHT _DESCRIPTION _NAME _VERSION pack unpack unpack_limit unpack_one",
        ),
        (
            "bit",
            "arshift band bnot bor bswap bxor lshift rol ror rshift tobit tohex",
        ),
        ("struct", "pack size unpack"),
        // without the natives the server adds (call pcall log setresp set_repl
        // replicate_commands acl_check_cmd)
        (
            "redis",
            "LOG_DEBUG LOG_NOTICE LOG_VERBOSE LOG_WARNING REDIS_VERSION REDIS_VERSION_NUM \
             REPL_ALL REPL_AOF REPL_NONE REPL_REPLICA REPL_SLAVE breakpoint debug error_reply \
             sha1hex status_reply",
        ),
    ];
    for (lib, keys) in expect {
        assert_eq!(keys_of(&mut vm, lib), keys, "library {lib}");
    }
}

#[test]
fn function_state_globals_lack_the_eval_handler() {
    let mut vm = new_function_vm();
    seal(&mut vm);
    assert_eq!(
        keys_of(&mut vm, "_G"),
        "_G _VERSION assert bit cjson cmsgpack collectgarbage coroutine error gcinfo \
         getmetatable ipairs load loadstring math next pairs pcall rawequal rawget rawset \
         redis select setmetatable string struct table tonumber tostring type unpack xpcall"
    );
    assert_eq!(
        keys_of(&mut vm, "redis"),
        "LOG_DEBUG LOG_NOTICE LOG_VERBOSE LOG_WARNING REDIS_VERSION REDIS_VERSION_NUM \
         REPL_ALL REPL_AOF REPL_NONE REPL_REPLICA REPL_SLAVE error_reply sha1hex status_reply"
    );
}

#[test]
fn constants() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        eval_in(&mut vm, "return redis.REDIS_VERSION"),
        Ok("7.0.15".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.REDIS_VERSION_NUM"),
        Ok("458767".into())
    );
    let consts = "return table.concat({redis.REPL_ALL, redis.REPL_AOF, redis.REPL_NONE, \
                  redis.REPL_REPLICA, redis.REPL_SLAVE, redis.LOG_DEBUG, redis.LOG_VERBOSE, \
                  redis.LOG_NOTICE, redis.LOG_WARNING}, ' ')";
    assert_eq!(eval_in(&mut vm, consts), Ok("3 1 0 2 2 0 1 2 3".into()));
    assert_eq!(eval_in(&mut vm, "return _VERSION"), Ok("Lua 5.1".into()));
}

#[test]
fn random_follows_redis_generator_across_scripts() {
    let mut vm = sealed_eval_vm();
    // a fresh server's first EVAL: {random(), random(), random(100), random(5,10)}
    let first = "return table.concat({tostring(math.random()), tostring(math.random()), \
                 math.random(100), math.random(5, 10)}, ' ')";
    assert_eq!(
        eval_in(&mut vm, first),
        Ok("0.39646477363839 0.84048536971234 36 7".into())
    );
    let mut fresh = sealed_eval_vm();
    assert_eq!(
        eval_in(
            &mut fresh,
            "return tostring(math.random()) .. ' ' .. tostring(math.random())"
        ),
        Ok("0.39646477363839 0.84048536971234".into())
    );
    // the state is not reset between scripts
    assert_eq!(
        eval_in(&mut fresh, "return tostring(math.random())"),
        Ok("0.35333609737146".into())
    );
    let seeded = "math.randomseed(42) return tostring(math.random()) .. ' ' .. math.random(1000)";
    assert_eq!(eval_in(&mut vm, seeded), Ok("0.74452500033403 343".into()));
    let zero =
        "math.randomseed(0) return tostring(math.random()) .. ' ' .. tostring(math.random())";
    assert_eq!(
        eval_in(&mut vm, zero),
        Ok("0.17082803611217 0.74990198051087".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return math.random(3, 1)"),
        Err("user_script:1: bad argument #2 to 'random' (interval is empty)".into())
    );
    assert_eq!(
        eval_in(
            &mut vm,
            "local ok, e = pcall(math.random, 1, 2, 3) return e"
        ),
        Ok("wrong number of arguments".into())
    );
}

#[test]
fn globals_and_libraries_are_protected() {
    let mut vm = sealed_eval_vm();
    let ro = "Attempt to modify a readonly table";
    let with_pos = format!("user_script:1: {ro}");
    assert_eq!(eval_in(&mut vm, "x = 1"), Err(with_pos.clone()));
    assert_eq!(eval_in(&mut vm, "_G.x = 1"), Err(with_pos.clone()));
    assert_eq!(eval_in(&mut vm, "string.foo = 1"), Err(with_pos.clone()));
    assert_eq!(
        eval_in(&mut vm, "local t = string; t.x = 1"),
        Err(with_pos.clone())
    );
    assert_eq!(eval_in(&mut vm, "redis.call = nil"), Err(with_pos.clone()));
    assert_eq!(
        eval_in(&mut vm, "local f = function() x = 1 end f()"),
        Err(with_pos.clone())
    );
    assert_eq!(
        eval_in(&mut vm, "getmetatable('').__index = {}"),
        Err(with_pos.clone())
    );
    assert_eq!(
        eval_in(&mut vm, "local t = getmetatable(_G) t.__index = nil"),
        Err(with_pos)
    );
    assert_eq!(eval_in(&mut vm, "setmetatable(_G, nil)"), Err(ro.into()));
    assert_eq!(
        eval_in(&mut vm, "rawset(_G, 'x', 1) return x"),
        Err(ro.into())
    );
    assert_eq!(eval_in(&mut vm, "table.insert(string, 1)"), Err(ro.into()));
    // fresh tables, KEYS and ARGV stay writable
    assert_eq!(
        eval_in(&mut vm, "local t = {} table.insert(t, 1) return t[1]"),
        Ok("1".into())
    );
    assert_eq!(
        eval_in(&mut vm, "KEYS[1] = 'x' return KEYS[1]"),
        Ok("x".into())
    );
    assert_eq!(eval_in(&mut vm, "return #ARGV[1]"), Ok("3".into()));
}

#[test]
fn undeclared_globals_cannot_be_read() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        eval_in(&mut vm, "local a = 1\nreturn y"),
        Err("user_script:2: Script attempted to access nonexistent global variable 'y'".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return _G[1]"),
        Err("user_script:1: Script attempted to access nonexistent global variable '1'".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return _G[{}]"),
        Err(
            "user_script:1: Second argument to luaProtectedTableError must be a string or number"
                .into()
        )
    );
    assert_eq!(
        eval_in(&mut vm, "return tostring(rawget(_G, 'zz'))"),
        Ok("nil".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return tostring(string.nothing)"),
        Ok("nil".into())
    );
}

#[test]
fn pcall_unwraps_error_tables() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        eval_in(
            &mut vm,
            "local ok, e = pcall(redis.sha1hex) return tostring(ok) .. ' ' .. e"
        ),
        Ok("false ERR wrong number of arguments".into())
    );
    assert_eq!(
        eval_in(
            &mut vm,
            "local ok, e = pcall(error, {err = 'X y'}) return e"
        ),
        Ok("X y".into())
    );
    assert_eq!(
        eval_in(
            &mut vm,
            "local ok, e = pcall(error, {other = 1}) return type(e)"
        ),
        Ok("table".into())
    );
    assert_eq!(
        eval_in(
            &mut vm,
            "return select('#', pcall(function() return 1, 2 end))"
        ),
        Ok("3".into())
    );
}

#[test]
fn redis_pure_functions() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        eval_in(&mut vm, "return redis.sha1hex('')"),
        Ok("da39a3ee5e6b4b0d3255bfef95601890afd80709".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.sha1hex(1)"),
        Ok("356a192b7913b04c54574d18c28d46e6395428ab".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.sha1hex({})"),
        Ok("da39a3ee5e6b4b0d3255bfef95601890afd80709".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.error_reply('x').err"),
        Ok("ERR x".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.error_reply('-x y').err"),
        Ok("x y".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.error_reply('').err"),
        Ok("ERR ".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.status_reply('x').ok"),
        Ok("x".into())
    );
    // bad arguments are returned as an error table, not raised
    let bad = "ERR wrong number or type of arguments";
    assert_eq!(
        eval_in(&mut vm, "return redis.error_reply().err"),
        Ok(bad.into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.error_reply(1).err"),
        Ok(bad.into())
    );
    assert_eq!(
        eval_in(&mut vm, "return redis.status_reply({}).err"),
        Ok(bad.into())
    );
    assert_eq!(
        eval_in(&mut vm, "return tostring(redis.breakpoint())"),
        Ok("false".into())
    );
    assert_eq!(
        eval_in(&mut vm, "return select('#', redis.debug('x'))"),
        Ok("0".into())
    );
}

#[test]
fn loadstring_refuses_binary_chunks() {
    let mut vm = sealed_eval_vm();
    assert_eq!(
        eval_in(
            &mut vm,
            "return select('#', loadstring(string.dump(function() return 1 end)))"
        ),
        Ok("2".into())
    );
    let msg = eval_in(
        &mut vm,
        "return select(2, loadstring(string.dump(function() return 1 end)))",
    )
    .unwrap_or_default();
    assert!(
        msg.ends_with(":1: unexpected symbol near 'char(27)'"),
        "{msg}"
    );
    assert_eq!(
        eval_in(&mut vm, "return loadstring('return 1')()"),
        Ok("1".into())
    );
}

#[test]
fn err_handler_records_where() {
    let mut vm = sealed_eval_vm();
    let f = vm.load(b"local a = 1\nerror('foo')", "@user_script").ok();
    let handler = vm.get_global(ERR_HANDLER);
    let err = match vm.call_protected(f.unwrap_or(Value::Nil), &[], Some(handler)) {
        Err(LuaError::Error(Value::Table(t))) => t,
        _ => panic!("the handler must give a table"),
    };
    let field = |vm: &mut Vm, k: &str| {
        let v = vm.raw_get_str(err, k);
        vm.to_string_lossy(v)
    };
    assert_eq!(field(&mut vm, "err"), "ERR user_script:2: foo");
    assert_eq!(field(&mut vm, "source"), "@user_script");
    assert_eq!(field(&mut vm, "line"), "2");
    // a native raising: the position is the Lua caller's
    let f = vm.load(b"\n\nredis.sha1hex()", "@user_script").ok();
    let err = match vm.call_protected(f.unwrap_or(Value::Nil), &[], Some(handler)) {
        Err(LuaError::Error(Value::Table(t))) => t,
        _ => panic!("the handler must give a table"),
    };
    let v = vm.raw_get_str(err, "err");
    assert_eq!(vm.to_string_lossy(v), "ERR wrong number of arguments");
    let v = vm.raw_get_str(err, "line");
    assert_eq!(vm.to_string_lossy(v), "3");
}

#[test]
fn function_load_environment() {
    let mut vm = new_function_vm();
    seal(&mut vm);
    let env = new_load_env(&mut vm, &[]);
    let mut run = |src: &str| -> Result<String, String> {
        let f = vm
            .load(src.as_bytes(), "@user_function")
            .map_err(|e| vm.error_message(&e))?;
        vm.set_fenv(f, env);
        match vm.call(f, &[]) {
            Ok(v) => Ok(v
                .first()
                .map(|v| vm.to_string_lossy(*v))
                .unwrap_or_default()),
            Err(e) => Err(vm.error_message(&e)),
        }
    };
    let missing = |n: &str| {
        Err(format!(
            "user_function:1: Script attempted to access nonexistent global variable '{n}'"
        ))
    };
    assert_eq!(run("return redis.LOG_WARNING"), Ok("3".into()));
    assert_eq!(run("return redis.REDIS_VERSION"), Ok("7.0.15".into()));
    assert_eq!(run("return math.random()"), missing("math"));
    assert_eq!(run("return pairs"), missing("pairs"));
    assert_eq!(run("redis.call('ping')"), missing("call"));
    assert_eq!(run("return redis.REPL_ALL"), missing("REPL_ALL"));
    assert_eq!(
        run("x = 1"),
        Err("user_function:1: Attempt to modify a readonly table".into())
    );
}

#[test]
fn version_num_packs_three_bytes() {
    assert_eq!(version_num("7.0.15"), 0x07000f);
    assert_eq!(version_num("6.2.1"), 0x060201);
}
