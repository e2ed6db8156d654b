//! The os library (Lua 5.1's loslib.c): `clock time date difftime execute
//! getenv remove rename tmpname exit setlocale`. Command line only: the server
//! exposes just `os.clock`, which [`open_clock_only`] registers alone.
//!
//! Choices made without libc:
//! - **Local time is UTC.** Reading the zone rules needs libc or a TZif parser;
//!   the reference machines run with `/etc/localtime` = UTC, so `os.date` and
//!   `os.time` treat local time as UTC (`%Z` prints `UTC`, `!` formats print
//!   `GMT`, as glibc does). `isdst` is always false.
//! - `os.clock` is the CPU time of the thread running the script (what C's
//!   `clock()` measures for the `lua5.1` command, whose only busy thread that
//!   is), from `/proc/thread-self/schedstat` (nanoseconds on CPU), falling
//!   back to the wall time since the library was opened.
//! - `os.setlocale` knows only the "C" locale (`"POSIX"` and `""` name it too).
//! - Dates use the proleptic Gregorian calendar on 64-bit seconds, so
//!   `os.time` normalises out-of-range fields exactly as `mktime` does
//!   (month 14 is February of the next year, day 0 is the last day of the
//!   previous month, ...).
//!
//! The calendar arithmetic ([`days_from_civil`], [`civil_from_days`]) and the
//! `strftime` subset ([`strftime`]) are plain functions with unit tests.

use crate::lua::state::{LuaError, Vm};
use crate::lua::value::Value;
use std::io::Write;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Broken-down time, as C's `struct tm` (month 1-based here, year in full).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tm {
    pub year: i64,
    /// 1..=12
    pub month: i64,
    /// 1..=31
    pub day: i64,
    pub hour: i64,
    pub min: i64,
    pub sec: i64,
    /// 0 = Sunday
    pub wday: i64,
    /// 1..=366
    pub yday: i64,
}

/// Days since 1970-01-01 of a Gregorian date (any month/day values are
/// accepted; month is normalised into the year first).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y + (m - 1).div_euclid(12);
    let m = (m - 1).rem_euclid(12) + 1;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12; // March = 0
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The Gregorian date (year, month, day) of a day number since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Breaks a time (seconds since the epoch, UTC) into its fields.
pub fn gmtime(t: i64) -> Tm {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    Tm {
        year,
        month,
        day,
        hour: secs / 3600,
        min: secs % 3600 / 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

const WDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// ISO 8601 week-based year and week number of a date.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let wday_mon = (tm.wday + 6) % 7; // Monday = 0
    let yday0 = tm.yday - 1;
    let mut year = tm.year;
    let mut week = (yday0 - wday_mon + 10) / 7;
    let weeks_in = |y: i64| {
        let jan1 = (days_from_civil(y, 1, 1) + 4).rem_euclid(7); // 0 = Sunday
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if jan1 == 4 || (leap && jan1 == 3) {
            53
        } else {
            52
        }
    };
    if week < 1 {
        year -= 1;
        week = weeks_in(year);
    } else if week > weeks_in(year) {
        year += 1;
        week = 1;
    }
    (year, week)
}

/// `strftime` in the C locale for one broken-down time. `zone` is what `%Z`
/// prints. Unknown conversions are copied as they are (glibc's behaviour).
pub fn strftime(fmt: &[u8], tm: &Tm, t: i64, zone: &str, out: &mut Vec<u8>) {
    let mut i = 0;
    while i < fmt.len() {
        let c = fmt[i];
        i += 1;
        if c != b'%' {
            out.push(c);
            continue;
        }
        let Some(&conv) = fmt.get(i) else {
            out.push(b'%');
            break;
        };
        i += 1;
        let h12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
        let s = match conv {
            b'a' => WDAYS[tm.wday as usize][..3].to_string(),
            b'A' => WDAYS[tm.wday as usize].to_string(),
            b'b' | b'h' => MONTHS[(tm.month - 1) as usize][..3].to_string(),
            b'B' => MONTHS[(tm.month - 1) as usize].to_string(),
            b'c' => {
                let mut v = Vec::new();
                strftime(b"%a %b %e %H:%M:%S %Y", tm, t, zone, &mut v);
                String::from_utf8_lossy(&v).into_owned()
            }
            b'C' => format!("{:02}", tm.year.div_euclid(100)),
            b'd' => format!("{:02}", tm.day),
            b'D' | b'x' => format!(
                "{:02}/{:02}/{:02}",
                tm.month,
                tm.day,
                tm.year.rem_euclid(100)
            ),
            b'e' => format!("{:2}", tm.day),
            b'F' => format!("{}-{:02}-{:02}", tm.year, tm.month, tm.day),
            b'g' => format!("{:02}", iso_week(tm).0.rem_euclid(100)),
            b'G' => format!("{}", iso_week(tm).0),
            b'H' => format!("{:02}", tm.hour),
            b'I' => format!("{:02}", h12),
            b'j' => format!("{:03}", tm.yday),
            b'k' => format!("{:2}", tm.hour),
            b'l' => format!("{:2}", h12),
            b'm' => format!("{:02}", tm.month),
            b'M' => format!("{:02}", tm.min),
            b'n' => "\n".to_string(),
            b'p' => (if tm.hour < 12 { "AM" } else { "PM" }).to_string(),
            b'P' => (if tm.hour < 12 { "am" } else { "pm" }).to_string(),
            b'r' => format!(
                "{:02}:{:02}:{:02} {}",
                h12,
                tm.min,
                tm.sec,
                if tm.hour < 12 { "AM" } else { "PM" }
            ),
            b'R' => format!("{:02}:{:02}", tm.hour, tm.min),
            b's' => format!("{}", t),
            b'S' => format!("{:02}", tm.sec),
            b't' => "\t".to_string(),
            b'T' | b'X' => format!("{:02}:{:02}:{:02}", tm.hour, tm.min, tm.sec),
            b'u' => format!("{}", if tm.wday == 0 { 7 } else { tm.wday }),
            b'U' => format!("{:02}", (tm.yday - 1 + 7 - tm.wday) / 7),
            b'V' => format!("{:02}", iso_week(tm).1),
            b'w' => format!("{}", tm.wday),
            b'W' => format!("{:02}", (tm.yday - 1 + 7 - (tm.wday + 6) % 7) / 7),
            b'y' => format!("{:02}", tm.year.rem_euclid(100)),
            b'Y' => format!("{}", tm.year),
            b'z' => "+0000".to_string(),
            b'Z' => zone.to_string(),
            b'%' => "%".to_string(),
            other => {
                out.push(b'%');
                out.push(other);
                continue;
            }
        };
        out.extend_from_slice(s.as_bytes());
    }
}

/// Seconds since the epoch now.
fn now() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// CPU seconds used by this process (see the module docs).
fn cpu_seconds(start: Instant) -> f64 {
    // The thread that runs the script: what C's clock() measures for the
    // lua5.1 command, whose only working thread it is (`ferrous-lua` runs
    // scripts on a thread of its own, the server on the connection thread);
    // one file read, so a loop timing itself stays cheap.
    for path in ["/proc/thread-self/schedstat", "/proc/self/schedstat"] {
        let ns = std::fs::read_to_string(path)
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok());
        if let Some(ns) = ns {
            return ns as f64 / 1e9;
        }
    }
    start.elapsed().as_secs_f64()
}

thread_local! {
    static START: Instant = Instant::now();
}

fn os_clock(vm: &mut Vm) -> Result<usize, LuaError> {
    let start = START.with(|s| *s);
    vm.push(Value::Num(cpu_seconds(start)));
    Ok(1)
}

/// Reads an integer field of the date table (`getfield` of loslib.c).
fn get_field(
    vm: &mut Vm,
    t: crate::lua::value::TableRef,
    key: &str,
    def: Option<i64>,
) -> Result<i64, LuaError> {
    let v = vm.raw_get_str(t, key);
    match vm.to_number(v) {
        Some(n) => Ok(crate::lua::state::num_to_int(n)),
        None => match def {
            Some(d) => Ok(d),
            None => Err(vm.error_str(&format!("field '{}' missing in date table", key))),
        },
    }
}

fn os_time(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg(1).is_nil() {
        vm.push(Value::Num(now() as f64));
        return Ok(1);
    }
    let t = vm.check_table(1)?;
    let sec = get_field(vm, t, "sec", Some(0))?;
    let min = get_field(vm, t, "min", Some(0))?;
    let hour = get_field(vm, t, "hour", Some(12))?;
    let day = get_field(vm, t, "day", None)?;
    let month = get_field(vm, t, "month", None)?;
    let year = get_field(vm, t, "year", None)?;
    // C's tm fields are ints: the values wrap to 32 bits as they do there.
    let f = |x: i64| x as i32 as i64;
    let days = days_from_civil(
        f(year.wrapping_sub(1900)) + 1900,
        f(month.wrapping_sub(1)) + 1,
        f(day),
    );
    let secs = days * 86_400 + f(hour) * 3600 + f(min) * 60 + f(sec);
    if secs == -1 {
        // mktime's error value.
        vm.push(Value::Nil);
    } else {
        vm.push(Value::Num(secs as f64));
    }
    Ok(1)
}

fn os_date(vm: &mut Vm) -> Result<usize, LuaError> {
    let fmt: Vec<u8> = match vm.opt_str(1)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"%c".to_vec(),
    };
    let t = if vm.arg(2).is_nil() {
        now()
    } else {
        crate::lua::state::num_to_int(vm.check_number(2)?)
    };
    let (utc, fmt) = match fmt.strip_prefix(b"!") {
        Some(rest) => (true, rest),
        None => (false, &fmt[..]),
    };
    let tm = gmtime(t);
    if fmt.starts_with(b"*t") {
        let tb = vm.new_table_sized(0, 9);
        for (k, v) in [
            ("sec", tm.sec),
            ("min", tm.min),
            ("hour", tm.hour),
            ("day", tm.day),
            ("month", tm.month),
            ("year", tm.year),
            ("wday", tm.wday + 1),
            ("yday", tm.yday),
        ] {
            vm.raw_set_str(tb, k, Value::Num(v as f64));
        }
        vm.raw_set_str(tb, "isdst", Value::Bool(false));
        vm.push(Value::Table(tb));
        return Ok(1);
    }
    let mut out = Vec::new();
    strftime(fmt, &tm, t, if utc { "GMT" } else { "UTC" }, &mut out);
    let s = vm.new_str(&out);
    vm.push(s);
    Ok(1)
}

fn os_difftime(vm: &mut Vm) -> Result<usize, LuaError> {
    let t1 = vm.check_number(1)?;
    let t0 = vm.opt_number(2, 0.0)?;
    vm.push(Value::Num(t1 - t0));
    Ok(1)
}

fn os_getenv(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    let v = match std::str::from_utf8(&name).ok().and_then(std::env::var_os) {
        Some(v) => {
            let bytes = v.into_encoded_bytes();
            vm.new_str(&bytes)
        }
        None => Value::Nil,
    };
    vm.push(v);
    Ok(1)
}

/// The text C's `strerror` gives for an I/O error (Rust's message without
/// its ` (os error N)` tail) and the errno.
pub fn strerror(e: &std::io::Error) -> (String, i32) {
    let text = e.to_string();
    let text = match text.find(" (os error") {
        Some(p) => text[..p].to_string(),
        None => text,
    };
    (text, e.raw_os_error().unwrap_or(0))
}

/// `luaL_fileresult`'s failure: pushes nil, "name: message", errno.
pub fn push_error(vm: &mut Vm, name: Option<&[u8]>, e: &std::io::Error) -> usize {
    let (text, errno) = strerror(e);
    let mut msg = Vec::new();
    if let Some(n) = name {
        msg.extend_from_slice(n);
        msg.extend_from_slice(b": ");
    }
    msg.extend_from_slice(text.as_bytes());
    vm.push(Value::Nil);
    let s = vm.new_str(&msg);
    vm.push(s);
    vm.push(Value::Num(errno as f64));
    3
}

fn path_of(b: &[u8]) -> std::path::PathBuf {
    std::path::PathBuf::from(String::from_utf8_lossy(b).into_owned())
}

fn os_remove(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    let p = path_of(&name);
    let r = match std::fs::remove_file(&p) {
        Err(e) if p.is_dir() => std::fs::remove_dir(&p).map_err(|_| e),
        other => other,
    };
    match r {
        Ok(()) => {
            vm.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, Some(&name), &e)),
    }
}

fn os_rename(vm: &mut Vm) -> Result<usize, LuaError> {
    let from = vm.check_bytes(1)?;
    let to = vm.check_bytes(2)?;
    match std::fs::rename(path_of(&from), path_of(&to)) {
        Ok(()) => {
            vm.push(Value::Bool(true));
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, Some(&from), &e)),
    }
}

/// Creates a new empty file `/tmp/lua_XXXXXX` and returns its name (as
/// `mkstemp` does for 5.1 on Linux).
pub fn make_temp_file() -> std::io::Result<(String, std::fs::File)> {
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
        ^ ((std::process::id() as u64) << 32);
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    loop {
        let mut name = String::from("/tmp/lua_");
        for _ in 0..6 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            name.push(CHARS[(seed % CHARS.len() as u64) as usize] as char);
        }
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&name)
        {
            Ok(f) => return Ok((name, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

fn os_tmpname(vm: &mut Vm) -> Result<usize, LuaError> {
    match make_temp_file() {
        Ok((name, _)) => {
            let s = vm.new_str(name.as_bytes());
            vm.push(s);
            Ok(1)
        }
        Err(_) => Err(vm.error_str("unable to generate a unique filename")),
    }
}

fn os_exit(vm: &mut Vm) -> Result<usize, LuaError> {
    let code = vm.opt_int(1, 0)?;
    super::io::flush_all(vm);
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    std::process::exit(code as i32)
}

fn os_setlocale(vm: &mut Vm) -> Result<usize, LuaError> {
    let locale = vm.opt_str(1)?.map(|s| vm.str_bytes(s).to_vec());
    let cat = match vm.opt_str(2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"all".to_vec(),
    };
    const CATS: [&[u8]; 6] = [
        b"all",
        b"collate",
        b"ctype",
        b"monetary",
        b"numeric",
        b"time",
    ];
    if !CATS.contains(&&cat[..]) {
        let msg = format!("invalid option '{}'", String::from_utf8_lossy(&cat));
        return Err(vm.arg_error(2, &msg));
    }
    let ok = match locale.as_deref() {
        None | Some(b"") | Some(b"C") | Some(b"POSIX") => true,
        Some(_) => false,
    };
    let v = if ok { vm.new_str(b"C") } else { Value::Nil };
    vm.push(v);
    Ok(1)
}

/// `os.execute([cmd])`: runs `cmd` with `/bin/sh -c` and returns what C's
/// `system` returns, the raw wait status (exit code times 256); without a
/// command, 1 (a shell is available). Our buffered output goes first.
fn os_execute(vm: &mut Vm) -> Result<usize, LuaError> {
    let cmd = match vm.opt_str(1)? {
        None => {
            vm.push(Value::Num(1.0));
            return Ok(1);
        }
        Some(s) => String::from_utf8_lossy(vm.str_bytes(s)).into_owned(),
    };
    super::io::flush_all(vm);
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let status = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(cmd)
        .status();
    let code = match status {
        Ok(st) => std::os::unix::process::ExitStatusExt::into_raw(st) as f64,
        Err(_) => -1.0,
    };
    vm.push(Value::Num(code));
    Ok(1)
}

/// Opens the whole os library as the global `os` (command line).
pub fn open(vm: &mut Vm) {
    START.with(|_| ());
    let funcs: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("clock", os_clock),
        ("date", os_date),
        ("difftime", os_difftime),
        ("execute", os_execute),
        ("exit", os_exit),
        ("getenv", os_getenv),
        ("remove", os_remove),
        ("rename", os_rename),
        ("setlocale", os_setlocale),
        ("time", os_time),
        ("tmpname", os_tmpname),
    ];
    vm.register_lib("os", funcs);
}

/// Opens `os` with only `clock` (what Redis exposes to scripts).
pub fn open_clock_only(vm: &mut Vm) {
    START.with(|_| ());
    vm.register_lib("os", &[("clock", os_clock)]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(f: &str, t: i64, zone: &str) -> String {
        let mut out = Vec::new();
        strftime(f.as_bytes(), &gmtime(t), t, zone, &mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 1, 1), 10_957);
        assert_eq!(civil_from_days(10_957), (2000, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        for d in (-800_000..800_000).step_by(997) {
            let (y, m, dd) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, dd), d);
        }
        // mktime-style normalisation: month 14, day -3 of 2000 = 2001-01-28
        assert_eq!(days_from_civil(2000, 14, -3), days_from_civil(2001, 1, 28));
    }

    #[test]
    fn strftime_as_lua5_1_prints() {
        // Values printed by lua5.1 for os.date("!...", 1e9).
        assert_eq!(
            fmt("%a %A %b %B %c %d %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %Z %%", 1_000_000_000, "GMT"),
            "Sun Sunday Sep September Sun Sep  9 01:46:40 2001 09 01 01 252 09 46 AM 40 36 0 36 09/09/01 01:46:40 01 2001 GMT %"
        );
        assert_eq!(
            fmt("%e %D %T %F %R %h %C %g %G %V %u %z %k %l %s|%P|%Q", 1_000_000_000, "GMT"),
            " 9 09/09/01 01:46:40 2001-09-09 01:46 Sep 20 01 2001 36 7 +0000  1  1 1000000000|am|%Q"
        );
        assert_eq!(fmt("%c", 0, "UTC"), "Thu Jan  1 00:00:00 1970");
    }
}
