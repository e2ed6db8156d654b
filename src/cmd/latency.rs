//! The latency monitor and LATENCY LATEST/HISTORY/RESET/HISTOGRAM/DOCTOR/HELP,
//! as in redis-server 7.0 (DOCTOR's report is worded here), and GRAPH (drawn
//! by `sparkline.rs`).
//!
//! With `latency-monitor-threshold` above 0 (milliseconds), every operation of a
//! watched kind that takes at least that long adds a sample to its *event*:
//! `command` (a command not flagged FAST), `fast-command` (a FAST one) and
//! `expire-cycle` (the active expiry pass of the cron). An event keeps its last
//! 160 samples (one per second: a second sample in the same second keeps the
//! larger latency) and the largest latency it ever saw.
//!
//! LATENCY HISTOGRAM reads the per-command histograms of INFO latencystats
//! (`latency-tracking`, see `histogram.rs`) as cumulative counts at powers of
//! two microseconds.
//!
//! Invariants: the events live in one small map behind a mutex, touched only
//! when a sample passes the threshold; the threshold has a lock-free mirror read
//! after every command.
use super::command::help_lines;
use super::{flags::*, CommandSpec, Ctx};
use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "latency",
    arity: -2,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const LATENCY_FLAGS: u32 = ADMIN | NOSCRIPT | LOADING | STALE;

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "latest",
        arity: 2,
        flags: LATENCY_FLAGS,
        handler: latency_latest,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "history",
        arity: 3,
        flags: LATENCY_FLAGS,
        handler: latency_history,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "reset",
        arity: -2,
        flags: LATENCY_FLAGS,
        handler: latency_reset,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "graph",
        arity: 3,
        flags: LATENCY_FLAGS,
        handler: latency_graph,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "doctor",
        arity: 2,
        flags: LATENCY_FLAGS,
        handler: latency_doctor,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "histogram",
        arity: -2,
        flags: LATENCY_FLAGS,
        handler: latency_histogram,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: latency_help,
        ..CommandSpec::DEFAULT
    },
];

/// Samples kept per event (Redis's `LATENCY_TS_LEN`).
const SAMPLES: usize = 160;

/// One event's history.
#[derive(Debug, Default)]
struct Series {
    /// (Unix seconds, milliseconds), oldest first.
    samples: VecDeque<(i64, u64)>,
    max: u64,
}

/// The events and the threshold's mirror.
#[derive(Debug, Default)]
pub struct Monitor {
    events: Mutex<BTreeMap<&'static str, Series>>,
    /// Mirror of `latency-monitor-threshold` (milliseconds; 0: off).
    pub threshold: AtomicU64,
}

impl Monitor {
    pub fn new(threshold_ms: u64) -> Monitor {
        Monitor {
            events: Mutex::default(),
            threshold: AtomicU64::new(threshold_ms),
        }
    }

    fn events(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, Series>> {
        self.events.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds a sample of `ms` milliseconds to `event` if it reaches the threshold.
    pub fn sample(&self, event: &'static str, ms: u64) {
        let t = self.threshold.load(Ordering::Relaxed);
        if t == 0 || ms < t {
            return;
        }
        let now = (super::shared::unix_micros() / 1_000_000) as i64;
        let mut events = self.events();
        let s = events.entry(event).or_default();
        s.max = s.max.max(ms);
        match s.samples.back_mut() {
            Some(last) if last.0 == now => last.1 = last.1.max(ms),
            _ => {
                if s.samples.len() == SAMPLES {
                    s.samples.pop_front();
                }
                s.samples.push_back((now, ms));
            }
        }
    }

    /// Forgets the named events (all with `None`); answers how many there were.
    fn reset(&self, names: Option<&[Vec<u8>]>) -> usize {
        let mut events = self.events();
        match names {
            None => {
                let n = events.len();
                events.clear();
                n
            }
            Some(names) => {
                let mut n = 0;
                for name in names {
                    let key = events
                        .keys()
                        .find(|k| k.as_bytes() == name.as_slice())
                        .copied();
                    if let Some(k) = key {
                        events.remove(k);
                        n += 1;
                    }
                }
                n
            }
        }
    }
}

/// After a command ran for `usec` microseconds: a sample for `command` or
/// `fast-command`.
pub fn after_command(ctx: &Ctx<'_>, spec_flags: u32, usec: u64) {
    let m = &ctx.shared.latency;
    if m.threshold.load(Ordering::Relaxed) == 0 {
        return;
    }
    let event = if spec_flags & FAST != 0 {
        "fast-command"
    } else {
        "command"
    };
    m.sample(event, usec / 1000);
}

/// LATENCY LATEST: each event's last sample time and latency, and its maximum.
fn latency_latest(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let events = ctx.shared.latency.events();
    ctx.out.array(events.len());
    for (name, s) in events.iter() {
        let (time, ms) = s.samples.back().copied().unwrap_or((0, 0));
        ctx.out.array(4);
        ctx.out.bulk(name.as_bytes());
        ctx.out.integer(time);
        ctx.out.integer(ms as i64);
        ctx.out.integer(s.max as i64);
    }
}

/// LATENCY HISTORY event: its samples, oldest first.
fn latency_history(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let events = ctx.shared.latency.events();
    let Some(s) = events
        .iter()
        .find(|(k, _)| k.as_bytes() == args[2].as_slice())
        .map(|(_, s)| s)
    else {
        return ctx.out.array(0);
    };
    ctx.out.array(s.samples.len());
    for &(time, ms) in &s.samples {
        ctx.out.array(2);
        ctx.out.integer(time);
        ctx.out.integer(ms as i64);
    }
}

/// LATENCY GRAPH event: the event's samples as a sparkline, each labelled
/// with how long ago it was taken.
fn latency_graph(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let events = ctx.shared.latency.events();
    let Some((name, s)) = events
        .iter()
        .find(|(k, _)| k.as_bytes() == args[2].as_slice())
    else {
        drop(events);
        let mut msg = b"ERR No samples available for event '".to_vec();
        msg.extend_from_slice(super::c_str(&args[2], usize::MAX));
        msg.push(b'\'');
        return super::error_bytes(ctx.out, &msg);
    };
    let now = (super::shared::unix_micros() / 1_000_000) as i64;
    let ago = |t: i64| {
        let e = now - t;
        match e {
            _ if e < 60 => format!("{e}s"),
            _ if e < 3600 => format!("{}m", e / 60),
            _ if e < 86_400 => format!("{}h", e / 3600),
            _ => format!("{}d", e / 86_400),
        }
    };
    let samples: Vec<super::sparkline::Sample> = s
        .samples
        .iter()
        .map(|&(t, ms)| super::sparkline::Sample {
            value: ms as f64,
            label: ago(t),
        })
        .collect();
    let high = s.samples.iter().map(|x| x.1).max().unwrap_or(0);
    let low = s.samples.iter().map(|x| x.1).min().unwrap_or(0);
    let mut text = format!(
        "{name} - high {high} ms, low {low} ms (all time high {} ms)\n{}\n",
        s.max,
        "-".repeat(GRAPH_COLUMNS)
    );
    text.push_str(&super::sparkline::render(&samples, GRAPH_COLUMNS, 4));
    drop(events);
    ctx.out.verbatim("txt", text.as_bytes());
}

/// LATENCY GRAPH's width.
const GRAPH_COLUMNS: usize = 80;

/// LATENCY RESET [event ...]
fn latency_reset(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let names = (args.len() > 2).then(|| &args[2..]);
    let n = ctx.shared.latency.reset(names);
    ctx.out.integer(n as i64);
}

/// LATENCY HISTOGRAM [command ...]: for each command with samples (a container
/// named stands for its subcommands), its calls and the cumulative counts at
/// powers of two microseconds.
fn latency_histogram(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let commands = &ctx.shared.commands;
    let mut rows: Vec<usize> = Vec::new();
    if args.len() == 2 {
        rows.extend(0..commands.rows.len());
    } else {
        for name in &args[2..] {
            let i = match name.iter().position(|&b| b == b'|') {
                None => commands.lookup(name),
                Some(bar) => {
                    let parts = [name[..bar].to_vec(), name[bar + 1..].to_vec()];
                    match commands.resolve(&parts) {
                        super::table::Lookup::Found(i) if commands.rows[i].parent.is_some() => {
                            Some(i)
                        }
                        _ => None,
                    }
                }
            };
            let Some(i) = i else { continue };
            if commands.rows[i].is_container() {
                rows.extend(commands.rows[i].subs.clone());
            } else {
                rows.push(i);
            }
        }
    }
    rows.retain(|&i| commands.rows[i].stats.latency.total() > 0);
    ctx.out.map(rows.len());
    for i in rows {
        let row = &commands.rows[i];
        let h = &row.stats.latency;
        ctx.out.bulk(row.full_name.as_bytes());
        ctx.out.map(2);
        ctx.out.bulk(b"calls");
        ctx.out.integer(h.total() as i64);
        ctx.out.bulk(b"histogram_usec");
        let buckets = h.log2_buckets();
        ctx.out.map(buckets.len());
        for (usec, count) in buckets {
            ctx.out.integer(usec as i64);
            ctx.out.integer(count as i64);
        }
    }
}

/// LATENCY DOCTOR: a plain-text summary of the events (our own wording; Redis's
/// report is prose for humans, not a format): per event its spikes, their mean
/// and mean deviation, how often they came, and its worst latency.
fn latency_doctor(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let threshold = ctx.shared.latency.threshold.load(Ordering::Relaxed);
    let mut text = String::from("Latency report\n\n");
    if threshold == 0 {
        text.push_str(
            "The latency monitor is off: set latency-monitor-threshold to a number of \
             milliseconds (CONFIG SET latency-monitor-threshold 100) to record the \
             operations that take at least that long.\n",
        );
    }
    let events = ctx.shared.latency.events();
    if events.is_empty() {
        text.push_str("No event has passed the threshold since the last reset.\n");
    }
    for (name, s) in events.iter() {
        let n = s.samples.len() as u64;
        let sum: u64 = s.samples.iter().map(|&(_, ms)| ms).sum();
        let mean = sum / n.max(1);
        let dev = s
            .samples
            .iter()
            .map(|&(_, ms)| ms.abs_diff(mean))
            .sum::<u64>()
            / n.max(1);
        let (first, last) = (
            s.samples.front().map_or(0, |x| x.0),
            s.samples.back().map_or(0, |x| x.0),
        );
        let period = (last - first) / (n.max(2) as i64 - 1);
        text.push_str(&format!(
            "{name}: {n} samples of at least {threshold} ms: mean {mean} ms, mean deviation \
             {dev} ms, one every {period} s on average; worst ever {} ms.\n",
            s.max
        ));
    }
    drop(events);
    ctx.out.verbatim("txt", text.as_bytes());
}

/// LATENCY HELP
fn latency_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    help_lines(
        ctx.out,
        &[
            "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "DOCTOR",
            "    Return a human readable latency analysis report.",
            "GRAPH <event>",
            "    Return an ASCII latency graph for the <event> class.",
            "HISTORY <event>",
            "    Return time-latency samples for the <event> class.",
            "LATEST",
            "    Return the latest latency samples for all events.",
            "RESET [<event> ...]",
            "    Reset latency data of one or more <event> classes.",
            "    (default: reset all data for all event classes)",
            "HISTOGRAM [COMMAND ...]",
            "    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
            "    If no commands are specified then all histograms are replied.",
            "HELP",
            "    Prints this help.",
        ],
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_merge_per_second_and_keep_the_max() {
        let m = Monitor::default();
        m.sample("command", 500);
        assert!(m.events.lock().unwrap().is_empty(), "threshold 0 is off");
        m.threshold.store(100, Ordering::Relaxed);
        m.sample("command", 50);
        m.sample("command", 150);
        m.sample("command", 120);
        {
            let e = m.events.lock().unwrap();
            let s = &e["command"];
            assert_eq!(s.max, 150);
            assert!(s.samples.len() <= 2);
            assert!(s.samples.iter().any(|&(_, ms)| ms == 150));
        }
        assert_eq!(m.reset(Some(&[b"nope".to_vec()])), 0);
        assert_eq!(m.reset(None), 1);
    }
}
