//! How one configuration value is read from text and written back: the parameter
//! kinds of redis.conf (yes/no, integers, memory sizes, enumerations, strings) and
//! the special values (output buffer limits, save points, log level, ...).
//!
//! Every value, whether it comes from a config file line, a `--flag` or CONFIG
//! SET, goes through [`Value::parse`] with its row's [`Kind`], so the three can
//! never disagree; CONFIG GET prints [`Value::render`]. The error strings are
//! Redis 7.0's, because clients and the Tcl suite match them.
//!
//! Numbers follow Redis's rules: integers are `string2ll` (no spaces, no `+`),
//! memory sizes are `memtoull` (digits and an optional `b k kb m mb g gb` unit,
//! case-insensitive; `k` is 1000 and `kb` 1024), a memory-or-percent value may be
//! `N%` (kept as `-N`), and the range check names the bounds.
use super::ObufLimit;

/// How a parameter's value is written and checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// `yes` or `no`.
    Bool,
    /// An integer in `min..=max`.
    Int(i128, i128),
    /// A memory size (bytes, or with a unit) in `min..=max`.
    Mem(i128, i128),
    /// A memory size, or a percentage `N%` (stored as `-N`; `min` is `-100`).
    MemPercent(i128, i128),
    /// An integer written in octal (`unixsocketperm`).
    Octal(i128, i128),
    /// One of the listed words (case-insensitive; stored as written here).
    Enum(&'static [&'static str]),
    /// Several of the listed words, OR-ed together (`shutdown-on-sigint save now`).
    Flags(&'static [(&'static str, u32)]),
    /// Any string.
    Str,
    /// A value with its own syntax (the row names its get and set functions).
    Special,
}

/// A value that can be kept in a [`super::Config`] field of a given [`Kind`].
pub trait Value: Sized {
    /// Reads `text` (for a multi-word parameter, its words joined by spaces).
    fn parse(kind: &Kind, text: &str) -> Result<Self, String>;
    /// The text CONFIG GET prints.
    fn render(&self, kind: &Kind) -> String;
}

/// Redis's `memtoull`: digits and an optional unit; `None` on anything else.
/// Overflow wraps as the C arithmetic does.
pub fn memtoull(s: &str) -> Option<u64> {
    if s.starts_with('-') {
        return None;
    }
    let digits = s.bytes().take_while(|b| b.is_ascii_digit()).count();
    let (num, unit) = s.split_at(digits);
    let mul: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" => 1000,
        "kb" => 1024,
        "m" => 1000 * 1000,
        "mb" => 1024 * 1024,
        "g" => 1000 * 1000 * 1000,
        "gb" => 1024 * 1024 * 1024,
        _ => return None,
    };
    // strtoull: saturates at the maximum on overflow; the empty string is 0.
    let mut val: u64 = 0;
    for b in num.bytes() {
        val = val
            .checked_mul(10)
            .and_then(|v| v.checked_add((b - b'0') as u64))
            .unwrap_or(u64::MAX);
    }
    Some(val.wrapping_mul(mul))
}

/// Reads a number of a numeric kind, with Redis's error texts, and checks its range.
pub fn parse_number(kind: &Kind, text: &str) -> Result<i128, String> {
    let (min, max) = match *kind {
        Kind::Int(a, b) | Kind::Mem(a, b) | Kind::MemPercent(a, b) | Kind::Octal(a, b) => (a, b),
        _ => return Err("argument couldn't be parsed into an integer".into()),
    };
    // A signed C type holds what memtoull returns as its two's complement.
    let signed = max <= i64::MAX as i128;
    let from_mem = |v: u64| if signed { v as i64 as i128 } else { v as i128 };
    let n: i128 = match kind {
        Kind::Mem(..) => memtoull(text)
            .map(from_mem)
            .ok_or("argument must be a memory value")?,
        Kind::MemPercent(..) => match memtoull(text) {
            Some(v) => from_mem(v),
            None => match text.strip_suffix('%') {
                Some(p) if !p.is_empty() => match crate::num::string2ll(p.as_bytes()) {
                    Some(v) if v >= 0 => -(v as i128),
                    _ => return Err("argument must be a memory or percent value".into()),
                },
                _ => return Err("argument must be a memory or percent value".into()),
            },
        },
        Kind::Octal(..) => {
            let ok = !text.is_empty()
                && text.bytes().enumerate().all(|(i, b)| {
                    (b'0'..=b'7').contains(&b) || (i == 0 && (b == b'-' || b == b'+'))
                });
            match (ok, i64::from_str_radix(text, 8)) {
                (true, Ok(v)) => v as i128,
                _ => return Err("argument couldn't be parsed as an octal number".into()),
            }
        }
        _ => crate::num::string2ll(text.as_bytes())
            .map(|v| v as i128)
            .ok_or("argument couldn't be parsed into an integer")?,
    };
    if matches!(kind, Kind::MemPercent(..)) && n < 0 {
        if n < min {
            return Err(format!(
                "percentage argument must be less or equal to {}",
                -min
            ));
        }
        return Ok(n);
    }
    if n < min || n > max {
        return Err(match kind {
            Kind::Octal(..) => format!("argument must be between {min:o} and {max:o} inclusive"),
            _ => format!("argument must be between {min} and {max} inclusive"),
        });
    }
    Ok(n)
}

/// Renders a number of a numeric kind as CONFIG GET does.
pub fn render_number(kind: &Kind, n: i128) -> String {
    match kind {
        Kind::MemPercent(..) if n < 0 => format!("{}%", -n),
        Kind::Octal(..) => format!("{n:o}"),
        _ => n.to_string(),
    }
}

/// The word of an enumeration, case-insensitively, as the table spells it.
pub fn parse_enum(names: &'static [&'static str], text: &str) -> Result<&'static str, String> {
    names
        .iter()
        .find(|n| n.eq_ignore_ascii_case(text))
        .copied()
        .ok_or_else(|| enum_error(names.iter().copied()))
}

/// `argument(s) must be one of the following: a, b, c`, cut at 255 bytes as
/// Redis's buffer cuts it.
fn enum_error<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut s = String::from("argument(s) must be one of the following: ");
    s.push_str(&names.collect::<Vec<_>>().join(", "));
    s.truncate(255);
    s
}

/// Bit flags from words (`save now`), each one of `names`.
pub fn parse_flags(names: &'static [(&'static str, u32)], text: &str) -> Result<u32, String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    let bad = || enum_error(names.iter().map(|(n, _)| *n));
    if words.is_empty() {
        return Err(bad());
    }
    let mut v = 0;
    for w in words {
        let (_, bits) = names
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(w))
            .ok_or_else(bad)?;
        v |= bits;
    }
    Ok(v)
}

/// Bit flags as words: the exact name when one matches, else the names of the
/// set bits, highest-listed first; `unknown` when some bit has no name.
pub fn render_flags(names: &'static [(&'static str, u32)], v: u32) -> String {
    if let Some((n, _)) = names.iter().find(|(_, b)| *b == v) {
        return n.to_string();
    }
    let mut left = v;
    let mut out = Vec::new();
    for (n, b) in names {
        if *b != 0 && left & b == *b {
            out.push(*n);
            left &= !b;
        }
    }
    if out.is_empty() || left != 0 {
        return "unknown".into();
    }
    out.join(" ")
}

macro_rules! numeric_value {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn parse(kind: &Kind, text: &str) -> Result<Self, String> {
                if let Kind::Flags(names) = kind {
                    return <$t>::try_from(parse_flags(names, text)?)
                        .map_err(|_| "argument out of range".to_string());
                }
                let n = parse_number(kind, text)?;
                <$t>::try_from(n).map_err(|_| format!("argument must be between {} and {} inclusive", <$t>::MIN, <$t>::MAX))
            }
            fn render(&self, kind: &Kind) -> String {
                if let Kind::Flags(names) = kind {
                    return render_flags(names, u32::try_from(*self).unwrap_or(u32::MAX));
                }
                render_number(kind, *self as i128)
            }
        }
    )*};
}

numeric_value!(i32, u16, u32, i64, u64, usize);

impl Value for bool {
    fn parse(_kind: &Kind, text: &str) -> Result<bool, String> {
        if text.eq_ignore_ascii_case("yes") {
            Ok(true)
        } else if text.eq_ignore_ascii_case("no") {
            Ok(false)
        } else {
            Err("argument must be 'yes' or 'no'".into())
        }
    }
    fn render(&self, _kind: &Kind) -> String {
        if *self { "yes" } else { "no" }.into()
    }
}

impl Value for String {
    fn parse(kind: &Kind, text: &str) -> Result<String, String> {
        match kind {
            Kind::Enum(names) => parse_enum(names, text).map(str::to_string),
            _ => Ok(text.to_string()),
        }
    }
    fn render(&self, _kind: &Kind) -> String {
        self.clone()
    }
}

/// redis-server's log levels, least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum LogLevel {
    Debug,
    Verbose,
    #[default]
    Notice,
    Warning,
}

/// The words of `loglevel`, in [`LogLevel`]'s order.
pub const LOG_LEVELS: &[&str] = &["debug", "verbose", "notice", "warning"];

impl LogLevel {
    pub fn name(self) -> &'static str {
        LOG_LEVELS[self as usize]
    }
}

impl Value for LogLevel {
    fn parse(_kind: &Kind, text: &str) -> Result<LogLevel, String> {
        Ok(match parse_enum(LOG_LEVELS, text)? {
            "debug" => LogLevel::Debug,
            "verbose" => LogLevel::Verbose,
            "notice" => LogLevel::Notice,
            _ => LogLevel::Warning,
        })
    }
    fn render(&self, _kind: &Kind) -> String {
        self.name().to_string()
    }
}

/// A password-like value: `None` when unset (an empty string unsets it).
impl Value for Option<Vec<u8>> {
    fn parse(_kind: &Kind, text: &str) -> Result<Self, String> {
        Ok((!text.is_empty()).then(|| text.as_bytes().to_vec()))
    }
    fn render(&self, _kind: &Kind) -> String {
        String::from_utf8_lossy(self.as_deref().unwrap_or(b"")).into_owned()
    }
}

/// A list of words (`bind`): the empty string is the empty list.
impl Value for Vec<String> {
    fn parse(_kind: &Kind, text: &str) -> Result<Self, String> {
        let v: Vec<String> = text
            .split(' ')
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        if v.len() > 16 {
            return Err("Too many bind addresses specified.".into());
        }
        Ok(v)
    }
    fn render(&self, _kind: &Kind) -> String {
        self.join(" ")
    }
}

/// Save points (`save`): pairs of seconds (at least 1) and changes (at least 0).
/// `""` is no save points. Kept normalised (`3600 1 300 100`).
/// Words are split on single spaces, as CONFIG SET splits them (an extra
/// space is an empty word, refused); config files join their words so.
pub fn parse_save(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Ok(String::new());
    }
    let words: Vec<&str> = text.split(' ').collect();
    let bad = || "Invalid save parameters".to_string();
    if !words.len().is_multiple_of(2) {
        return Err(bad());
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        // strtoll with nothing after the number.
        let v: i64 = crate::num::string2ll(w.as_bytes())
            .or_else(|| w.strip_prefix('+').and_then(|r| r.parse().ok()))
            .ok_or_else(bad)?;
        if (i % 2 == 0 && v < 1) || (i % 2 == 1 && v < 0) {
            return Err(bad());
        }
        out.push(v.to_string());
    }
    Ok(out.join(" "))
}

/// `client-output-buffer-limit`, `<class> <hard> <soft> <seconds>` repeated; only
/// the classes named change. All groups are checked before any is applied.
pub fn parse_obuf_limits(text: &str, current: [ObufLimit; 3]) -> Result<[ObufLimit; 3], String> {
    // CONFIG SET splits on single spaces (an empty value is no groups: nothing
    // changes); the config file checks its own word count (see `file.rs`).
    if text.is_empty() {
        return Ok(current);
    }
    let words: Vec<&str> = text.split(' ').collect();
    if !words.len().is_multiple_of(4) {
        return Err("Wrong number of arguments in buffer limit configuration.".into());
    }
    let mut limits = current;
    for group in words.chunks(4) {
        let class = match group[0].to_ascii_lowercase().as_str() {
            "normal" => 0,
            "replica" | "slave" => 1,
            "pubsub" => 2,
            _ => {
                return Err("Invalid client class specified in buffer limit configuration.".into())
            }
        };
        let bad = || {
            "Error in hard, soft or soft_seconds setting in buffer limit configuration.".to_string()
        };
        let hard = memtoull(group[1]).ok_or_else(bad)?;
        let soft = memtoull(group[2]).ok_or_else(bad)?;
        let seconds = crate::num::string2ll(group[3].as_bytes()).ok_or_else(bad)?;
        if seconds < 0 {
            return Err(bad());
        }
        // Redis keeps the seconds in a C int: larger values wrap as they do there.
        let soft_seconds = (seconds as i32).max(0) as u64;
        limits[class] = ObufLimit {
            hard,
            soft,
            soft_seconds,
        };
    }
    Ok(limits)
}

/// CONFIG GET's form of the output buffer limits (classes `normal slave pubsub`).
pub fn render_obuf_limits(l: &[ObufLimit; 3]) -> String {
    ["normal", "slave", "pubsub"]
        .iter()
        .zip(l)
        .map(|(n, l)| format!("{n} {} {} {}", l.hard, l.soft, l.soft_seconds))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `oom-score-adj-values`: three integers in -2000..=2000.
pub fn parse_oom_values(text: &str) -> Result<[i32; 3], String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() != 3 {
        return Err("wrong number of arguments".into());
    }
    let mut v = [0i32; 3];
    for (d, w) in v.iter_mut().zip(words) {
        match crate::num::string2ll(w.as_bytes()) {
            Some(n) if (-2000..=2000).contains(&n) => *d = n as i32,
            _ => {
                return Err(
                    "Invalid oom-score-adj-values, elements must be between -2000 and 2000.".into(),
                )
            }
        }
    }
    Ok(v)
}

/// `latency-tracking-info-percentiles`: numbers between 0 and 100; `""` is none.
pub fn parse_percentiles(text: &str) -> Result<Vec<f64>, String> {
    let mut out = Vec::new();
    for w in text.split(' ').filter(|w| !w.is_empty()) {
        let p = crate::num::string2d(w.as_bytes())
            .ok_or("Invalid latency-tracking-info-percentiles parameters")?;
        if !(0.0..=100.0).contains(&p) {
            return Err(
                "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
                    .into(),
            );
        }
        out.push(p);
    }
    Ok(out)
}

/// A percentile as Redis prints it: `%f` without trailing zeros (`99.9`, `50`).
pub fn render_percentile(p: f64) -> String {
    let s = format!("{p:.6}");
    let s = s.trim_end_matches('0');
    s.trim_end_matches('.').to_string()
}

/// `replicaof host port` (or `no one`): the master's address, empty for none.
pub fn parse_replicaof(text: &str) -> Result<String, String> {
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    if words.len() != 2 {
        return Err("wrong number of arguments".into());
    }
    if words[0].eq_ignore_ascii_case("no") && words[1].eq_ignore_ascii_case("one") {
        return Ok(String::new());
    }
    match words[1].parse::<i64>() {
        Ok(p) if (0..=65535).contains(&p) && !words[1].starts_with('+') => {
            Ok(format!("{} {p}", words[0]))
        }
        _ => Err("Invalid master port".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_notation_follows_memtoull() {
        assert_eq!(memtoull("512mb"), Some(512 * 1024 * 1024));
        assert_eq!(memtoull("1GB"), Some(1 << 30));
        assert_eq!(memtoull("100k"), Some(100_000));
        assert_eq!(memtoull("123"), Some(123));
        assert_eq!(memtoull("7b"), Some(7));
        assert_eq!(memtoull(""), Some(0));
        assert_eq!(memtoull("abc"), None);
        assert_eq!(memtoull("-1"), None);
        assert_eq!(memtoull("1.5mb"), None);
    }

    #[test]
    fn numbers_check_their_range_with_redis_texts() {
        let k = Kind::Int(0, 65535);
        assert_eq!(parse_number(&k, "80"), Ok(80));
        assert_eq!(
            parse_number(&k, "x"),
            Err("argument couldn't be parsed into an integer".into())
        );
        assert_eq!(
            parse_number(&k, "70000"),
            Err("argument must be between 0 and 65535 inclusive".into())
        );
        let p = Kind::MemPercent(-100, i64::MAX as i128);
        assert_eq!(parse_number(&p, "10%"), Ok(-10));
        assert_eq!(
            parse_number(&p, "200%"),
            Err("percentage argument must be less or equal to 100".into())
        );
        assert_eq!(render_number(&p, -10), "10%");
        let o = Kind::Octal(0, 0o777);
        assert_eq!(parse_number(&o, "700"), Ok(0o700));
        assert_eq!(render_number(&o, 0o700), "700");
        assert_eq!(
            parse_number(&o, "1000"),
            Err("argument must be between 0 and 777 inclusive".into())
        );
    }

    #[test]
    fn flags_render_as_redis_does() {
        const SIG: &[(&str, u32)] = &[
            ("default", 0),
            ("save", 1),
            ("nosave", 2),
            ("now", 4),
            ("force", 8),
        ];
        assert_eq!(parse_flags(SIG, "nosave force now"), Ok(14));
        assert_eq!(render_flags(SIG, 14), "nosave now force");
        assert_eq!(render_flags(SIG, 0), "default");
        assert!(parse_flags(SIG, "").is_err());
    }

    #[test]
    fn special_values() {
        assert_eq!(parse_save("900 1 300 10").as_deref(), Ok("900 1 300 10"));
        assert_eq!(parse_save("+900 1").as_deref(), Ok("900 1"));
        assert_eq!(parse_save("").as_deref(), Ok(""));
        // CONFIG SET splits on single spaces: 7.0.15 refuses these.
        assert!(parse_save("900 1  300 10").is_err());
        assert!(parse_save("  ").is_err());
        assert!(parse_save(" 900 1").is_err());
        assert!(parse_save("900").is_err());
        assert!(parse_save("0 1").is_err());
        assert_eq!(parse_percentiles("50 99 99.9"), Ok(vec![50.0, 99.0, 99.9]));
        assert_eq!(render_percentile(99.9), "99.9");
        assert_eq!(render_percentile(50.0), "50");
        assert_eq!(parse_replicaof("no one").as_deref(), Ok(""));
        assert_eq!(
            parse_replicaof("127.0.0.1 abc"),
            Err("Invalid master port".into())
        );
    }
}
