//! Logging in redis-server's format: `pid:M 23 Nov 2026 20:44:09.477 * message`.
//!
//! The symbol after the time gives the level (`.` debug, `-` verbose, `*` notice,
//! `#` warning), as in Redis. Lines go to stdout, or appended to `logfile` when one
//! is configured. Times are UTC (std has no time-zone database).
use super::config::LogLevel;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A logger with a run-time adjustable level (CONFIG SET loglevel).
#[derive(Debug)]
pub struct Logger {
    level: AtomicU8,
    /// A quiet logger stays silent whatever level CONFIG SET asks for.
    muted: bool,
    file: Mutex<Option<std::fs::File>>,
}

impl Logger {
    /// Logs to stdout, or to `logfile` (appending) when it is non-empty.
    pub fn new(level: LogLevel, logfile: &str) -> std::io::Result<Logger> {
        let file = if logfile.is_empty() {
            None
        } else {
            Some(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(logfile)?,
            )
        };
        Ok(Logger {
            level: AtomicU8::new(level as u8),
            muted: false,
            file: Mutex::new(file),
        })
    }

    /// A logger that prints nothing (tests).
    pub fn quiet() -> Logger {
        Logger {
            level: AtomicU8::new(LogLevel::Warning as u8),
            muted: true,
            file: Mutex::new(None),
        }
    }

    pub fn set_level(&self, level: LogLevel) {
        self.level.store(level as u8, Ordering::Relaxed);
    }

    /// Whether a message at `level` would be written.
    pub fn enabled(&self, level: LogLevel) -> bool {
        !self.muted && level as u8 >= self.level.load(Ordering::Relaxed)
    }

    /// Writes one line if `level` is enabled. `role` is `M` (master) or `C` (startup).
    pub fn log(&self, level: LogLevel, role: char, msg: &str) {
        if !self.enabled(level) {
            return;
        }
        let sym = match level {
            LogLevel::Debug => '.',
            LogLevel::Verbose => '-',
            LogLevel::Notice => '*',
            LogLevel::Warning => '#',
        };
        let line = format!(
            "{}:{} {} {} {}\n",
            std::process::id(),
            role,
            timestamp(SystemTime::now()),
            sym,
            msg
        );
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        match file.as_mut() {
            Some(f) => {
                let _ = f.write_all(line.as_bytes());
            }
            None => {
                let _ = std::io::stdout().lock().write_all(line.as_bytes());
            }
        }
    }

    /// Writes `text` as it is, without the line prefix (Redis's raw log
    /// lines: the startup banner), if `level` is enabled.
    pub fn raw(&self, level: LogLevel, text: &str) {
        if !self.enabled(level) {
            return;
        }
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        match file.as_mut() {
            Some(f) => {
                let _ = f.write_all(text.as_bytes());
            }
            None => {
                let _ = std::io::stdout().lock().write_all(text.as_bytes());
            }
        }
    }

    pub fn notice(&self, msg: &str) {
        self.log(LogLevel::Notice, 'M', msg);
    }
    pub fn warning(&self, msg: &str) {
        self.log(LogLevel::Warning, 'M', msg);
    }
    pub fn verbose(&self, msg: &str) {
        self.log(LogLevel::Verbose, 'M', msg);
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `23 Nov 2026 20:44:09.477` for a point in time (UTC).
pub fn timestamp(t: SystemTime) -> String {
    let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = civil_from_days((secs / 86400) as i64);
    let s = secs % 86400;
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        day,
        MONTHS[(m - 1) as usize],
        y,
        s / 3600,
        s / 60 % 60,
        s % 60,
        d.subsec_millis()
    )
}

/// Converts days since 1970-01-01 to (year, month 1-12, day 1-31) in the
/// proleptic Gregorian calendar (the well-known era-based algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11016), (2000, 2, 29));
        let t = UNIX_EPOCH + Duration::from_millis(1_795_466_649_477);
        assert_eq!(timestamp(t), "23 Nov 2026 20:44:09.477");
    }
}
