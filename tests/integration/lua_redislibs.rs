//! The libraries Redis gives scripts (`cjson`, `cmsgpack`, `struct`), run on
//! the engine through its API. Every expected value was observed on
//! redis-server 7.0 (`EVAL "<script>" 0`); the chunk is named `user_script`
//! so error messages carry Redis's own `user_script:1:` prefix.

use ferrous::lua::{Value, Vm};

fn vm() -> Vm {
    let mut vm = Vm::new();
    ferrous::lua::redislibs::cjson::open(&mut vm);
    ferrous::lua::redislibs::cmsgpack::open(&mut vm);
    ferrous::lua::redislibs::struct_::open(&mut vm);
    vm
}

/// Runs `src` and renders the results (strings lossily, numbers with `%.14g`,
/// others by `tostring`), or the error message.
fn run_in(vm: &mut Vm, src: &str) -> Vec<String> {
    let f = match vm.load(src.as_bytes(), "=user_script") {
        Ok(f) => f,
        Err(e) => return vec![vm.error_message(&e)],
    };
    match vm.call(f, &[]) {
        Ok(vals) => vals.into_iter().map(|v| vm.to_string_lossy(v)).collect(),
        Err(e) => vec![vm.error_message(&e)],
    }
}

fn run(src: &str) -> Vec<String> {
    run_in(&mut vm(), src)
}

fn one(src: &str) -> String {
    run(src).into_iter().next().unwrap_or_default()
}

/// Runs `src` and returns its first result's bytes in hex.
fn hex(src: &str) -> String {
    let mut vm = vm();
    let r = vm.eval(src);
    let r = match r {
        Ok(r) => r,
        Err(e) => return vm.error_message(&e),
    };
    let b = r.first().and_then(|v| vm.to_bytes(*v)).unwrap_or_default();
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

// ----- cjson -------------------------------------------------------------------

#[test]
fn cjson_encode_values() {
    assert_eq!(one("return cjson.encode({1,2,3})"), "[1,2,3]");
    assert_eq!(
        one("return cjson.encode({[1]=1,[2]=2,[5]=5})"),
        "[1,2,null,null,5]"
    );
    assert_eq!(
        one("return cjson.encode({a=1,[3]=2})").len(),
        r#"{"a":1,"3":2}"#.len()
    );
    assert_eq!(one("return cjson.encode({})"), "{}");
    assert_eq!(
        one(r#"return cjson.encode('a/b"\\\n\r\t\1\127')"#),
        r#""a\/b\"\\\n\r\t\u0001\u007f""#
    );
    assert_eq!(
        one(r"return cjson.encode('\31\8\12\0')"),
        r#""\u001f\b\f\u0000""#
    );
    assert_eq!(one("return cjson.encode(1/3)"), "0.33333333333333");
    assert_eq!(one("return cjson.encode(1e300)"), "1e+300");
    assert_eq!(one("return cjson.encode(-0)"), "-0");
    assert_eq!(one("return cjson.encode(cjson.null)"), "null");
    assert_eq!(
        one("return cjson.encode({cjson.null, true, false})"),
        "[null,true,false]"
    );
    assert_eq!(one("return type(cjson.null)"), "userdata");
    assert_eq!(one("return cjson.encode({[1.5]=1})"), r#"{"1.5":1}"#);
    assert_eq!(one("return cjson.encode({[-1]=1})"), r#"{"-1":1}"#);
    assert_eq!(one("return cjson.encode({[0]=1})"), r#"{"0":1}"#);
    assert_eq!(one("return cjson.encode({1,2,nil,4})"), "[1,2,null,4]");
    assert_eq!(
        one("return cjson.encode({1e15, 123456789012345, 0.1, -1.5e-7, 2^53})"),
        "[1e+15,1.2345678901234e+14,0.1,-1.5e-07,9.007199254741e+15]"
    );
    assert_eq!(
        one("return cjson.encode(cjson.decode('[1.5e300,-1.25,12345678901234567]'))"),
        "[1.5e+300,-1.25,1.2345678901235e+16]"
    );
    assert_eq!(
        one(r#"return cjson.encode(cjson.decode('{"a":[1,2,{"b":null}]}'))"#),
        r#"{"a":[1,2,{"b":null}]}"#
    );
    // a mixed table is an object whose number keys are stringified
    let mixed = one("return cjson.encode({1,2,a=3})");
    assert_eq!(mixed.len(), r#"{"1":1,"2":2,"a":3}"#.len());
    assert!(
        mixed.contains(r#""1":1"#) && mixed.contains(r#""a":3"#),
        "{}",
        mixed
    );
}

#[test]
fn cjson_encode_errors() {
    assert_eq!(
        one("return cjson.encode({[1]=1,[2]=2,[20]=5})"),
        "user_script:1: Cannot serialise table: excessively sparse array"
    );
    assert_eq!(
        one("return cjson.encode(1/0)"),
        "user_script:1: Cannot serialise number: must not be NaN or Inf"
    );
    assert_eq!(
        one("return cjson.encode(0/0)"),
        "user_script:1: Cannot serialise number: must not be NaN or Inf"
    );
    assert_eq!(
        one("return cjson.encode(cjson.new)"),
        "user_script:1: Cannot serialise function: type not supported"
    );
    assert_eq!(
        one("return cjson.encode({[true]=1})"),
        "user_script:1: Cannot serialise boolean: table key must be a number or string"
    );
    assert_eq!(
        one("local t={} local c=t for i=1,1001 do c[1]={} c=c[1] end return cjson.encode(t)"),
        "user_script:1: Cannot serialise, excessive nesting (1001)"
    );
    assert_eq!(
        one("local t={} local c=t for i=1,999 do c[1]={} c=c[1] end return #cjson.encode(t)"),
        "2000"
    );
    assert_eq!(
        one("return cjson.encode()"),
        "user_script:1: bad argument #1 to 'encode' (expected 1 argument)"
    );
    assert_eq!(
        one("return cjson.encode(1,2)"),
        "user_script:1: bad argument #1 to 'encode' (expected 1 argument)"
    );
}

#[test]
fn cjson_options() {
    assert_eq!(
        run("local a,b,c = cjson.encode_sparse_array() return tostring(a),b,c"),
        ["false", "2", "10"]
    );
    assert_eq!(
        run(
            "return cjson.encode_max_depth(), cjson.decode_max_depth(), \
             cjson.encode_number_precision(), cjson.encode_keep_buffer(), \
             cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers()"
        ),
        ["1000", "1000", "14", "true", "false", "true"]
    );
    assert_eq!(
        run("local a,b,c = cjson.encode_sparse_array(true) return tostring(a),b,c"),
        ["true", "2", "10"]
    );
    assert_eq!(
        one("cjson.encode_sparse_array(true) return cjson.encode({[1]=1,[20]=5})").len(),
        r#"{"1":1,"20":5}"#.len()
    );
    assert_eq!(
        one("return cjson.encode_number_precision(0)"),
        "user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"
    );
    assert_eq!(
        one("return cjson.encode_number_precision(15)"),
        "user_script:1: bad argument #1 to 'encode_number_precision' (expected integer between 1 and 14)"
    );
    assert_eq!(one("return cjson.encode_number_precision(14)"), "14");
    assert_eq!(
        one("return cjson.encode_max_depth(0)"),
        "user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)"
    );
    assert_eq!(
        one("return cjson.encode_max_depth('a')"),
        "user_script:1: bad argument #1 to 'encode_max_depth' (number expected, got string)"
    );
    assert_eq!(
        one("return cjson.encode_sparse_array(1,2,3,4)"),
        "user_script:1: bad argument #4 to 'encode_sparse_array' (found too many arguments)"
    );
    assert_eq!(
        one("return cjson.encode_sparse_array('x')"),
        "user_script:1: bad argument #1 to 'encode_sparse_array' (invalid option 'x')"
    );
    assert_eq!(
        one("return tostring(cjson.encode_sparse_array('on'))"),
        "true"
    );
    assert_eq!(one("return cjson.encode_invalid_numbers('null')"), "null");
    assert_eq!(
        one("return cjson.encode_invalid_numbers(1)"),
        "user_script:1: bad argument #1 to 'encode_invalid_numbers' (invalid option '1')"
    );
    assert_eq!(
        run(
            "cjson.encode_invalid_numbers(true) local a=cjson.encode({1/0,-1/0,0/0}) \
             cjson.encode_invalid_numbers('null') local b=cjson.encode({1/0,0/0}) return a, b"
        ),
        ["[inf,-inf,nan]", "[null,null]"]
    );
    assert_eq!(
        one("cjson.decode_invalid_numbers(false) local ok,e=pcall(cjson.decode,'nan') return e"),
        // called straight from pcall: no position, as in Redis
        "Expected value but found invalid token at character 1"
    );
    assert_eq!(
        one("cjson.decode_invalid_numbers(false) local ok,e=pcall(cjson.decode,'0x10') return e"),
        "Expected value but found invalid number at character 1"
    );
    assert_eq!(
        one("cjson.encode_number_precision(3) return cjson.encode(1/3)"),
        "0.333"
    );
    // cjson.new() has its own settings
    assert_eq!(
        run("local c = cjson.new() c.encode_number_precision(2) \
             return c.encode(1/3), cjson.encode(1/3)"),
        ["0.33", "0.33333333333333"]
    );
    assert_eq!(
        run("return cjson._NAME, cjson._VERSION"),
        ["cjson", "2.1.0"]
    );
}

#[test]
fn cjson_decode_values() {
    assert_eq!(
        one(r#"return cjson.decode('[1,[2,{"a":true}]]')[2][2].a"#),
        "true"
    );
    assert_eq!(
        one(r#"return cjson.decode('"\\u00e9\\ud83d\\ude00"')"#),
        "é😀"
    );
    assert_eq!(one(r#"return cjson.decode('"\\u0000"') == '\0'"#), "true");
    assert_eq!(
        one(r#"return cjson.encode(cjson.decode('["\\/\\b\\f"]'))"#),
        r#"["\/\b\f"]"#
    );
    assert_eq!(one("return cjson.decode('\"a\tb\"')"), "a\tb");
    assert_eq!(
        run("local t = cjson.decode('[1e2, -0.5, 0x10, 1.25]') return t[1], t[2], t[3], t[4], #t"),
        ["100", "-0.5", "16", "1.25", "4"]
    );
    assert_eq!(one("return cjson.decode(123)"), "123");
    assert_eq!(one(r#"return cjson.decode('{"a":1,"a":2}').a"#), "2");
    assert_eq!(
        one(r#"return cjson.encode(cjson.decode('["\\u20ac"]'))"#),
        "[\"€\"]"
    );
    assert_eq!(one("return cjson.encode({[1e20]=1})"), r#"{"1e+20":1}"#);
    assert_eq!(
        one("return cjson.encode({1e-300, -123.456, 5e-324, 1e100})"),
        "[1e-300,-123.456,4.9406564584125e-324,1e+100]"
    );
    assert_eq!(one("return cjson.encode({['']=1})"), r#"{"":1}"#);
    assert_eq!(
        run("return cjson.decode('1e400'), cjson.decode('-0'), cjson.decode('1E2')"),
        ["inf", "-0", "100"]
    );
    // bytes >= 128 are copied unchanged
    let mut v = vm();
    let r = v.eval(r"return cjson.encode('\200\255')").unwrap();
    assert_eq!(v.to_bytes(r[0]).unwrap(), b"\"\xc8\xff\"");
    assert_eq!(
        one("cjson.encode_number_precision(3) return cjson.encode({[1/3]=1})"),
        r#"{"0.333":1}"#
    );
    assert_eq!(
        run("local t = cjson.decode('  [1, 2]  ') return t[1], t[2]"),
        ["1", "2"]
    );
    assert_eq!(one("return cjson.decode('null') == cjson.null"), "true");
    assert_eq!(
        one("return tostring(cjson.decode('nan') ~= cjson.decode('nan'))"),
        "true"
    );
    assert_eq!(one("return cjson.decode('-Infinity')"), "-inf");
    assert_eq!(one("return next(cjson.decode('{}'))"), "nil");
    assert_eq!(
        one("local s='' for i=1,1000 do s=s..'[' end for i=1,1000 do s=s..']' end return #cjson.decode(s)"),
        "1"
    );
}

#[test]
fn cjson_decode_errors() {
    let cases = [
        ("''", "Expected value but found T_END at character 1"),
        ("' '", "Expected value but found T_END at character 2"),
        (
            "'x'",
            "Expected value but found invalid token at character 1",
        ),
        (
            "'tru'",
            "Expected value but found invalid token at character 1",
        ),
        (
            "'-'",
            "Expected value but found invalid number at character 1",
        ),
        (
            "'[1,]'",
            "Expected value but found T_ARR_END at character 4",
        ),
        ("'['", "Expected value but found T_END at character 2"),
        (
            r#"'{"a":'"#,
            "Expected value but found T_END at character 6",
        ),
        (
            r#"'{"a":1,}'"#,
            "Expected object key string but found T_OBJ_END at character 8",
        ),
        (
            r#"'{"a":1 "b":2}'"#,
            "Expected comma or object end but found T_STRING at character 8",
        ),
        (
            "'[1 2]'",
            "Expected comma or array end but found T_NUMBER at character 4",
        ),
        (
            "'{1:2}'",
            "Expected object key string but found T_NUMBER at character 2",
        ),
        (
            r#"'{"a" 2}'"#,
            "Expected colon but found T_NUMBER at character 6",
        ),
        (
            "'1 2'",
            "Expected the end but found T_NUMBER at character 3",
        ),
        (
            r#"'"\\ud83d"'"#,
            "Expected value but found invalid unicode escape code at character 2",
        ),
        (
            r#"'"\\udc00"'"#,
            "Expected value but found invalid unicode escape code at character 2",
        ),
        (
            r#"'"\\u00"'"#,
            "Expected value but found invalid unicode escape code at character 2",
        ),
        (
            r#"'"\\x"'"#,
            "Expected value but found invalid escape code at character 2",
        ),
        (
            r#"'"abc'"#,
            "Expected value but found unexpected end of string at character 5",
        ),
    ];
    for (arg, msg) in cases {
        assert_eq!(
            one(&format!("return cjson.decode({})", arg)),
            format!("user_script:1: {}", msg),
            "decode({})",
            arg
        );
    }
    assert_eq!(
        one("local s='' for i=1,1001 do s=s..'[' end for i=1,1001 do s=s..']' end return cjson.decode(s)"),
        "user_script:1: Found too many nested data structures (1001) at character 1001"
    );
    assert_eq!(
        one("return cjson.decode()"),
        "user_script:1: bad argument #1 to 'decode' (expected 1 argument)"
    );
    assert_eq!(
        one("return cjson.decode(1,2)"),
        "user_script:1: bad argument #1 to 'decode' (expected 1 argument)"
    );
}

#[test]
fn cjson_round_trip_keeps_values() {
    let mut vm = vm();
    let r = vm
        .eval(
            r#"local t = cjson.decode(cjson.encode({name="x\0y", n=-12.5, list={1,"two",false}}))
                 return t.name, t.n, t.list[2], t.list[3]"#,
        )
        .unwrap();
    assert_eq!(vm.to_bytes(r[0]).unwrap(), b"x\0y");
    assert_eq!(r[1], Value::Num(-12.5));
    assert_eq!(vm.to_string_lossy(r[2]), "two");
    assert_eq!(r[3], Value::Bool(false));
}

// ----- cmsgpack ----------------------------------------------------------------

#[test]
fn cmsgpack_pack_scalars() {
    assert_eq!(
        hex("return cmsgpack.pack(nil, true, false, 0, 127, 128, 255, 256, 65535, 65536, \
             4294967295, 4294967296, -1, -32, -33, -128, -129, -32768, -32769, -2147483648, -2147483649)"),
        "c0c3c2007fcc80ccffcd0100cdffffce00010000ceffffffffcf0000000100000000ffe0d0dfd080\
         d1ff7fd18000d2ffff7fffd280000000d3ffffffff7fffffff"
    );
    assert_eq!(
        hex("return cmsgpack.pack(1.5, 0.1, -1.5, 1e300, 2^64, -2^63, 2^63, 1/0, -0.0)"),
        "ca3fc00000cb3fb999999999999acabfc00000cb7e37e43c8800759cca5f800000d38000000000000000\
         ca5f000000ca7f80000000"
    );
    let long = "local s='' for i=1,32 do s=s..'x' end";
    assert_eq!(
        hex(&format!("{} return cmsgpack.pack('', 'abc', s)", long)),
        format!("a0a3616263d920{}", "78".repeat(32))
    );
    assert_eq!(
        &hex("local s='x' for i=1,8 do s=s..s end return cmsgpack.pack(s)")[..8],
        "da010078"
    );
    assert_eq!(
        &hex("local s='x' for i=1,16 do s=s..s end return cmsgpack.pack(s)")[..12],
        "db0001000078"
    );
    // functions and other unsupported values pack as nil
    assert_eq!(hex("return cmsgpack.pack(cmsgpack.pack)"), "c0");
    assert_eq!(hex("return cmsgpack.pack({f=cmsgpack.pack})"), "81a166c0");
}

#[test]
fn cmsgpack_pack_tables() {
    assert_eq!(
        hex("return cmsgpack.pack({}, {1,2}, {a=1})"),
        "9092010281a16101"
    );
    // keys that are not exactly 1..n make a map
    assert_eq!(hex("return cmsgpack.pack({[2]=1})"), "810201");
    let m = hex("return cmsgpack.pack({1,2,nil,4})");
    assert_eq!(&m[..2], "83");
    assert_eq!(m.len(), 14);
    assert_eq!(
        &hex("local t={} for i=1,16 do t[i]=i end return cmsgpack.pack(t)")[..8],
        "dc001001"
    );
    assert_eq!(
        &hex("local t={} for i=1,16 do t['k'..i]=i end return cmsgpack.pack(t)")[..2],
        "de"
    );
    assert_eq!(
        &hex("local t={} for i=1,65536 do t[i]=0 end return cmsgpack.pack(t)")[..12],
        "dd0001000000"
    );
    assert_eq!(hex("return cmsgpack.pack({[1.5]='a'})"), "81ca3fc00000a161");
    assert_eq!(hex("return cmsgpack.pack(cjson.null)"), "c0");
    // tables nested deeper than 16 levels become nil
    assert_eq!(
        hex("local t={} local c=t for i=1,17 do c[1]={} c=c[1] end return cmsgpack.pack(t)"),
        format!("{}c0", "91".repeat(16))
    );
}

#[test]
fn cmsgpack_unpack() {
    assert_eq!(
        run(
            "local a,b,c,d = cmsgpack.unpack(cmsgpack.pack(1,'a',{1,2},{x=3})) return a,b,c[2],d.x"
        ),
        ["1", "a", "2", "3"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_one(cmsgpack.pack(7,8,9))"),
        ["1", "7"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_one(cmsgpack.pack(7,8,9), 1)"),
        ["2", "8"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_limit(cmsgpack.pack(7,8,9), 2)"),
        ["2", "7", "8"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_limit(cmsgpack.pack(7,8,9), 2, 1)"),
        ["-1", "8", "9"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_limit(cmsgpack.pack(7,8,9), 0, 2)"),
        ["2"]
    );
    assert_eq!(
        run("return cmsgpack.unpack_one(cmsgpack.pack(7), 1)"),
        ["-1"]
    );
    assert_eq!(run("return cmsgpack.unpack('')"), Vec::<String>::new());
    assert_eq!(
        run("return cmsgpack.unpack(cmsgpack.pack(-2147483649, 1.5, 0.1, 4294967296, -33))"),
        ["-2147483649", "1.5", "0.1", "4294967296", "-33"]
    );
    assert_eq!(
        run("local t = cmsgpack.unpack(cmsgpack.pack({a={b={true,false}}})) return t.a.b[1], t.a.b[2]"),
        ["true", "false"]
    );
    assert_eq!(
        one("return cmsgpack.unpack('\\207\\255\\255\\255\\255\\255\\255\\255\\255')"),
        "1.844674407371e+19"
    );
}

#[test]
fn cmsgpack_errors() {
    let cases = [
        ("cmsgpack.unpack('\\205\\1')", "Missing bytes in input."),
        ("cmsgpack.unpack('\\193')", "Bad data format in input."),
        ("cmsgpack.unpack('\\196\\2ab')", "Bad data format in input."),
        (
            "cmsgpack.unpack('\\212\\1\\2')",
            "Bad data format in input.",
        ),
        (
            "cmsgpack.pack()",
            "bad argument #0 to 'pack' (MessagePack pack needs input.)",
        ),
        (
            "cmsgpack.unpack_one('\\1\\2', -1)",
            "Invalid request to unpack with offset of -1 and limit of 2.",
        ),
        (
            "cmsgpack.unpack_one('\\1\\2', 5)",
            "Start offset 5 greater than input length 2.",
        ),
    ];
    for (expr, msg) in cases {
        assert_eq!(
            one(&format!("return {}", expr)),
            format!("user_script:1: {}", msg),
            "{}",
            expr
        );
    }
    assert_eq!(
        run("local s='' for i=1,10000 do s=s..'\\145' end return cmsgpack.unpack(s..'\\0')"),
        ["user_script:1: stack overflow (in function mp_decode_to_lua_array)"]
    );
    assert_eq!(
        one("local ok,e = pcall(cmsgpack.unpack, '\\129\\192\\1') return e"),
        "table index is nil"
    );
    assert_eq!(
        run("local t={} for k in pairs(cmsgpack) do t[#t+1]=k end return #t, cmsgpack._VERSION"),
        ["8", "lua-cmsgpack 0.4.0"]
    );
}

// ----- struct --------------------------------------------------------------------

#[test]
fn struct_pack() {
    let cases = [
        (
            "'>i2 <i2 b B h H l L', 1, 2, -1, 255, -2, 65535, -3, 3",
            "00010200fffffefffffffdffffffffffffff0300000000000000",
        ),
        ("'!4 b i', 1, 2", "0100000002000000"),
        ("'i3 I5', -2, 2^33", "feffff0000000002"),
        ("'f d', 1.5, 0.1", "0000c03f9a9999999999b93f"),
        ("'s c3 c0', 'ab', 'xyz', 'q'", "61620078797a71"),
        ("'x b x', 7", "000700"),
        ("'>!8 b d', 1, 2", "01000000000000004000000000000000"),
        ("'T', 5", "0500000000000000"),
        ("'i17', 1", "0100000000000000000000000000000000"),
        (
            "'!2 b h !8 b d', 1,2,3,4",
            "01000200030000000000000000001040",
        ),
        ("'>I3 <I3', 0x010203, 0x010203", "010203030201"),
        ("'i8', -1", "ffffffffffffffff"),
        ("'I1', 300", "2c"),
        ("'h', 1.7", "0100"),
        ("'b', -1.7", "ff"),
        ("'c', 'abc'", "61"),
        ("'c', 1", "31"),
    ];
    for (args, want) in cases {
        assert_eq!(
            hex(&format!("return struct.pack({})", args)),
            want,
            "pack({})",
            args
        );
    }
    assert_eq!(run("return struct.size('i'), struct.size('!8 b d'), struct.size('c5 x h'), struct.size('l'), struct.size('T')"), ["4", "16", "8", "8", "8"]);
}

#[test]
fn struct_unpack() {
    assert_eq!(
        run("return struct.unpack('>i2 b', '\\0\\5\\255')"),
        ["5", "-1", "4"]
    );
    assert_eq!(run("return struct.unpack('s', 'ab\\0c')"), ["ab", "4"]);
    assert_eq!(run("return struct.unpack('b c0', '\\2xyz')"), ["xy", "4"]);
    assert_eq!(
        run("return struct.unpack('i', '\\1\\0\\0\\0\\9', 2)"),
        ["150994944", "6"]
    );
    assert_eq!(
        run("return struct.unpack(' I8 ', '\\255\\255\\255\\255\\255\\255\\255\\255')"),
        ["1.844674407371e+19", "9"]
    );
    assert_eq!(
        one("return struct.unpack('i9', '\\255\\255\\255\\255\\255\\255\\255\\255\\255')"),
        "-1"
    );
    assert_eq!(
        one("return struct.unpack('f', struct.pack('f', 0.1))"),
        "0.10000000149012"
    );
    assert_eq!(
        run("return struct.unpack('>d <h', struct.pack('>d <h', -2.5, -300))"),
        ["-2.5", "-300", "11"]
    );
}

#[test]
fn struct_errors() {
    let cases = [
        (
            "struct.unpack('i', '\\1\\2')",
            "bad argument #2 to 'unpack' (data string too short)",
        ),
        (
            "struct.unpack('c', '')",
            "bad argument #2 to 'unpack' (data string too short)",
        ),
        (
            "struct.unpack('i', '\\1\\0\\0\\0', 6)",
            "bad argument #2 to 'unpack' (data string too short)",
        ),
        (
            "struct.unpack('i', '\\1\\0\\0\\0', 0)",
            "bad argument #3 to 'unpack' (offset must be 1 or greater)",
        ),
        (
            "struct.size('s')",
            "bad argument #1 to 'size' (option 's' has no fixed size)",
        ),
        (
            "struct.pack('q', 1)",
            "bad argument #1 to 'pack' (invalid format option 'q')",
        ),
        (
            "struct.pack('i33', 1)",
            "integral size 33 is larger than limit of 32",
        ),
        ("struct.pack('!3 i', 1)", "alignment 3 is not a power of 2"),
        (
            "struct.pack('!0 b i', 1, 2)",
            "alignment 0 is not a power of 2",
        ),
        (
            "struct.pack('i', 'x')",
            "bad argument #2 to 'pack' (number expected, got string)",
        ),
        (
            "struct.pack('i')",
            "bad argument #2 to 'pack' (number expected, got nil)",
        ),
        ("struct.unpack('s', 'abc')", "unfinished string in data"),
        (
            "struct.pack('c3', 'ab')",
            "bad argument #3 to 'pack' (string too short)",
        ),
        (
            "struct.unpack('c0', 'ab')",
            "format 'c0' needs a previous size",
        ),
    ];
    for (expr, msg) in cases {
        assert_eq!(
            one(&format!("return {}", expr)),
            format!("user_script:1: {}", msg),
            "{}",
            expr
        );
    }
}

#[test]
fn cjson_hard_depth_cap() {
    // Redis stops at 7998 / 7999 here (its Lua stack limit), whatever the setting
    let r = run("cjson.encode_max_depth(100000) local t={} local c=t for i=1,10000 do c[1]={} c=c[1] end local ok,e=pcall(cjson.encode,t) return e");
    assert_eq!(r, ["Cannot serialise, excessive nesting (7998)"]);
    let r = run("cjson.decode_max_depth(100000) local s='' for i=1,10000 do s=s..'[' end local ok,e=pcall(cjson.decode,s) return e");
    assert_eq!(
        r,
        ["Found too many nested data structures (7999) at character 7999"]
    );
}

#[test]
fn cmsgpack_unpack_depth_limit() {
    // observed: 3999 nested arrays unpack, 4000 fail
    assert_eq!(
        run("local s='' for i=1,3999 do s=s..'\\145' end local t = cmsgpack.unpack(s..'\\0') return type(t)"),
        ["table"]
    );
    assert_eq!(
        run("local s='' for i=1,4000 do s=s..'\\145' end local ok,e=pcall(cmsgpack.unpack, s..'\\0') return e"),
        ["stack overflow (in function mp_decode_to_lua_array)"]
    );
}

/// Throughput probe (run with `--release -- --ignored --nocapture`): the same
/// script is timed on redis-server with `EVAL`.
#[test]
#[ignore]
fn bench_cjson_cmsgpack() {
    let mut vm = vm();
    for src in [
        "local t={a=1,b='hello world',c={1,2,3,4.5},d={x=true,y=cjson.null}} \
         for i=1,100000 do local s=cjson.encode(t) cjson.decode(s) end",
        "local t={a=1,b='hello world',c={1,2,3,4.5},d={x=true}} \
         for i=1,100000 do local s=cmsgpack.pack(t) cmsgpack.unpack(s) end",
    ] {
        let t0 = std::time::Instant::now();
        vm.eval(src).unwrap();
        println!("{:?}  {}", t0.elapsed(), &src[..40]);
    }
}
