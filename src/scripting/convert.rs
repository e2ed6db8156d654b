//! Conversions between replies and Lua values, both ways, as Redis 7.0 does them.
//!
//! Reply -> Lua (what `redis.call` returns): integer -> number, bulk -> string,
//! nil bulk / nil array -> `false`, status -> `{ok = s}`, error -> `{err = s}`,
//! array -> table. After `redis.setresp(3)`: null -> nil, boolean -> boolean,
//! double -> `{double = n}`, map -> `{map = {k = v}}`, set -> `{set = {m = true}}`,
//! big number -> `{big_number = s}`, verbatim -> `{verbatim_string = {format =,
//! string =}}`.
//!
//! Lua -> reply (what a script returns), written in the caller's protocol:
//! string -> bulk, number -> integer (truncated as C casts: out of range or NaN
//! gives `i64::MIN`), nil -> null, a table with a string `err`/`ok` ->
//! error/status (CR and LF become spaces), `{double=}`, `{map=}`, `{set=}`,
//! `{big_number=}`, `{verbatim_string={format=, string=}}` -> the RESP3 type
//! (or its RESP2 form for a RESP2 caller), any other table -> array of `t[1]..`
//! up to the first nil. Booleans follow the protocol the *script* chose with
//! `redis.setresp`: under RESP2 `true` -> 1 and `false` -> null; under RESP3
//! they are booleans (`#t`/`#f`, or `:1`/`:0` for a RESP2 caller).
use super::env::{counted_error_value, is_counted_error};
use crate::lua::value::TableRef;
use crate::lua::{Value, Vm};
use crate::resp::Reply;

/// Tables nested deeper than this stop with `ERR reached lua stack limit` in
/// place of the next level: the depth at which redis-server 7.0.15 runs out of
/// Lua stack (measured with a table that contains itself).
const MAX_DEPTH: usize = 7995;

/// Parses one reply from `buf[*pos..]` into a Lua value. A top-level error
/// reply gives `Err(error table)`; errors nested in arrays become error tables.
pub fn reply_to_lua(vm: &mut Vm, buf: &[u8], pos: &mut usize) -> Result<Value, Value> {
    if buf.get(*pos) == Some(&b'-') {
        let line = read_line(buf, pos);
        return Err(counted_error_value(vm, &line[1..]));
    }
    Ok(parse_value(vm, buf, pos))
}

/// The line at `*pos` without its CRLF; advances past it.
fn read_line<'a>(buf: &'a [u8], pos: &mut usize) -> &'a [u8] {
    let start = *pos;
    let mut end = start;
    while end + 1 < buf.len() && !(buf[end] == b'\r' && buf[end + 1] == b'\n') {
        end += 1;
    }
    if end + 1 >= buf.len() {
        *pos = buf.len();
        return &buf[start..];
    }
    *pos = end + 2;
    &buf[start..end]
}

fn parse_int(b: &[u8]) -> i64 {
    std::str::from_utf8(b)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// One table holding `key = value`.
fn table1(vm: &mut Vm, key: &str, v: Value) -> Value {
    let t = vm.new_table_sized(0, 1);
    vm.raw_set_str(t, key, v);
    Value::Table(t)
}

fn parse_value(vm: &mut Vm, buf: &[u8], pos: &mut usize) -> Value {
    let Some(&kind) = buf.get(*pos) else {
        return Value::Nil;
    };
    let line = read_line(buf, pos);
    let body = &line[1..];
    match kind {
        b'+' => {
            let s = vm.new_str(body);
            table1(vm, "ok", s)
        }
        b'-' => counted_error_value(vm, body),
        b':' => Value::Num(parse_int(body) as f64),
        b'$' | b'=' => {
            let n = parse_int(body);
            if n < 0 {
                return Value::Bool(false);
            }
            let n = n as usize;
            let end = (*pos + n).min(buf.len());
            let data = &buf[*pos..end];
            *pos = (end + 2).min(buf.len());
            if kind == b'=' && data.len() >= 4 {
                let format = vm.new_str(&data[..3]);
                let text = vm.new_str(&data[4..]);
                let t = vm.new_table_sized(0, 2);
                vm.raw_set_str(t, "format", format);
                vm.raw_set_str(t, "string", text);
                return table1(vm, "verbatim_string", Value::Table(t));
            }
            vm.new_str(data)
        }
        b'*' | b'~' | b'>' => {
            let n = parse_int(body);
            if n < 0 {
                return Value::Bool(false);
            }
            let t = vm.new_table_sized(if kind == b'~' { 0 } else { n as usize }, 0);
            for i in 0..n {
                let v = parse_value(vm, buf, pos);
                if kind == b'~' {
                    let _ = vm.raw_set(t, v, Value::Bool(true));
                } else {
                    let _ = vm.raw_set(t, Value::Num((i + 1) as f64), v);
                }
            }
            if kind == b'~' {
                table1(vm, "set", Value::Table(t))
            } else {
                Value::Table(t)
            }
        }
        b'%' => {
            let n = parse_int(body).max(0);
            let t = vm.new_table();
            for _ in 0..n {
                let k = parse_value(vm, buf, pos);
                let v = parse_value(vm, buf, pos);
                let _ = vm.raw_set(t, k, v);
            }
            table1(vm, "map", Value::Table(t))
        }
        b'_' => Value::Nil,
        b'#' => Value::Bool(body == b"t"),
        b',' => {
            let s = String::from_utf8_lossy(body);
            let d = match &*s {
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                "nan" => f64::NAN,
                other => other.parse().unwrap_or(0.0),
            };
            table1(vm, "double", Value::Num(d))
        }
        b'(' => {
            let s = vm.new_str(body);
            table1(vm, "big_number", s)
        }
        b'|' => {
            // Attributes are not shown to scripts: skip them, read the reply.
            let n = parse_int(body).max(0);
            for _ in 0..n * 2 {
                parse_value(vm, buf, pos);
            }
            parse_value(vm, buf, pos)
        }
        _ => Value::Nil,
    }
}

/// A Lua number as a reply integer, truncated the way a C cast does on x86-64:
/// values out of the `i64` range and NaN become `i64::MIN`.
pub fn number_to_integer(n: f64) -> i64 {
    // 2^63 is exactly representable; the range is [-2^63, 2^63).
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if !(-TWO_63..TWO_63).contains(&n) {
        i64::MIN
    } else {
        n as i64
    }
}

/// `-<msg>\r\n` with CR and LF in `msg` turned into spaces.
pub fn error_line(out: &mut Reply, msg: &[u8]) {
    out.buf.push(b'-');
    out.buf.extend(
        msg.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.buf.extend_from_slice(b"\r\n");
}

fn status_line(out: &mut Reply, msg: &[u8]) {
    out.buf.push(b'+');
    out.buf.extend(
        msg.iter()
            .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }),
    );
    out.buf.extend_from_slice(b"\r\n");
}

/// A string field of `t`, if present.
fn str_field(vm: &mut Vm, t: TableRef, name: &str) -> Option<Vec<u8>> {
    match vm.raw_get_str(t, name) {
        Value::Str(s) => Some(vm.str_bytes(s).to_vec()),
        _ => None,
    }
}

/// Writes the reply for a script's return value `v`, in `out`'s protocol;
/// `script_resp` is the protocol the script last chose (`redis.setresp`).
pub fn lua_to_reply(vm: &mut Vm, v: Value, out: &mut Reply, script_resp: u8) {
    let mut w = Writer { out, script_resp };
    w.value(vm, v, 0);
}

/// A script's return value on its way out.
struct Writer<'a> {
    out: &'a mut Reply,
    script_resp: u8,
}

impl Writer<'_> {
    fn value(&mut self, vm: &mut Vm, v: Value, depth: usize) {
        let out = &mut *self.out;
        match v {
            Value::Str(s) => out.bulk(vm.str_bytes(s)),
            Value::Num(n) => out.integer(number_to_integer(n)),
            Value::Bool(b) if self.script_resp >= 3 => out.boolean(b),
            Value::Bool(true) => out.integer(1),
            Value::Table(t) if depth >= MAX_DEPTH => {
                let _ = t;
                error_line(out, b"ERR reached lua stack limit");
            }
            Value::Table(t) => self.table(vm, t, depth),
            _ => out.null(),
        }
    }

    fn table(&mut self, vm: &mut Vm, t: TableRef, depth: usize) {
        if let Some(e) = str_field(vm, t, "err") {
            // A command's error passed on was counted where it arose.
            if depth == 0 && is_counted_error(vm, Value::Table(t)) {
                self.out.error_counted = true;
            }
            return error_line(self.out, &e);
        }
        let out = &mut *self.out;
        if let Some(s) = str_field(vm, t, "ok") {
            return status_line(out, &s);
        }
        if let Value::Num(d) = vm.raw_get_str(t, "double") {
            return out.double(d);
        }
        if let Some(s) = str_field(vm, t, "big_number") {
            let s: Vec<u8> = s
                .iter()
                .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
                .collect();
            return out.big_number(&s);
        }
        if let Value::Table(v) = vm.raw_get_str(t, "verbatim_string") {
            if let (Some(format), Some(text)) =
                (str_field(vm, v, "format"), str_field(vm, v, "string"))
            {
                // The format's first three bytes, up to a NUL (a C string).
                let format = String::from_utf8_lossy(crate::cmd::c_str(&format, 3)).into_owned();
                return out.verbatim(&format, &text);
            }
        }
        if let Value::Table(m) = vm.raw_get_str(t, "map") {
            let pairs = entries(vm, m);
            self.out.map(pairs.len());
            for (k, v) in pairs {
                self.value(vm, k, depth + 1);
                self.value(vm, v, depth + 1);
            }
            return;
        }
        if let Value::Table(s) = vm.raw_get_str(t, "set") {
            let members = entries(vm, s);
            self.out.set(members.len());
            for (k, _) in members {
                self.value(vm, k, depth + 1);
            }
            return;
        }
        let mut n = 0;
        while !vm.raw_get(t, Value::Num((n + 1) as f64)).is_nil() {
            n += 1;
        }
        self.out.array(n);
        for i in 1..=n {
            let v = vm.raw_get(t, Value::Num(i as f64));
            self.value(vm, v, depth + 1);
        }
    }
}

/// Every key/value pair of `t`, in `next` order.
fn entries(vm: &Vm, t: TableRef) -> Vec<(Value, Value)> {
    let mut out = Vec::new();
    let mut k = Value::Nil;
    while let Ok(Some((key, v))) = vm.raw_next(t, k) {
        out.push((key, v));
        k = key;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_truncate_like_a_c_cast() {
        assert_eq!(number_to_integer(3.99), 3);
        assert_eq!(number_to_integer(-3.99), -3);
        assert_eq!(number_to_integer(1e20), i64::MIN);
        assert_eq!(number_to_integer(f64::NAN), i64::MIN);
        assert_eq!(number_to_integer(-1e20), i64::MIN);
    }

    #[test]
    fn replies_become_lua_values() {
        let mut vm = Vm::new();
        let mut pos = 0;
        let buf = b"*4\r\n:5\r\n$3\r\nabc\r\n$-1\r\n+OK\r\n";
        let v = reply_to_lua(&mut vm, buf, &mut pos).unwrap_or(Value::Nil);
        let Value::Table(t) = v else {
            panic!("array expected")
        };
        assert_eq!(vm.raw_get(t, Value::Num(1.0)), Value::Num(5.0));
        let s = vm.raw_get(t, Value::Num(2.0));
        assert_eq!(vm.to_bytes(s), Some(b"abc".to_vec()));
        assert_eq!(vm.raw_get(t, Value::Num(3.0)), Value::Bool(false));
        let Value::Table(ok) = vm.raw_get(t, Value::Num(4.0)) else {
            panic!("status table")
        };
        assert_eq!(str_field(&mut vm, ok, "ok"), Some(b"OK".to_vec()));
        assert_eq!(pos, buf.len());
        let mut pos = 0;
        let e = reply_to_lua(&mut vm, b"-ERR bad\r\n", &mut pos);
        let Err(Value::Table(e)) = e else {
            panic!("error table")
        };
        assert_eq!(str_field(&mut vm, e, "err"), Some(b"ERR bad".to_vec()));
    }

    #[test]
    fn lua_values_become_replies() {
        let mut vm = Vm::new();
        let vals = vm
            .eval("return {1, 'x', {err='a\\nb'}, {ok='fine'}, true, false, nil, 9}")
            .unwrap_or_default();
        let mut out = Reply::new();
        lua_to_reply(&mut vm, vals[0], &mut out, 2);
        assert_eq!(
            out.buf,
            b"*6\r\n:1\r\n$1\r\nx\r\n-a b\r\n+fine\r\n:1\r\n$-1\r\n".to_vec()
        );
    }
}
