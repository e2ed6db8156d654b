//! `oom-score-adj` and `oom-score-adj-values`: how willing the kernel's
//! out-of-memory killer should be to pick this process, written to
//! `/proc/self/oom_score_adj` as Redis does.
//!
//! With `oom-score-adj yes` (alias `relative`) the score is the first of the
//! three values (the one for a master; Ferrous has no replica role and no
//! forked child) added to the score the process had before the server first
//! changed it; with `absolute` it is the value itself; both are clamped to
//! -1000..=1000. Turning it back to `no` restores the score from before. A
//! system without the file (not Linux) is left alone.
//!
//! Invariant: `BASE` holds the process's own score from before the server's
//! first change, and `ADJUSTED` says whether the server has changed it since
//! (process-wide state, as the file is).
use super::Config;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

const FILE: &str = "/proc/self/oom_score_adj";

static ADJUSTED: AtomicBool = AtomicBool::new(false);
static BASE: AtomicI64 = AtomicI64::new(0);

/// Sets the process's score from `c`. The error is the reason to log.
pub fn update(c: &Config) -> Result<(), String> {
    if !std::path::Path::new(FILE).exists() {
        return Ok(());
    }
    let value = if c.oom_score_adj != "no" {
        if !ADJUSTED.load(Ordering::Relaxed) {
            let text = std::fs::read_to_string(FILE)
                .map_err(|e| format!("Unable to read oom_score_adj: {e}"))?;
            BASE.store(text.trim().parse().unwrap_or(0), Ordering::Relaxed);
            ADJUSTED.store(true, Ordering::Relaxed);
        }
        let mut v = i64::from(c.oom_score_adj_values[0]);
        if c.oom_score_adj == "yes" {
            v += BASE.load(Ordering::Relaxed);
        }
        v.clamp(-1000, 1000)
    } else if ADJUSTED.swap(false, Ordering::Relaxed) {
        BASE.load(Ordering::Relaxed)
    } else {
        return Ok(());
    };
    std::fs::write(FILE, format!("{value}\n"))
        .map_err(|e| format!("Unable to write oom_score_adj: {e}"))
}
