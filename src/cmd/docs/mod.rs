//! The documentation of Redis 7.0's commands, as data: what COMMAND DOCS and
//! COMMAND INFO report beyond the command table.
//!
//! One file per command group (`string.rs`, `sorted_set.rs`, ...), generated
//! by `tools/gen-command-docs.py` from redis-server 7.0.15's own answers and
//! never edited by hand. Each holds a `DOCS` slice of [`Doc`] records: a
//! command's summary, version, group, complexity, history and arguments (what
//! `redis-cli`'s `help` prints), its ACL categories, tips and key
//! specifications, and its subcommands' records.
//!
//! The command table (`cmd/table.rs`) stays the only place a command's
//! behaviour is decided (arity, flags, legacy key range, handler); the
//! documentation is looked up by the row's full name ([`find`]). Each record
//! also carries what 7.0 reports for the table's columns (arity, flags, key
//! range), only so that the test at the end of this file can check, for
//! every row, that the table and the documentation agree.
//!
//! Key specifications are the one part used to run commands: [`key_positions`]
//! finds a request's key arguments from them, as 7.0's
//! `getKeysUsingKeySpecs` does (COMMAND GETKEYS, client-side caching).
use std::collections::HashMap;
use std::sync::OnceLock;

#[rustfmt::skip]
mod bitmap;
#[rustfmt::skip]
mod cluster;
#[rustfmt::skip]
mod connection;
#[rustfmt::skip]
mod generic;
#[rustfmt::skip]
mod geo;
#[rustfmt::skip]
mod hash;
#[rustfmt::skip]
mod hyperloglog;
#[rustfmt::skip]
mod list;
#[rustfmt::skip]
mod pubsub;
#[rustfmt::skip]
mod scripting;
#[rustfmt::skip]
mod server;
#[rustfmt::skip]
mod server_2;
#[rustfmt::skip]
mod set;
#[rustfmt::skip]
mod sorted_set;
#[rustfmt::skip]
mod stream;
#[rustfmt::skip]
mod string;
#[rustfmt::skip]
mod transactions;

/// Every group's records.
const GROUPS: &[&[Doc]] = &[
    bitmap::DOCS,
    cluster::DOCS,
    connection::DOCS,
    generic::DOCS,
    geo::DOCS,
    hash::DOCS,
    hyperloglog::DOCS,
    list::DOCS,
    pubsub::DOCS,
    scripting::DOCS,
    server::DOCS,
    server_2::DOCS,
    set::DOCS,
    sorted_set::DOCS,
    stream::DOCS,
    string::DOCS,
    transactions::DOCS,
];

/// An argument's type, as COMMAND DOCS names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    String,
    Integer,
    Double,
    Key,
    Pattern,
    UnixTime,
    PureToken,
    Oneof,
    Block,
}

impl ArgKind {
    pub fn name(self) -> &'static str {
        match self {
            ArgKind::String => "string",
            ArgKind::Integer => "integer",
            ArgKind::Double => "double",
            ArgKind::Key => "key",
            ArgKind::Pattern => "pattern",
            ArgKind::UnixTime => "unix-time",
            ArgKind::PureToken => "pure-token",
            ArgKind::Oneof => "oneof",
            ArgKind::Block => "block",
        }
    }
}

/// Argument flags.
pub const OPTIONAL: u8 = 1;
pub const MULTIPLE: u8 = 2;
pub const MULTIPLE_TOKEN: u8 = 4;

/// One argument of a command (a `oneof` or `block` has arguments of its own).
#[derive(Debug, Clone, Copy)]
pub struct Arg {
    pub name: &'static str,
    pub kind: ArgKind,
    /// Index of the key specification of a `key` argument (-1: none).
    pub key_spec_index: i32,
    pub token: Option<&'static str>,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub deprecated_since: Option<&'static str>,
    pub flags: u8,
    pub args: &'static [Arg],
}

impl Arg {
    pub const fn new(name: &'static str, kind: ArgKind) -> Arg {
        Arg {
            name,
            kind,
            key_spec_index: -1,
            token: None,
            summary: None,
            since: None,
            deprecated_since: None,
            flags: 0,
            args: &[],
        }
    }
    pub const fn key_spec(self, i: i32) -> Arg {
        Arg {
            key_spec_index: i,
            ..self
        }
    }
    pub const fn token(self, t: &'static str) -> Arg {
        Arg {
            token: Some(t),
            ..self
        }
    }
    pub const fn summary(self, s: &'static str) -> Arg {
        Arg {
            summary: Some(s),
            ..self
        }
    }
    pub const fn since(self, v: &'static str) -> Arg {
        Arg {
            since: Some(v),
            ..self
        }
    }
    pub const fn deprecated_since(self, v: &'static str) -> Arg {
        Arg {
            deprecated_since: Some(v),
            ..self
        }
    }
    pub const fn flags(self, flags: u8) -> Arg {
        Arg { flags, ..self }
    }
    pub const fn args(self, args: &'static [Arg]) -> Arg {
        Arg { args, ..self }
    }
}

/// Where a key specification starts looking: at an argument index, or after a
/// keyword searched from `startfrom` (negative: from the end, backwards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Begin {
    Unknown,
    Index(i32),
    Keyword(&'static str, i32),
}

/// How a key specification finds its keys from where it starts: a range
/// (last key relative to the start, or negative from the end; step; limit),
/// or a count argument (its index, the first key, step) relative to the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    Unknown,
    Range(i32, i32, i32),
    Keynum(i32, i32, i32),
}

/// One key specification (COMMAND INFO's `key_specs`).
#[derive(Debug, Clone, Copy)]
pub struct KeySpec {
    pub flags: &'static [&'static str],
    pub begin: Begin,
    pub find: Find,
    pub notes: Option<&'static str>,
}

impl KeySpec {
    pub const fn new(
        flags: &'static [&'static str],
        begin: Begin,
        find: Find,
        notes: Option<&'static str>,
    ) -> KeySpec {
        KeySpec {
            flags,
            begin,
            find,
            notes,
        }
    }

    fn has(&self, flag: &str) -> bool {
        self.flags.contains(&flag)
    }
}

/// The documentation of one command or subcommand.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// The full name: `get`, `config|get`.
    pub name: &'static str,
    pub summary: Option<&'static str>,
    pub since: Option<&'static str>,
    pub group: &'static str,
    pub complexity: Option<&'static str>,
    pub doc_flags: &'static [&'static str],
    pub deprecated_since: Option<&'static str>,
    pub replaced_by: Option<&'static str>,
    /// (version, what changed)
    pub history: &'static [(&'static str, &'static str)],
    pub arguments: &'static [Arg],
    pub acl_categories: &'static [&'static str],
    pub tips: &'static [&'static str],
    pub key_specs: &'static [KeySpec],
    pub subcommands: &'static [Doc],
    /// What 7.0 reports for the table's columns (checked by the test below).
    pub arity: i32,
    pub flags: &'static [&'static str],
    pub keys: (i32, i32, i32),
}

impl Doc {
    pub const EMPTY: Doc = Doc {
        name: "",
        summary: None,
        since: None,
        group: "",
        complexity: None,
        doc_flags: &[],
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        arguments: &[],
        acl_categories: &[],
        tips: &[],
        key_specs: &[],
        subcommands: &[],
        arity: 0,
        flags: &[],
        keys: (0, 0, 0),
    };

    /// Whether 7.0 flags the command `movablekeys` (its keys are not one
    /// fixed range: found by keywords or counts, or by a special routine).
    pub fn movable_keys(&self) -> bool {
        self.flags.contains(&"movablekeys")
    }
}

/// The record of the command or subcommand with full name `name`.
pub fn find(name: &str) -> Option<&'static Doc> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Doc>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let mut m = HashMap::new();
            for doc in GROUPS.iter().flat_map(|g| g.iter()) {
                m.insert(doc.name, doc);
                for sub in doc.subcommands {
                    m.insert(sub.name, sub);
                }
            }
            m
        })
        .get(name)
        .copied()
}

/// A key found in a request: its position and its key specification's flags.
pub type KeyRef = (usize, &'static [&'static str]);

/// The key arguments of the request `args` (`args[0]` the command name) from
/// `doc`'s key specifications, as 7.0's `getKeysUsingKeySpecs`: specs of
/// things that are not keys are skipped; `None` when a spec cannot be followed
/// (a bad count, out of bounds) or is incomplete, and the caller falls back on
/// another way.
pub fn key_positions(doc: &Doc, args: &[Vec<u8>]) -> Option<Vec<KeyRef>> {
    let argc = args.len() as i64;
    let mut keys = Vec::new();
    for spec in doc.key_specs {
        if spec.has("not_key") {
            continue;
        }
        let first = match spec.begin {
            Begin::Index(i) => i as i64,
            Begin::Keyword(word, from) => {
                let from = from as i64;
                let (start, end) = if from > 0 {
                    (from, argc - 1)
                } else {
                    (argc + from, 1)
                };
                let mut i = start;
                let mut found = 0;
                loop {
                    if i >= argc || i < 1 {
                        break;
                    }
                    if args[i as usize].eq_ignore_ascii_case(word.as_bytes()) {
                        found = i + 1;
                        break;
                    }
                    if i == end {
                        break;
                    }
                    i += if start <= end { 1 } else { -1 };
                }
                if found == 0 {
                    continue;
                }
                found
            }
            Begin::Unknown => return None,
        };
        let (first, last, step) = match spec.find {
            Find::Range(lastkey, step, limit) => {
                let last = if lastkey >= 0 {
                    first + lastkey as i64
                } else if limit == 0 {
                    argc + lastkey as i64
                } else {
                    first + ((argc - first) / limit as i64 + lastkey as i64)
                };
                (first, last, step as i64)
            }
            Find::Keynum(idx, firstkey, step) => {
                let at = first + idx as i64;
                let n = usize::try_from(at)
                    .ok()
                    .and_then(|at| args.get(at))
                    .and_then(|a| crate::num::string2ll(a))
                    .filter(|&n| n >= 0)?;
                let first = first + firstkey as i64;
                (first, first + n - 1, step as i64)
            }
            Find::Unknown => return None,
        };
        if out_of_bounds(first, last, argc) {
            return None;
        }
        let mut i = first;
        while i <= last && step > 0 {
            if i < argc {
                keys.push((i as usize, spec.flags));
            }
            i += step;
        }
        if spec.has("incomplete") {
            return None;
        }
    }
    Some(keys)
}

/// A first or last key out of the request: a syntax error in it.
fn out_of_bounds(first: i64, last: i64, argc: i64) -> bool {
    last >= argc || last < first || first >= argc
}

/// Whether `doc`'s key specifications can be trusted to give its keys: some
/// spec is a key, and none has flags that depend on the arguments.
pub fn specs_usable(doc: &Doc) -> bool {
    doc.key_specs.iter().any(|s| !s.has("not_key"))
        && !doc.key_specs.iter().any(|s| s.has("variable_flags"))
}

/// Where the command table and the documentation disagree: a row without a
/// record, or whose arity, flags (`may_replicate` is not reported, and
/// `movablekeys` follows from the key specifications) or legacy key range
/// differ from what 7.0 reports. Empty when they agree (a unit test checks it).
pub fn disagreements(commands: &crate::cmd::Commands) -> Vec<String> {
    use crate::cmd::flags;
    let mut problems = Vec::new();
    for row in &commands.rows {
        let Some(doc) = find(&row.full_name) else {
            problems.push(format!("{}: no documentation", row.full_name));
            continue;
        };
        if doc.arity != row.spec.arity {
            problems.push(format!(
                "{}: arity {} in the table, {} in 7.0",
                row.full_name, row.spec.arity, doc.arity
            ));
        }
        let mut ours: Vec<&str> = flags::NAMES
            .iter()
            .filter(|(f, _)| row.spec.flags & f != 0)
            .map(|(_, n)| *n)
            .filter(|n| *n != "may_replicate")
            .collect();
        let mut theirs: Vec<&str> = doc
            .flags
            .iter()
            .copied()
            .filter(|n| *n != "movablekeys")
            .collect();
        ours.sort_unstable();
        theirs.sort_unstable();
        if ours != theirs {
            problems.push(format!(
                "{}: flags {ours:?} in the table, {theirs:?} in 7.0",
                row.full_name
            ));
        }
        let k = row.spec.keys;
        if (k.first, k.last, k.step) != doc.keys {
            problems.push(format!(
                "{}: keys {:?} in the table, {:?} in 7.0",
                row.full_name,
                (k.first, k.last, k.step),
                doc.keys
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::table::{Commands, FAMILIES};

    fn v(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    /// Every row of the command table (this layer's families; scripting
    /// checks its own rows the same way) has documentation that agrees with it.
    #[test]
    fn every_table_row_has_docs_that_agree_with_it() {
        let problems = disagreements(&Commands::new(FAMILIES));
        assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    }

    #[test]
    fn key_positions_follow_the_specs() {
        // As redis-server 7.0.15 answers COMMAND GETKEYS for these requests.
        let pos = |name: &str, words: &[&str]| {
            find(name).map(|d| {
                key_positions(d, &v(words)).map(|k| k.iter().map(|(i, _)| *i).collect::<Vec<_>>())
            })
        };
        assert_eq!(pos("get", &["get", "a"]), Some(Some(vec![1])));
        assert_eq!(
            pos("mset", &["mset", "a", "1", "b", "2"]),
            Some(Some(vec![1, 3]))
        );
        assert_eq!(
            pos("zunion", &["zunion", "2", "a", "b", "withscores"]),
            Some(Some(vec![2, 3]))
        );
        assert_eq!(pos("zunion", &["zunion", "x", "a"]), Some(None));
        assert_eq!(
            pos("eval", &["eval", "s", "1", "k", "v"]),
            Some(Some(vec![3]))
        );
        assert_eq!(pos("eval", &["eval", "s", "0"]), Some(None));
        assert_eq!(
            pos("lmove", &["lmove", "a", "b", "left", "right"]),
            Some(Some(vec![1, 2]))
        );
        // SORT's STORE spec is incomplete: the caller falls back.
        assert_eq!(pos("sort", &["sort", "a", "store", "b"]), Some(None));
    }
}
