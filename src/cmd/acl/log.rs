//! ACL LOG: the latest refusals (denied commands, keys, channels, failed
//! AUTH), newest first, as Redis 7.0 keeps them.
//!
//! An entry is merged into a recent similar one (same reason, context,
//! object and user, within 60 seconds; among the 10 newest) by bumping its
//! count and refreshing its time and client info, and moves to the front.
//! The log holds at most `acllog-max-len` entries.
use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

/// Entries closer in time than this may be merged (milliseconds).
const GROUPING_MS: u64 = 60_000;

/// One entry (see the file header).
#[derive(Debug, Clone)]
pub struct Entry {
    pub count: u64,
    /// `command`, `key`, `channel` or `auth`.
    pub reason: &'static str,
    /// `toplevel`, `multi` or `lua`.
    pub context: &'static str,
    pub object: Vec<u8>,
    pub username: Vec<u8>,
    /// Unix time in milliseconds of the last event.
    pub ctime: u64,
    /// CLIENT LIST's line of the client (the script's caller for a script).
    pub client_info: String,
}

/// The log, newest first.
#[derive(Debug, Default)]
pub struct AclLog {
    pub entries: VecDeque<Entry>,
}

/// Unix time in milliseconds.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl AclLog {
    /// Records `e`, merging it as described in the header; keeps `max` entries.
    pub fn add(&mut self, e: Entry, max: usize) {
        let similar = self.entries.iter().take(10).position(|o| {
            o.reason == e.reason
                && o.context == e.context
                && o.ctime.abs_diff(e.ctime) <= GROUPING_MS
                && o.object == e.object
                && o.username == e.username
        });
        if let Some(i) = similar {
            if let Some(mut o) = self.entries.remove(i) {
                o.count += 1;
                o.ctime = e.ctime;
                o.client_info = e.client_info;
                self.entries.push_front(o);
            }
            return;
        }
        self.entries.push_front(e);
        self.entries.truncate(max);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(object: &str, ctime: u64) -> Entry {
        Entry {
            count: 1,
            reason: "command",
            context: "toplevel",
            object: object.as_bytes().to_vec(),
            username: b"u".to_vec(),
            ctime,
            client_info: String::new(),
        }
    }

    #[test]
    fn similar_entries_merge_and_the_log_is_bounded() {
        let mut log = AclLog::default();
        log.add(entry("get", 1000), 2);
        log.add(entry("set", 1000), 2);
        log.add(entry("get", 2000), 2);
        assert_eq!(log.entries.len(), 2);
        assert_eq!(log.entries[0].object, b"get");
        assert_eq!(log.entries[0].count, 2);
        log.add(entry("get", 100_000), 2);
        assert_eq!(log.entries[0].count, 1);
        assert_eq!(log.entries.len(), 2);
    }
}
