//! The engine of `string.format`, independent of the VM.
//!
//! [`format`] walks a format string, pulls each argument through a callback (the
//! VM-side wrapper supplies them from the Lua stack) and appends the result to a
//! byte buffer. It reproduces Lua 5.1 on glibc byte for byte:
//!
//! * conversions `%d %i %u %c %x %X %o %e %E %f %g %G %q %s %%`, flags `-+ #0`,
//!   a width and a precision of at most two digits each;
//! * numbers for the integer conversions are cast as the C code casts them:
//!   `%d %i` take `(long)x` (truncation; NaN and out-of-range give `i64::MIN`),
//!   `%o %u %x %X` take `(unsigned long)x` as x86-64 code computes it, `%c` takes
//!   `(int)x` and prints its low byte;
//! * like the C original, each item is built as a C string, so a `%c` of byte 0
//!   prints nothing (only the padding before it), and `%s` stops at the first NUL
//!   byte of its argument -- except that a `%s` without precision whose argument has
//!   100 bytes or more is copied whole (padding ignored), as 5.1 does;
//! * `%q` ignores flags, width and precision;
//! * the error texts are 5.1's: `invalid option '%y' to 'format'`,
//!   `invalid format (repeated flags)` (five flag characters are allowed, six are
//!   not), `invalid format (width or precision too long)`, and for arguments the
//!   parenthesised part of `bad argument #n to 'format' (...)`.
//!
//! Invariants: no panics for any input; output is appended, never cleared; one
//! pass, no allocation beyond the output buffer.

use crate::lua::numfmt::{fmt_float, fmt_number, str2number};

/// What a conversion needs from its argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// `%d %i %u %c %x %X %o %e %E %f %g %G`: like `luaL_checknumber`.
    Number,
    /// `%s %q`: like `luaL_checklstring`.
    String,
}

/// An argument as the callback hands it over.
///
/// The callback may answer either form for either [`Need`]: a number where a string
/// is needed is converted as `tostring` does (`%.14g`), and a string where a number
/// is needed is converted as Lua's coercion does (failing with
/// `number expected, got string`). Anything else (tables, nil, ...) is the
/// callback's to reject, with the text `"number expected, got table"` etc.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FmtArg<'a> {
    /// A number.
    Number(f64),
    /// A string (any bytes).
    Str(&'a [u8]),
}

/// Why formatting failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// A problem with argument number `arg`, counted as Lua counts them (the format
    /// string is argument 1, so the first value is 2). `msg` is the text in
    /// parentheses: the wrapper builds `bad argument #2 to 'format' (no value)`.
    BadArgument {
        /// Lua argument position (format string = 1).
        arg: usize,
        /// The parenthesised explanation, e.g. `no value`.
        msg: String,
    },
    /// A complete error message, e.g. `invalid format (repeated flags)`.
    Message(String),
}

/// Appends to `out` the result of formatting `fmt` with `nvalues` values.
///
/// `get(k, need)` is called at most once per conversion, with `k` in `1..=nvalues`
/// (the k-th value after the format string), and returns that value or the
/// parenthesised part of a "bad argument" error (e.g. `"number expected, got nil"`).
/// The checks run in 5.1's order: a missing value first, then the shape of the
/// conversion, then the type of the value.
///
/// ```
/// use ferrous::lua::stdlib::format::{format, FmtArg, Need};
/// let vals = [FmtArg::Number(3.7), FmtArg::Str(b"abc")];
/// let mut out = Vec::new();
/// format(b"%d|%5.2s|", vals.len(), &mut |k, _need: Need| Ok(vals[k - 1]), &mut out).unwrap();
/// assert_eq!(out, b"3|   ab|");
/// ```
pub fn format<'a>(
    fmt: &[u8],
    nvalues: usize,
    get: &mut dyn FnMut(usize, Need) -> Result<FmtArg<'a>, String>,
    out: &mut Vec<u8>,
) -> Result<(), FormatError> {
    let mut i = 0;
    let mut k = 0; // values consumed
    while i < fmt.len() {
        let b = fmt[i];
        i += 1;
        if b != b'%' {
            out.push(b);
            continue;
        }
        if fmt.get(i) == Some(&b'%') {
            out.push(b'%');
            i += 1;
            continue;
        }
        k += 1;
        if k > nvalues {
            return Err(FormatError::BadArgument {
                arg: k + 1,
                msg: "no value".into(),
            });
        }
        let (spec, used) = scan_spec(&fmt[i..])?;
        i += used;
        // The conversion byte; the end of the string reads as C's NUL.
        let conv = fmt.get(i).copied().unwrap_or(0);
        i += 1;
        match conv {
            b'd' | b'i' | b'o' | b'u' | b'x' | b'X' | b'c' | b'e' | b'E' | b'f' | b'g' | b'G' => {
                let x = number_arg(get, k)?;
                match conv {
                    b'd' | b'i' => fmt_signed(c_long(x), &spec, out),
                    b'c' => fmt_char(c_int(x) as u8, &spec, out),
                    b'e' | b'E' | b'f' | b'g' | b'G' => fmt_real(x, conv, &spec, out),
                    _ => fmt_unsigned(c_ulong(x), conv, &spec, out),
                }
            }
            b's' | b'q' => {
                let arg = get(k, Need::String)
                    .map_err(|msg| FormatError::BadArgument { arg: k + 1, msg })?;
                let mut numbuf = Vec::new();
                let s: &[u8] = match arg {
                    FmtArg::Str(s) => s,
                    FmtArg::Number(x) => {
                        fmt_number(x, &mut numbuf);
                        &numbuf
                    }
                };
                if conv == b'q' {
                    push_quoted(s, out);
                } else if spec.prec.is_none() && s.len() >= 100 {
                    out.extend_from_slice(s);
                } else {
                    let s = match s.iter().position(|&c| c == 0) {
                        Some(n) => &s[..n],
                        None => s,
                    };
                    let s = match spec.prec {
                        Some(p) if p < s.len() => &s[..p],
                        _ => s,
                    };
                    pad_field(out, &spec, b"", b"", s, false);
                }
            }
            _ => {
                let mut msg = b"invalid option '%".to_vec();
                if conv != 0 {
                    msg.push(conv);
                }
                msg.extend_from_slice(b"' to 'format'");
                return Err(FormatError::Message(
                    String::from_utf8_lossy(&msg).into_owned(),
                ));
            }
        }
    }
    Ok(())
}

/// Appends `s` in the form `%q` gives: between double quotes, with `"`, `\` and
/// newline escaped by a backslash, `\r` as `\r` and NUL as `\000`; every other byte
/// as it is.
pub fn push_quoted(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &c in s {
        match c {
            b'"' | b'\\' | b'\n' => {
                out.push(b'\\');
                out.push(c);
            }
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => out.extend_from_slice(b"\\000"),
            _ => out.push(c),
        }
    }
    out.push(b'"');
}

/// Flags, width and precision of one conversion.
#[derive(Debug, Default)]
struct Spec {
    minus: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    prec: Option<usize>,
}

/// Reads flags, width (0-2 digits) and `.precision` (0-2 digits) at the start of
/// `s`; returns the spec and the bytes used.
fn scan_spec(s: &[u8]) -> Result<(Spec, usize), FormatError> {
    let mut spec = Spec::default();
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'-' => spec.minus = true,
            b'+' => spec.plus = true,
            b' ' => spec.space = true,
            b'#' => spec.alt = true,
            b'0' => spec.zero = true,
            _ => break,
        }
        i += 1;
    }
    if i >= 6 {
        return Err(FormatError::Message(
            "invalid format (repeated flags)".into(),
        ));
    }
    let digit = |i: usize| {
        s.get(i)
            .filter(|c| c.is_ascii_digit())
            .map(|c| (c - b'0') as usize)
    };
    for _ in 0..2 {
        if let Some(d) = digit(i) {
            spec.width = spec.width * 10 + d;
            i += 1;
        }
    }
    if s.get(i) == Some(&b'.') {
        i += 1;
        let mut p = 0;
        for _ in 0..2 {
            if let Some(d) = digit(i) {
                p = p * 10 + d;
                i += 1;
            }
        }
        spec.prec = Some(p);
    }
    if digit(i).is_some() {
        return Err(FormatError::Message(
            "invalid format (width or precision too long)".into(),
        ));
    }
    Ok((spec, i))
}

/// Fetches value `k` as a number, converting a numeric string as Lua does.
fn number_arg<'a>(
    get: &mut dyn FnMut(usize, Need) -> Result<FmtArg<'a>, String>,
    k: usize,
) -> Result<f64, FormatError> {
    let bad = |msg: String| FormatError::BadArgument { arg: k + 1, msg };
    match get(k, Need::Number).map_err(bad)? {
        FmtArg::Number(x) => Ok(x),
        FmtArg::Str(s) => str2number(s).ok_or_else(|| bad("number expected, got string".into())),
    }
}

const TWO63: f64 = 9_223_372_036_854_775_808.0;

/// C's `(long)x` on x86-64: truncation; NaN and out-of-range give `i64::MIN`.
pub fn c_long(x: f64) -> i64 {
    if (-TWO63..TWO63).contains(&x) {
        x as i64
    } else {
        i64::MIN
    }
}

/// C's `(unsigned long)x` as gcc compiles it on x86-64: below 2^63 (or NaN) through
/// the signed conversion, else through `x - 2^63` with the top bit flipped.
pub fn c_ulong(x: f64) -> u64 {
    if x >= TWO63 {
        (c_long(x - TWO63) as u64) ^ (1 << 63)
    } else {
        c_long(x) as u64
    }
}

/// C's `(int)x` on x86-64: truncation; NaN and out-of-range give `i32::MIN`.
pub fn c_int(x: f64) -> i32 {
    if (-2_147_483_648.0..2_147_483_648.0).contains(&x) {
        x as i32
    } else {
        i32::MIN
    }
}

/// Appends `sign`, `prefix` and `body` padded to the field width: spaces on the
/// left (or on the right with `-`), or zeros between prefix and body when
/// `zero_pad` is allowed.
fn pad_field(
    out: &mut Vec<u8>,
    spec: &Spec,
    sign: &[u8],
    prefix: &[u8],
    body: &[u8],
    zero_pad: bool,
) {
    let len = sign.len() + prefix.len() + body.len();
    let fill = spec.width.saturating_sub(len);
    if spec.minus {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
        out.resize(out.len() + fill, b' ');
    } else if zero_pad && spec.zero {
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.resize(out.len() + fill, b'0');
        out.extend_from_slice(body);
    } else {
        out.resize(out.len() + fill, b' ');
        out.extend_from_slice(sign);
        out.extend_from_slice(prefix);
        out.extend_from_slice(body);
    }
}

/// Digits of `v` in `radix` (8, 10 or 16), at least `min` of them (C precision:
/// with a precision of 0, the value 0 prints no digits).
fn int_digits(mut v: u64, radix: u64, upper: bool, min: usize, buf: &mut [u8; 128]) -> usize {
    let table: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut pos = buf.len();
    while v != 0 {
        pos -= 1;
        buf[pos] = table[(v % radix) as usize];
        v /= radix;
    }
    while buf.len() - pos < min {
        pos -= 1;
        buf[pos] = b'0';
    }
    pos
}

fn fmt_signed(v: i64, spec: &Spec, out: &mut Vec<u8>) {
    let mut buf = [0u8; 128];
    let min = spec.prec.unwrap_or(1);
    let pos = int_digits(v.unsigned_abs(), 10, false, min, &mut buf);
    let sign: &[u8] = if v < 0 {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    };
    pad_field(out, spec, sign, b"", &buf[pos..], spec.prec.is_none());
}

fn fmt_unsigned(v: u64, conv: u8, spec: &Spec, out: &mut Vec<u8>) {
    let mut buf = [0u8; 128];
    let min = spec.prec.unwrap_or(1);
    let radix = match conv {
        b'o' => 8,
        b'u' => 10,
        _ => 16,
    };
    let mut pos = int_digits(v, radix, conv == b'X', min, &mut buf);
    let mut prefix: &[u8] = b"";
    if spec.alt {
        match conv {
            b'o' if pos == buf.len() || buf[pos] != b'0' => {
                pos -= 1;
                buf[pos] = b'0';
            }
            b'x' if v != 0 => prefix = b"0x",
            b'X' if v != 0 => prefix = b"0X",
            _ => {}
        }
    }
    pad_field(out, spec, b"", prefix, &buf[pos..], spec.prec.is_none());
}

fn fmt_char(c: u8, spec: &Spec, out: &mut Vec<u8>) {
    if c == 0 {
        // C builds "<padding>\0" or "\0<padding>" and Lua keeps up to the NUL.
        if !spec.minus {
            out.resize(out.len() + spec.width.saturating_sub(1), b' ');
        }
        return;
    }
    pad_field(out, spec, b"", b"", &[c], false);
}

fn fmt_real(x: f64, conv: u8, spec: &Spec, out: &mut Vec<u8>) {
    let sign: &[u8] = if x.is_sign_negative() {
        b"-"
    } else if spec.plus {
        b"+"
    } else if spec.space {
        b" "
    } else {
        b""
    };
    let prec = spec.prec.unwrap_or(6);
    if spec.width == 0 {
        // No padding: write straight into the output (the common case).
        out.extend_from_slice(sign);
        fmt_float(x, conv, prec, spec.alt, out);
        return;
    }
    let mut body = Vec::with_capacity(32);
    fmt_float(x, conv, prec, spec.alt, &mut body);
    pad_field(out, spec, sign, b"", &body, x.is_finite());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Formats with the given values; errors rendered as the wrapper would.
    fn run(fmt: &[u8], vals: &[FmtArg]) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut get = |k: usize, _: Need| Ok(vals[k - 1]);
        match format(fmt, vals.len(), &mut get, &mut out) {
            Ok(()) => Ok(out),
            Err(FormatError::BadArgument { arg, msg }) => {
                Err(format!("bad argument #{arg} to 'format' ({msg})"))
            }
            Err(FormatError::Message(m)) => Err(m),
        }
    }

    #[test]
    fn numbers_match_lua51() {
        // (format, value, what lua5.1 printed), generated with lua5.1 on glibc.
        let cases: &[(&[u8], f64, &[u8])] = &[
            (b"%d", 0.0, b"0"),
            (b"%d", -0.0, b"0"),
            (b"%d", 1.0, b"1"),
            (b"%d", -1.0, b"-1"),
            (b"%d", 3.7, b"3"),
            (b"%d", -3.7, b"-3"),
            (b"%d", 2.5, b"2"),
            (b"%d", 255.0, b"255"),
            (b"%d", 1e+15, b"1000000000000000"),
            (b"%d", 1.5e+300, b"-9223372036854775808"),
            (b"%d", 1e-05, b"0"),
            (b"%d", 9.223372036854776e+18, b"-9223372036854775808"),
            (b"%d", f64::NEG_INFINITY, b"-9223372036854775808"),
            (b"%d", -f64::NAN, b"-9223372036854775808"),
            (b"%d", 99.995, b"99"),
            (b"%d", 65.0, b"65"),
            (b"%5d", 0.0, b"    0"),
            (b"%5d", -0.0, b"    0"),
            (b"%5d", 1.0, b"    1"),
            (b"%5d", -1.0, b"   -1"),
            (b"%5d", 3.7, b"    3"),
            (b"%5d", -3.7, b"   -3"),
            (b"%5d", 2.5, b"    2"),
            (b"%5d", 255.0, b"  255"),
            (b"%5d", 1e+15, b"1000000000000000"),
            (b"%5d", 1.5e+300, b"-9223372036854775808"),
            (b"%5d", 1e-05, b"    0"),
            (b"%5d", 9.223372036854776e+18, b"-9223372036854775808"),
            (b"%5d", f64::NEG_INFINITY, b"-9223372036854775808"),
            (b"%5d", -f64::NAN, b"-9223372036854775808"),
            (b"%5d", 99.995, b"   99"),
            (b"%5d", 65.0, b"   65"),
            (b"%-5d|", 0.0, b"0    |"),
            (b"%-5d|", -0.0, b"0    |"),
            (b"%-5d|", 1.0, b"1    |"),
            (b"%-5d|", -1.0, b"-1   |"),
            (b"%-5d|", 3.7, b"3    |"),
            (b"%-5d|", -3.7, b"-3   |"),
            (b"%-5d|", 2.5, b"2    |"),
            (b"%-5d|", 255.0, b"255  |"),
            (b"%-5d|", 1e+15, b"1000000000000000|"),
            (b"%-5d|", 1.5e+300, b"-9223372036854775808|"),
            (b"%-5d|", 1e-05, b"0    |"),
            (b"%-5d|", 9.223372036854776e+18, b"-9223372036854775808|"),
            (b"%-5d|", f64::NEG_INFINITY, b"-9223372036854775808|"),
            (b"%-5d|", -f64::NAN, b"-9223372036854775808|"),
            (b"%-5d|", 99.995, b"99   |"),
            (b"%-5d|", 65.0, b"65   |"),
            (b"%05d", 0.0, b"00000"),
            (b"%05d", -0.0, b"00000"),
            (b"%05d", 1.0, b"00001"),
            (b"%05d", -1.0, b"-0001"),
            (b"%05d", 3.7, b"00003"),
            (b"%05d", -3.7, b"-0003"),
            (b"%05d", 2.5, b"00002"),
            (b"%05d", 255.0, b"00255"),
            (b"%05d", 1e+15, b"1000000000000000"),
            (b"%05d", 1.5e+300, b"-9223372036854775808"),
            (b"%05d", 1e-05, b"00000"),
            (b"%05d", 9.223372036854776e+18, b"-9223372036854775808"),
            (b"%05d", f64::NEG_INFINITY, b"-9223372036854775808"),
            (b"%05d", -f64::NAN, b"-9223372036854775808"),
            (b"%05d", 99.995, b"00099"),
            (b"%05d", 65.0, b"00065"),
            (b"%+d", 0.0, b"+0"),
            (b"%+d", -0.0, b"+0"),
            (b"%+d", 1.0, b"+1"),
            (b"%+d", -1.0, b"-1"),
            (b"%+d", 3.7, b"+3"),
            (b"%+d", -3.7, b"-3"),
            (b"%+d", 2.5, b"+2"),
            (b"%+d", 255.0, b"+255"),
            (b"%+d", 1e+15, b"+1000000000000000"),
            (b"%+d", 1.5e+300, b"-9223372036854775808"),
            (b"%+d", 1e-05, b"+0"),
            (b"%+d", 9.223372036854776e+18, b"-9223372036854775808"),
            (b"%+d", f64::NEG_INFINITY, b"-9223372036854775808"),
            (b"%+d", -f64::NAN, b"-9223372036854775808"),
            (b"%+d", 99.995, b"+99"),
            (b"%+d", 65.0, b"+65"),
            (b"%.3d", 0.0, b"000"),
            (b"%.3d", -0.0, b"000"),
            (b"%.3d", 1.0, b"001"),
            (b"%.3d", -1.0, b"-001"),
            (b"%.3d", 3.7, b"003"),
            (b"%.3d", -3.7, b"-003"),
            (b"%.3d", 2.5, b"002"),
            (b"%.3d", 255.0, b"255"),
            (b"%.3d", 1e+15, b"1000000000000000"),
            (b"%.3d", 1.5e+300, b"-9223372036854775808"),
            (b"%.3d", 1e-05, b"000"),
            (b"%.3d", 9.223372036854776e+18, b"-9223372036854775808"),
            (b"%.3d", f64::NEG_INFINITY, b"-9223372036854775808"),
            (b"%.3d", -f64::NAN, b"-9223372036854775808"),
            (b"%.3d", 99.995, b"099"),
            (b"%.3d", 65.0, b"065"),
            (b"%x", 0.0, b"0"),
            (b"%x", -0.0, b"0"),
            (b"%x", 1.0, b"1"),
            (b"%x", -1.0, b"ffffffffffffffff"),
            (b"%x", 3.7, b"3"),
            (b"%x", -3.7, b"fffffffffffffffd"),
            (b"%x", 2.5, b"2"),
            (b"%x", 255.0, b"ff"),
            (b"%x", 1e+15, b"38d7ea4c68000"),
            (b"%x", 1.5e+300, b"0"),
            (b"%x", 1e-05, b"0"),
            (b"%x", 9.223372036854776e+18, b"8000000000000000"),
            (b"%x", f64::NEG_INFINITY, b"8000000000000000"),
            (b"%x", -f64::NAN, b"8000000000000000"),
            (b"%x", 99.995, b"63"),
            (b"%x", 65.0, b"41"),
            (b"%#X", 0.0, b"0"),
            (b"%#X", -0.0, b"0"),
            (b"%#X", 1.0, b"0X1"),
            (b"%#X", -1.0, b"0XFFFFFFFFFFFFFFFF"),
            (b"%#X", 3.7, b"0X3"),
            (b"%#X", -3.7, b"0XFFFFFFFFFFFFFFFD"),
            (b"%#X", 2.5, b"0X2"),
            (b"%#X", 255.0, b"0XFF"),
            (b"%#X", 1e+15, b"0X38D7EA4C68000"),
            (b"%#X", 1.5e+300, b"0"),
            (b"%#X", 1e-05, b"0"),
            (b"%#X", 9.223372036854776e+18, b"0X8000000000000000"),
            (b"%#X", f64::NEG_INFINITY, b"0X8000000000000000"),
            (b"%#X", -f64::NAN, b"0X8000000000000000"),
            (b"%#X", 99.995, b"0X63"),
            (b"%#X", 65.0, b"0X41"),
            (b"%#o", 0.0, b"0"),
            (b"%#o", -0.0, b"0"),
            (b"%#o", 1.0, b"01"),
            (b"%#o", -1.0, b"01777777777777777777777"),
            (b"%#o", 3.7, b"03"),
            (b"%#o", -3.7, b"01777777777777777777775"),
            (b"%#o", 2.5, b"02"),
            (b"%#o", 255.0, b"0377"),
            (b"%#o", 1e+15, b"034327724461500000"),
            (b"%#o", 1.5e+300, b"0"),
            (b"%#o", 1e-05, b"0"),
            (b"%#o", 9.223372036854776e+18, b"01000000000000000000000"),
            (b"%#o", f64::NEG_INFINITY, b"01000000000000000000000"),
            (b"%#o", -f64::NAN, b"01000000000000000000000"),
            (b"%#o", 99.995, b"0143"),
            (b"%#o", 65.0, b"0101"),
            (b"%u", 0.0, b"0"),
            (b"%u", -0.0, b"0"),
            (b"%u", 1.0, b"1"),
            (b"%u", -1.0, b"18446744073709551615"),
            (b"%u", 3.7, b"3"),
            (b"%u", -3.7, b"18446744073709551613"),
            (b"%u", 2.5, b"2"),
            (b"%u", 255.0, b"255"),
            (b"%u", 1e+15, b"1000000000000000"),
            (b"%u", 1.5e+300, b"0"),
            (b"%u", 1e-05, b"0"),
            (b"%u", 9.223372036854776e+18, b"9223372036854775808"),
            (b"%u", f64::NEG_INFINITY, b"9223372036854775808"),
            (b"%u", -f64::NAN, b"9223372036854775808"),
            (b"%u", 99.995, b"99"),
            (b"%u", 65.0, b"65"),
            (b"%c", 0.0, b""),
            (b"%c", -0.0, b""),
            (b"%c", 1.0, b"\x01"),
            (b"%c", -1.0, b"\xff"),
            (b"%c", 3.7, b"\x03"),
            (b"%c", -3.7, b"\xfd"),
            (b"%c", 2.5, b"\x02"),
            (b"%c", 255.0, b"\xff"),
            (b"%c", 1e+15, b""),
            (b"%c", 1.5e+300, b""),
            (b"%c", 1e-05, b""),
            (b"%c", 9.223372036854776e+18, b""),
            (b"%c", f64::NEG_INFINITY, b""),
            (b"%c", -f64::NAN, b""),
            (b"%c", 99.995, b"c"),
            (b"%c", 65.0, b"A"),
            (b"%e", 0.0, b"0.000000e+00"),
            (b"%e", -0.0, b"-0.000000e+00"),
            (b"%e", 1.0, b"1.000000e+00"),
            (b"%e", -1.0, b"-1.000000e+00"),
            (b"%e", 3.7, b"3.700000e+00"),
            (b"%e", -3.7, b"-3.700000e+00"),
            (b"%e", 2.5, b"2.500000e+00"),
            (b"%e", 255.0, b"2.550000e+02"),
            (b"%e", 1e+15, b"1.000000e+15"),
            (b"%e", 1.5e+300, b"1.500000e+300"),
            (b"%e", 1e-05, b"1.000000e-05"),
            (b"%e", 9.223372036854776e+18, b"9.223372e+18"),
            (b"%e", f64::NEG_INFINITY, b"-inf"),
            (b"%e", -f64::NAN, b"-nan"),
            (b"%e", 99.995, b"9.999500e+01"),
            (b"%e", 65.0, b"6.500000e+01"),
            (b"%.3E", 0.0, b"0.000E+00"),
            (b"%.3E", -0.0, b"-0.000E+00"),
            (b"%.3E", 1.0, b"1.000E+00"),
            (b"%.3E", -1.0, b"-1.000E+00"),
            (b"%.3E", 3.7, b"3.700E+00"),
            (b"%.3E", -3.7, b"-3.700E+00"),
            (b"%.3E", 2.5, b"2.500E+00"),
            (b"%.3E", 255.0, b"2.550E+02"),
            (b"%.3E", 1e+15, b"1.000E+15"),
            (b"%.3E", 1.5e+300, b"1.500E+300"),
            (b"%.3E", 1e-05, b"1.000E-05"),
            (b"%.3E", 9.223372036854776e+18, b"9.223E+18"),
            (b"%.3E", f64::NEG_INFINITY, b"-INF"),
            (b"%.3E", -f64::NAN, b"-NAN"),
            (b"%.3E", 99.995, b"1.000E+02"),
            (b"%.3E", 65.0, b"6.500E+01"),
            (b"%f", 0.0, b"0.000000"),
            (b"%f", -0.0, b"-0.000000"),
            (b"%f", 1.0, b"1.000000"),
            (b"%f", -1.0, b"-1.000000"),
            (b"%f", 3.7, b"3.700000"),
            (b"%f", -3.7, b"-3.700000"),
            (b"%f", 2.5, b"2.500000"),
            (b"%f", 255.0, b"255.000000"),
            (b"%f", 1e+15, b"1000000000000000.000000"),
            (b"%f", 1.5e+300, b"1500000000000000078757140382806630373056702871662238732373781173267703686983362293679557062620671796065556665749325817265413784853040645863467188277180060474272580801389863705606745350692182135089053429852456199917621678558451461320111979114170213741868888183230085264257173504208294580298189100810240.000000"),
            (b"%f", 1e-05, b"0.000010"),
            (b"%f", 9.223372036854776e+18, b"9223372036854775808.000000"),
            (b"%f", f64::NEG_INFINITY, b"-inf"),
            (b"%f", -f64::NAN, b"-nan"),
            (b"%f", 99.995, b"99.995000"),
            (b"%f", 65.0, b"65.000000"),
            (b"%10.3f", 0.0, b"     0.000"),
            (b"%10.3f", -0.0, b"    -0.000"),
            (b"%10.3f", 1.0, b"     1.000"),
            (b"%10.3f", -1.0, b"    -1.000"),
            (b"%10.3f", 3.7, b"     3.700"),
            (b"%10.3f", -3.7, b"    -3.700"),
            (b"%10.3f", 2.5, b"     2.500"),
            (b"%10.3f", 255.0, b"   255.000"),
            (b"%10.3f", 1e+15, b"1000000000000000.000"),
            (b"%10.3f", 1.5e+300, b"1500000000000000078757140382806630373056702871662238732373781173267703686983362293679557062620671796065556665749325817265413784853040645863467188277180060474272580801389863705606745350692182135089053429852456199917621678558451461320111979114170213741868888183230085264257173504208294580298189100810240.000"),
            (b"%10.3f", 1e-05, b"     0.000"),
            (b"%10.3f", 9.223372036854776e+18, b"9223372036854775808.000"),
            (b"%10.3f", f64::NEG_INFINITY, b"      -inf"),
            (b"%10.3f", -f64::NAN, b"      -nan"),
            (b"%10.3f", 99.995, b"    99.995"),
            (b"%10.3f", 65.0, b"    65.000"),
            (b"%-+10.2f|", 0.0, b"+0.00     |"),
            (b"%-+10.2f|", -0.0, b"-0.00     |"),
            (b"%-+10.2f|", 1.0, b"+1.00     |"),
            (b"%-+10.2f|", -1.0, b"-1.00     |"),
            (b"%-+10.2f|", 3.7, b"+3.70     |"),
            (b"%-+10.2f|", -3.7, b"-3.70     |"),
            (b"%-+10.2f|", 2.5, b"+2.50     |"),
            (b"%-+10.2f|", 255.0, b"+255.00   |"),
            (b"%-+10.2f|", 1e+15, b"+1000000000000000.00|"),
            (b"%-+10.2f|", 1.5e+300, b"+1500000000000000078757140382806630373056702871662238732373781173267703686983362293679557062620671796065556665749325817265413784853040645863467188277180060474272580801389863705606745350692182135089053429852456199917621678558451461320111979114170213741868888183230085264257173504208294580298189100810240.00|"),
            (b"%-+10.2f|", 1e-05, b"+0.00     |"),
            (b"%-+10.2f|", 9.223372036854776e+18, b"+9223372036854775808.00|"),
            (b"%-+10.2f|", f64::NEG_INFINITY, b"-inf      |"),
            (b"%-+10.2f|", -f64::NAN, b"-nan      |"),
            (b"%-+10.2f|", 99.995, b"+100.00   |"),
            (b"%-+10.2f|", 65.0, b"+65.00    |"),
            (b"%g", 0.0, b"0"),
            (b"%g", -0.0, b"-0"),
            (b"%g", 1.0, b"1"),
            (b"%g", -1.0, b"-1"),
            (b"%g", 3.7, b"3.7"),
            (b"%g", -3.7, b"-3.7"),
            (b"%g", 2.5, b"2.5"),
            (b"%g", 255.0, b"255"),
            (b"%g", 1e+15, b"1e+15"),
            (b"%g", 1.5e+300, b"1.5e+300"),
            (b"%g", 1e-05, b"1e-05"),
            (b"%g", 9.223372036854776e+18, b"9.22337e+18"),
            (b"%g", f64::NEG_INFINITY, b"-inf"),
            (b"%g", -f64::NAN, b"-nan"),
            (b"%g", 99.995, b"99.995"),
            (b"%g", 65.0, b"65"),
            (b"%.3g", 0.0, b"0"),
            (b"%.3g", -0.0, b"-0"),
            (b"%.3g", 1.0, b"1"),
            (b"%.3g", -1.0, b"-1"),
            (b"%.3g", 3.7, b"3.7"),
            (b"%.3g", -3.7, b"-3.7"),
            (b"%.3g", 2.5, b"2.5"),
            (b"%.3g", 255.0, b"255"),
            (b"%.3g", 1e+15, b"1e+15"),
            (b"%.3g", 1.5e+300, b"1.5e+300"),
            (b"%.3g", 1e-05, b"1e-05"),
            (b"%.3g", 9.223372036854776e+18, b"9.22e+18"),
            (b"%.3g", f64::NEG_INFINITY, b"-inf"),
            (b"%.3g", -f64::NAN, b"-nan"),
            (b"%.3g", 99.995, b"100"),
            (b"%.3g", 65.0, b"65"),
            (b"%#g", 0.0, b"0.00000"),
            (b"%#g", -0.0, b"-0.00000"),
            (b"%#g", 1.0, b"1.00000"),
            (b"%#g", -1.0, b"-1.00000"),
            (b"%#g", 3.7, b"3.70000"),
            (b"%#g", -3.7, b"-3.70000"),
            (b"%#g", 2.5, b"2.50000"),
            (b"%#g", 255.0, b"255.000"),
            (b"%#g", 1e+15, b"1.00000e+15"),
            (b"%#g", 1.5e+300, b"1.50000e+300"),
            (b"%#g", 1e-05, b"1.00000e-05"),
            (b"%#g", 9.223372036854776e+18, b"9.22337e+18"),
            (b"%#g", f64::NEG_INFINITY, b"-inf"),
            (b"%#g", -f64::NAN, b"-nan"),
            (b"%#g", 99.995, b"99.9950"),
            (b"%#g", 65.0, b"65.0000"),
            (b"%.0f", 0.0, b"0"),
            (b"%.0f", -0.0, b"-0"),
            (b"%.0f", 1.0, b"1"),
            (b"%.0f", -1.0, b"-1"),
            (b"%.0f", 3.7, b"4"),
            (b"%.0f", -3.7, b"-4"),
            (b"%.0f", 2.5, b"2"),
            (b"%.0f", 255.0, b"255"),
            (b"%.0f", 1e+15, b"1000000000000000"),
            (b"%.0f", 1.5e+300, b"1500000000000000078757140382806630373056702871662238732373781173267703686983362293679557062620671796065556665749325817265413784853040645863467188277180060474272580801389863705606745350692182135089053429852456199917621678558451461320111979114170213741868888183230085264257173504208294580298189100810240"),
            (b"%.0f", 1e-05, b"0"),
            (b"%.0f", 9.223372036854776e+18, b"9223372036854775808"),
            (b"%.0f", f64::NEG_INFINITY, b"-inf"),
            (b"%.0f", -f64::NAN, b"-nan"),
            (b"%.0f", 99.995, b"100"),
            (b"%.0f", 65.0, b"65"),
            (b"%020.5e", 0.0, b"0000000000.00000e+00"),
            (b"%020.5e", -0.0, b"-000000000.00000e+00"),
            (b"%020.5e", 1.0, b"0000000001.00000e+00"),
            (b"%020.5e", -1.0, b"-000000001.00000e+00"),
            (b"%020.5e", 3.7, b"0000000003.70000e+00"),
            (b"%020.5e", -3.7, b"-000000003.70000e+00"),
            (b"%020.5e", 2.5, b"0000000002.50000e+00"),
            (b"%020.5e", 255.0, b"0000000002.55000e+02"),
            (b"%020.5e", 1e+15, b"0000000001.00000e+15"),
            (b"%020.5e", 1.5e+300, b"000000001.50000e+300"),
            (b"%020.5e", 1e-05, b"0000000001.00000e-05"),
            (b"%020.5e", 9.223372036854776e+18, b"0000000009.22337e+18"),
            (b"%020.5e", f64::NEG_INFINITY, b"                -inf"),
            (b"%020.5e", -f64::NAN, b"                -nan"),
            (b"%020.5e", 99.995, b"0000000009.99950e+01"),
            (b"%020.5e", 65.0, b"0000000006.50000e+01"),
            (b"% 08.2f", 0.0, b" 0000.00"),
            (b"% 08.2f", -0.0, b"-0000.00"),
            (b"% 08.2f", 1.0, b" 0001.00"),
            (b"% 08.2f", -1.0, b"-0001.00"),
            (b"% 08.2f", 3.7, b" 0003.70"),
            (b"% 08.2f", -3.7, b"-0003.70"),
            (b"% 08.2f", 2.5, b" 0002.50"),
            (b"% 08.2f", 255.0, b" 0255.00"),
            (b"% 08.2f", 1e+15, b" 1000000000000000.00"),
            (b"% 08.2f", 1.5e+300, b" 1500000000000000078757140382806630373056702871662238732373781173267703686983362293679557062620671796065556665749325817265413784853040645863467188277180060474272580801389863705606745350692182135089053429852456199917621678558451461320111979114170213741868888183230085264257173504208294580298189100810240.00"),
            (b"% 08.2f", 1e-05, b" 0000.00"),
            (b"% 08.2f", 9.223372036854776e+18, b" 9223372036854775808.00"),
            (b"% 08.2f", f64::NEG_INFINITY, b"    -inf"),
            (b"% 08.2f", -f64::NAN, b"    -nan"),
            (b"% 08.2f", 99.995, b" 0100.00"),
            (b"% 08.2f", 65.0, b" 0065.00"),
        ];
        for (fmt, x, want) in cases {
            let got = run(fmt, &[FmtArg::Number(*x)]).unwrap();
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(want),
                "format {:?} value {x:?}",
                String::from_utf8_lossy(fmt)
            );
        }
    }

    #[test]
    fn strings_match_lua51() {
        // (format, string, what lua5.1 printed).
        let cases: &[(&[u8], &[u8], &[u8])] = &[
            (b"%s", b"", b""),
            (b"%s", b"abc", b"abc"),
            (b"%s", b"hello world", b"hello world"),
            (b"%s", b"a\x00b", b"a"),
            (b"%s", b"\x0d\x0a\"\\\x01\xff", b"\x0d\x0a\"\\\x01\xff"),
            (b"%s", b"x", b"x"),
            (b"%5s", b"", b"     "),
            (b"%5s", b"abc", b"  abc"),
            (b"%5s", b"hello world", b"hello world"),
            (b"%5s", b"a\x00b", b"    a"),
            (b"%5s", b"\x0d\x0a\"\\\x01\xff", b"\x0d\x0a\"\\\x01\xff"),
            (b"%5s", b"x", b"    x"),
            (b"%-5s|", b"", b"     |"),
            (b"%-5s|", b"abc", b"abc  |"),
            (b"%-5s|", b"hello world", b"hello world|"),
            (b"%-5s|", b"a\x00b", b"a    |"),
            (b"%-5s|", b"\x0d\x0a\"\\\x01\xff", b"\x0d\x0a\"\\\x01\xff|"),
            (b"%-5s|", b"x", b"x    |"),
            (b"%.2s", b"", b""),
            (b"%.2s", b"abc", b"ab"),
            (b"%.2s", b"hello world", b"he"),
            (b"%.2s", b"a\x00b", b"a"),
            (b"%.2s", b"\x0d\x0a\"\\\x01\xff", b"\x0d\x0a"),
            (b"%.2s", b"x", b"x"),
            (b"%5.1s", b"", b"     "),
            (b"%5.1s", b"abc", b"    a"),
            (b"%5.1s", b"hello world", b"    h"),
            (b"%5.1s", b"a\x00b", b"    a"),
            (b"%5.1s", b"\x0d\x0a\"\\\x01\xff", b"    \x0d"),
            (b"%5.1s", b"x", b"    x"),
            (b"%q", b"", b"\"\""),
            (b"%q", b"abc", b"\"abc\""),
            (b"%q", b"hello world", b"\"hello world\""),
            (b"%q", b"a\x00b", b"\"a\\000b\""),
            (
                b"%q",
                b"\x0d\x0a\"\\\x01\xff",
                b"\"\\r\\\x0a\\\"\\\\\x01\xff\"",
            ),
            (b"%q", b"x", b"\"x\""),
            (b"%10q", b"", b"\"\""),
            (b"%10q", b"abc", b"\"abc\""),
            (b"%10q", b"hello world", b"\"hello world\""),
            (b"%10q", b"a\x00b", b"\"a\\000b\""),
            (
                b"%10q",
                b"\x0d\x0a\"\\\x01\xff",
                b"\"\\r\\\x0a\\\"\\\\\x01\xff\"",
            ),
            (b"%10q", b"x", b"\"x\""),
            (b"%05s", b"", b"     "),
            (b"%05s", b"abc", b"  abc"),
            (b"%05s", b"hello world", b"hello world"),
            (b"%05s", b"a\x00b", b"    a"),
            (b"%05s", b"\x0d\x0a\"\\\x01\xff", b"\x0d\x0a\"\\\x01\xff"),
            (b"%05s", b"x", b"    x"),
            (b"<%s>", b"", b"<>"),
            (b"<%s>", b"abc", b"<abc>"),
            (b"<%s>", b"hello world", b"<hello world>"),
            (b"<%s>", b"a\x00b", b"<a>"),
            (b"<%s>", b"\x0d\x0a\"\\\x01\xff", b"<\x0d\x0a\"\\\x01\xff>"),
            (b"<%s>", b"x", b"<x>"),
            (b"%.0s", b"", b""),
            (b"%.0s", b"abc", b""),
            (b"%.0s", b"hello world", b""),
            (b"%.0s", b"a\x00b", b""),
            (b"%.0s", b"\x0d\x0a\"\\\x01\xff", b""),
            (b"%.0s", b"x", b""),
        ];
        for (fmt, s, want) in cases {
            let got = run(fmt, &[FmtArg::Str(s)]).unwrap();
            assert_eq!(&got[..], *want, "format {:?}", String::from_utf8_lossy(fmt));
        }
    }

    #[test]
    fn special_cases_match_lua51() {
        let n = FmtArg::Number;
        let s = FmtArg::Str;
        let ok = |fmt: &[u8], vals: &[FmtArg]| String::from_utf8(run(fmt, vals).unwrap()).unwrap();
        let err = |fmt: &[u8], vals: &[FmtArg]| run(fmt, vals).unwrap_err();
        assert_eq!(ok(b"%d", &[n(-0.5)]), "0");
        assert_eq!(ok(b"%x", &[n(-1.0)]), "ffffffffffffffff");
        assert_eq!(ok(b"%c", &[n(0.0)]), "");
        assert_eq!(ok(b"%5c", &[n(0.0)]), "    ");
        assert_eq!(ok(b"%-5c", &[n(0.0)]), "");
        assert_eq!(ok(b"%099d", &[n(7.0)]).len(), 99);
        assert_eq!(ok(b"%.3f", &[n(1e300)]).len(), 305);
        assert_eq!(err(b"%y", &[n(1.0)]), "invalid option '%y' to 'format'");
        assert_eq!(err(b"%", &[n(1.0)]), "invalid option '%' to 'format'");
        assert_eq!(err(b"%\0", &[n(1.0)]), "invalid option '%' to 'format'");
        assert_eq!(err(b"%5%", &[n(1.0)]), "invalid option '%%' to 'format'");
        assert_eq!(err(b"%a", &[n(1.0)]), "invalid option '%a' to 'format'");
        assert_eq!(ok(b"%-+ #0d", &[n(1.0)]), "+1");
        assert_eq!(
            err(b"%-+ #0-d", &[n(1.0)]),
            "invalid format (repeated flags)"
        );
        assert_eq!(
            err(b"%100d", &[n(1.0)]),
            "invalid format (width or precision too long)"
        );
        assert_eq!(
            err(b"%1.100d", &[n(1.0)]),
            "invalid format (width or precision too long)"
        );
        assert_eq!(
            err(b"%10.123d", &[]),
            "bad argument #2 to 'format' (no value)"
        );
        assert_eq!(err(b"abc%", &[]), "bad argument #2 to 'format' (no value)");
        assert_eq!(
            err(b"%s %s", &[n(1.0)]),
            "bad argument #3 to 'format' (no value)"
        );
        assert_eq!(
            err(b"%d", &[s(b"x")]),
            "bad argument #2 to 'format' (number expected, got string)"
        );
        assert_eq!(ok(b"%d", &[s(b" 0x10 ")]), "16");
        assert_eq!(ok(b"%s", &[n(12.5)]), "12.5");
        assert_eq!(ok(b"%q", &[n(1e100)]), "\"1e+100\"");
        assert_eq!(ok(b"%%", &[]), "%");
        assert_eq!(ok(b"%d %s", &[n(1.0), n(2.0), n(3.0)]), "1 2");
        assert_eq!(ok(b"%x", &[n(2f64.powi(64))]), "0");
        assert_eq!(ok(b"%x", &[n(1e300)]), "0");
        assert_eq!(ok(b"%x", &[n(2f64.powi(63) + 4096.0)]), "8000000000001000");
        assert_eq!(ok(b"%x", &[n(-1e300)]), "8000000000000000");
        assert_eq!(ok(b"%u", &[n(1.8e19)]), "18000000000000000000");
        assert_eq!(ok(b"%c", &[n(321.0)]), "A");
        assert_eq!(ok(b"%c", &[n(-191.0)]), "A");
        assert_eq!(ok(b"%c", &[n(2f64.powi(40))]), "");
        assert_eq!(ok(b"%#x", &[n(0.0)]), "0");
        assert_eq!(ok(b"%#o", &[n(0.0)]), "0");
        assert_eq!(ok(b"%.0d", &[n(0.0)]), "");
        assert_eq!(ok(b"%#.0o", &[n(0.0)]), "0");
        assert_eq!(ok(b"%+5.3x", &[n(10.0)]), "  00a");
        assert_eq!(ok(b"%+ d", &[n(5.0)]), "+5");
        assert_eq!(ok(b"%010f", &[n(f64::INFINITY)]), "       inf");
        assert_eq!(ok(b"%-010f", &[n(f64::NEG_INFINITY)]), "-inf      ");
        assert_eq!(ok(b"%+.3e", &[n(-f64::NAN)]), "-nan");
        assert_eq!(ok(b"%#08x", &[n(255.0)]), "0x0000ff");
        assert_eq!(ok(b"%#8.4x", &[n(255.0)]), "  0x00ff");
        assert_eq!(ok(b"%-#8x|", &[n(255.0)]), "0xff    |");
        assert_eq!(ok(b"%08.5d", &[n(3.0)]), "   00003");
        assert_eq!(ok(b"%.5d", &[n(-3.0)]), "-00003");
        assert_eq!(ok(b"%#5.0f", &[n(3.0)]), "   3.");
        assert_eq!(ok(b"%+.3d", &[n(0.0)]), "+000");
        assert_eq!(ok(b"%.99f", &[n(0.1)]), "0.100000000000000005551115123125782702118158340454101562500000000000000000000000000000000000000000000");
        // From the official suite's strings.lua.
        assert_eq!(
            run(b"\0%c\0%c%x\0", &[n(225.0), n(98.0), n(140.0)]).unwrap(),
            b"\0\xe1\0b8c\0"
        );
        let pct = vec![b'%'; 2000];
        assert_eq!(
            ok(b"-%.20s.20s", &[s(&pct)]),
            format!("-{}.20s", "%".repeat(20))
        );
        assert_eq!(
            ok(b"\"-%20s.20s\"", &[s(&pct)]),
            format!("\"-{}.20s\"", "%".repeat(2000))
        );
        assert_eq!(ok(b"%99.99f", &[n(-1e308)]).len(), 410);
        let long = vec![b'a'; 150];
        assert_eq!(ok(b"%.20s", &[s(&long)]), "a".repeat(20));
        assert_eq!(ok(b"%5s", &[s(&long[..120])]), "a".repeat(120));
        let zeros = b"a\0".repeat(60);
        assert_eq!(run(b"%s", &[s(&zeros)]).unwrap(), zeros);
        assert_eq!(ok(b"%-99s|", &[s(&long)]), format!("{}|", "a".repeat(150)));
    }
}
