//! COMMAND and its subcommands: the command table as clients see it, with
//! Redis 7.0's documentation.
//!
//! What a command does (arity, flags, legacy key range) comes from the table
//! (`table.rs`); what 7.0 documents about it (summary, arguments, history, ACL
//! categories, tips, key specifications) from `docs/`, looked up by the row's
//! full name. A row and its documentation are checked against each other by
//! `docs`'s test, so COMMAND INFO and COMMAND DOCS cannot disagree with what
//! the server does.
//!
//! Lists follow the table's order (Redis's follow its hash table's, which
//! changes from one run to the next). Replies are written once in RESP3's
//! vocabulary: COMMAND INFO's flag, category, tip and key-spec lists are sets,
//! COMMAND DOCS is a map of maps.
//!
//! Keys of a request ([`request_keys`]): from the key specifications, as 7.0's
//! COMMAND GETKEYS finds them; where those cannot be followed (an incomplete
//! spec, flags that depend on the arguments, a bad count) the command's own
//! rule (SORT's STORE, SET's GET) or nothing, as 7.0's `getkeys` routines give.
use super::docs::{self, Arg, Begin, Doc, Find, KeySpec};
use super::table::{Lookup, Row};
use super::{flags, flags::*, CommandSpec, Ctx, Keys};
use crate::resp::Reply;
use crate::store::glob::glob_match;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "command",
    arity: -1,
    flags: LOADING | STALE,
    keys: Keys::NONE,
    handler: command,
    subcommands: SUBCOMMANDS,
    ..CommandSpec::DEFAULT
}];

const SUB_FLAGS: u32 = LOADING | STALE;

static SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "count",
        arity: 2,
        flags: SUB_FLAGS,
        handler: count,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "docs",
        arity: -2,
        flags: SUB_FLAGS,
        handler: docs,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getkeys",
        arity: -4,
        flags: SUB_FLAGS,
        handler: getkeys,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "getkeysandflags",
        arity: -4,
        flags: SUB_FLAGS,
        handler: getkeysandflags,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "help",
        arity: 2,
        flags: SUB_FLAGS,
        handler: help,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "info",
        arity: -2,
        flags: SUB_FLAGS,
        handler: info,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: -2,
        flags: SUB_FLAGS,
        handler: list,
        ..CommandSpec::DEFAULT
    },
];

/// The documentation of row `i` (every row has one; the docs test checks it).
fn doc_of(ctx: &Ctx<'_>, i: usize) -> Option<&'static Doc> {
    docs::find(&ctx.shared.commands.rows[i].full_name)
}

/// The row a name given to COMMAND INFO/DOCS designates: `get`, or a
/// subcommand as `config|get` (any case).
fn find_row(ctx: &Ctx<'_>, name: &[u8]) -> Option<usize> {
    let commands = &ctx.shared.commands;
    let mut parts = name.splitn(2, |&b| b == b'|');
    let top = commands.lookup(parts.next()?)?;
    match parts.next() {
        None => Some(top),
        Some(sub) => {
            let subs = commands.rows[top].subs.clone();
            subs.into_iter().find(|&k| {
                commands.rows[k]
                    .spec
                    .name
                    .as_bytes()
                    .eq_ignore_ascii_case(sub)
            })
        }
    }
}

/// The flag names COMMAND INFO prints for a row, in 7.0's order
/// (`movablekeys` just before where `allow_busy` goes).
fn flag_names(row: &Row, doc: Option<&Doc>) -> Vec<&'static str> {
    let mut names = Vec::new();
    for &(f, name) in flags::NAMES {
        if f == ALLOW_BUSY && doc.is_some_and(Doc::movable_keys) {
            names.push("movablekeys");
        }
        if row.spec.flags & f != 0 && f != MAY_REPLICATE {
            names.push(name);
        }
    }
    names
}

/// The 10-element COMMAND INFO entry of row `i`, with its subcommands' entries.
fn entry(ctx: &mut Ctx<'_>, i: usize) {
    let row = &ctx.shared.commands.rows[i];
    let doc = doc_of(ctx, i);
    let s = row.spec;
    let out = &mut *ctx.out;
    out.array(10);
    out.bulk(row.full_name.as_bytes());
    out.integer(s.arity as i64);
    let names = flag_names(row, doc);
    out.set(names.len());
    for n in names {
        out.simple(n);
    }
    out.integer(s.keys.first as i64);
    out.integer(s.keys.last as i64);
    out.integer(s.keys.step as i64);
    let cats = doc.map_or(&[][..], |d| d.acl_categories);
    out.set(cats.len());
    for c in cats {
        out.simple(c);
    }
    let tips = doc.map_or(&[][..], |d| d.tips);
    out.set(tips.len());
    for t in tips {
        out.bulk(t.as_bytes());
    }
    let specs = doc.map_or(&[][..], |d| d.key_specs);
    out.set(specs.len());
    for spec in specs {
        key_spec(out, spec);
    }
    let subs = row.subs.clone();
    if subs.is_empty() {
        out.set(0);
    } else {
        out.array(subs.len());
        for k in subs {
            entry(ctx, k);
        }
    }
}

/// One key specification as COMMAND INFO describes it.
fn key_spec(out: &mut Reply, spec: &KeySpec) {
    out.map(3 + usize::from(spec.notes.is_some()));
    if let Some(n) = spec.notes {
        out.bulk(b"notes");
        out.bulk(n.as_bytes());
    }
    out.bulk(b"flags");
    out.set(spec.flags.len());
    for f in spec.flags {
        out.simple(f);
    }
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match spec.begin {
        Begin::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.integer(i as i64);
        }
        Begin::Keyword(word, from) => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(word.as_bytes());
            out.bulk(b"startfrom");
            out.integer(from as i64);
        }
        Begin::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    let (kind, fields) = match spec.find {
        Find::Range(a, b, c) => ("range", [("lastkey", a), ("keystep", b), ("limit", c)]),
        Find::Keynum(a, b, c) => (
            "keynum",
            [("keynumidx", a), ("firstkey", b), ("keystep", c)],
        ),
        Find::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            return out.map(0);
        }
    };
    out.bulk(kind.as_bytes());
    out.bulk(b"spec");
    out.map(3);
    for (name, v) in fields {
        out.bulk(name.as_bytes());
        out.integer(v as i64);
    }
}

/// The COMMAND DOCS map of row `i`: 7.0's fields, in 7.0's order.
fn doc_entry(ctx: &mut Ctx<'_>, i: usize) {
    let subs = ctx.shared.commands.rows[i].subs.clone();
    let Some(d) = doc_of(ctx, i) else {
        ctx.out.map(1);
        ctx.out.bulk(b"group");
        return ctx.out.bulk(b"generic");
    };
    let out = &mut *ctx.out;
    let n = 1
        + usize::from(d.summary.is_some())
        + usize::from(d.since.is_some())
        + usize::from(d.complexity.is_some())
        + usize::from(!d.doc_flags.is_empty())
        + usize::from(d.deprecated_since.is_some())
        + usize::from(d.replaced_by.is_some())
        + usize::from(!d.history.is_empty())
        + usize::from(!d.arguments.is_empty())
        + usize::from(!subs.is_empty());
    out.map(n);
    let field = |out: &mut Reply, name: &str, v: Option<&str>| {
        if let Some(v) = v {
            out.bulk(name.as_bytes());
            out.bulk(v.as_bytes());
        }
    };
    field(out, "summary", d.summary);
    field(out, "since", d.since);
    field(out, "group", Some(d.group));
    field(out, "complexity", d.complexity);
    if !d.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        out.set(d.doc_flags.len());
        for f in d.doc_flags {
            out.simple(f);
        }
    }
    field(out, "deprecated_since", d.deprecated_since);
    field(out, "replaced_by", d.replaced_by);
    if !d.history.is_empty() {
        out.bulk(b"history");
        out.set(d.history.len());
        for (since, change) in d.history {
            out.array(2);
            out.bulk(since.as_bytes());
            out.bulk(change.as_bytes());
        }
    }
    if !d.arguments.is_empty() {
        out.bulk(b"arguments");
        arguments(out, d.arguments);
    }
    if !subs.is_empty() {
        ctx.out.bulk(b"subcommands");
        ctx.out.map(subs.len());
        for k in subs {
            let name = ctx.shared.commands.rows[k].full_name.as_bytes();
            ctx.out.bulk(name);
            doc_entry(ctx, k);
        }
    }
}

/// COMMAND DOCS's argument list.
fn arguments(out: &mut Reply, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let nested = matches!(a.kind, docs::ArgKind::Oneof | docs::ArgKind::Block);
        let n = 2
            + usize::from(a.key_spec_index >= 0)
            + usize::from(a.token.is_some())
            + usize::from(a.summary.is_some())
            + usize::from(a.since.is_some())
            + usize::from(a.deprecated_since.is_some())
            + usize::from(a.flags != 0)
            + usize::from(nested);
        out.map(n);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.kind.name().as_bytes());
        if a.key_spec_index >= 0 {
            out.bulk(b"key_spec_index");
            out.integer(a.key_spec_index as i64);
        }
        for (name, v) in [
            ("token", a.token),
            ("summary", a.summary),
            ("since", a.since),
            ("deprecated_since", a.deprecated_since),
        ] {
            if let Some(v) = v {
                out.bulk(name.as_bytes());
                out.bulk(v.as_bytes());
            }
        }
        if a.flags != 0 {
            let names: Vec<&str> = [
                (docs::OPTIONAL, "optional"),
                (docs::MULTIPLE, "multiple"),
                (docs::MULTIPLE_TOKEN, "multiple_token"),
            ]
            .iter()
            .filter(|(f, _)| a.flags & f != 0)
            .map(|(_, n)| *n)
            .collect();
            out.bulk(b"flags");
            out.set(names.len());
            for f in names {
                out.simple(f);
            }
        }
        if nested {
            out.bulk(b"arguments");
            arguments(out, a.args);
        }
    }
}

/// The positions of the top-level rows.
fn top_level(ctx: &Ctx<'_>) -> Vec<usize> {
    let rows = &ctx.shared.commands.rows;
    (0..rows.len())
        .filter(|&i| rows[i].parent.is_none())
        .collect()
}

/// COMMAND: every command's entry.
fn command(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    let all = top_level(ctx);
    ctx.out.array(all.len());
    for i in all {
        entry(ctx, i);
    }
}

/// COMMAND COUNT
fn count(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out.integer(ctx.shared.commands.count() as i64);
}

/// COMMAND INFO [command-name ...]: a null for a name that is no command.
fn info(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() == 2 {
        return command(ctx, args);
    }
    ctx.out.array(args.len() - 2);
    for a in &args[2..] {
        match find_row(ctx, a) {
            Some(i) => entry(ctx, i),
            None => ctx.out.null(),
        }
    }
}

/// COMMAND DOCS [command-name ...]: a map of name to documentation (names
/// that are no command are left out).
fn docs(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let chosen: Vec<usize> = if args.len() == 2 {
        top_level(ctx)
    } else {
        args[2..].iter().filter_map(|a| find_row(ctx, a)).collect()
    };
    ctx.out.map(chosen.len());
    for i in chosen {
        let name = ctx.shared.commands.rows[i].full_name.as_bytes();
        ctx.out.bulk(name);
        doc_entry(ctx, i);
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern]:
/// every command and subcommand (there are no modules).
fn list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let rows = &ctx.shared.commands.rows;
    let mut filter = None;
    let mut j = 2;
    while j < args.len() {
        if args[j].eq_ignore_ascii_case(b"filterby") && args.len() - 1 - j == 2 {
            let kind = args[j + 1].to_ascii_lowercase();
            if !matches!(kind.as_slice(), b"module" | b"aclcat" | b"pattern") {
                return ctx.out.error(super::errors::SYNTAX);
            }
            filter = Some((kind, &args[j + 2]));
            j += 3;
        } else {
            return ctx.out.error(super::errors::SYNTAX);
        }
    }
    let keep = |r: &Row| -> bool {
        let Some((kind, value)) = &filter else {
            return true;
        };
        match kind.as_slice() {
            b"pattern" => glob_match(value, r.full_name.as_bytes(), true),
            b"aclcat" => docs::find(&r.full_name).is_some_and(|d| {
                d.acl_categories
                    .iter()
                    .any(|c| c.as_bytes()[1..].eq_ignore_ascii_case(value))
            }),
            _ => false,
        }
    };
    let names: Vec<&str> = rows
        .iter()
        .filter(|r| keep(r))
        .map(|r| r.full_name.as_str())
        .collect();
    ctx.out.array(names.len());
    for name in names {
        ctx.out.bulk(name.as_bytes());
    }
}

/// The key arguments of a request `args` to row `i` of the table (`args[0]` the
/// command name), with their access flags: as COMMAND GETKEYS finds them.
pub fn request_keys(ctx: &Ctx<'_>, i: usize, args: &[Vec<u8>]) -> Vec<docs::KeyRef> {
    let row = &ctx.shared.commands.rows[i];
    let doc = docs::find(&row.full_name);
    if let Some(d) = doc.filter(|d| docs::specs_usable(d)) {
        if let Some(keys) = docs::key_positions(d, args) {
            return keys;
        }
    }
    match row.full_name.as_str() {
        // Its spec's flags vary with the request (`variable_flags`).
        "bitfield" => {
            let flags: &'static [&'static str] = if bitfield_reads_only(args) {
                &["RO", "access"]
            } else {
                &["RW", "access", "update"]
            };
            row.spec
                .keys
                .positions(args.len())
                .map(|k| (k, flags))
                .collect()
        }
        "sort" | "sort_ro" => sort_keys(args),
        "migrate" => migrate_keys(args),
        "set" => set_keys(args),
        // Movable keys that the specs could not find: none (the command
        // itself will refuse the request).
        _ if doc.is_some_and(Doc::movable_keys) => Vec::new(),
        _ => {
            let flags = doc
                .and_then(|d| d.key_specs.first())
                .map_or(&[][..], |s| s.flags);
            row.spec
                .keys
                .positions(args.len())
                .map(|k| (k, flags))
                .collect()
        }
    }
}

/// Whether a BITFIELD request only reads (every operation a whole GET, with
/// OVERFLOW allowed), as 7.0 decides its key's flags; anything else, even a
/// malformed request, counts as a write.
fn bitfield_reads_only(args: &[Vec<u8>]) -> bool {
    let mut i = 2;
    while i < args.len() {
        let left = args.len() - i - 1;
        let op = &args[i];
        if op.eq_ignore_ascii_case(b"get") && left >= 2 {
            i += 3;
        } else if op.eq_ignore_ascii_case(b"overflow") && left >= 1 {
            i += 2;
        } else {
            return false;
        }
    }
    true
}

/// SORT's keys: the sorted key, and the one after the last STORE (7.0's
/// `sortGetKeys`: LIMIT skips two arguments, GET and BY one).
fn sort_keys(args: &[Vec<u8>]) -> Vec<docs::KeyRef> {
    let mut keys: Vec<docs::KeyRef> = vec![(1, &["RO", "access"])];
    let mut store = None;
    let mut i = 2;
    while i < args.len() {
        let a = &args[i];
        if a.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"store") && i + 1 < args.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    if let Some(s) = store {
        keys.push((s, &["OW", "update"]));
    }
    keys
}

/// MIGRATE's keys (7.0's `migrateGetKeys`): its key argument, or with KEYS
/// (after the options, skipping AUTH's and AUTH2's values) every argument
/// after it; none when KEYS comes with a non-empty key (the command refuses that).
fn migrate_keys(args: &[Vec<u8>]) -> Vec<docs::KeyRef> {
    const FLAGS: &[&str] = &["RW", "access", "delete"];
    let mut first = 3;
    let mut num = 1;
    let mut i = 6;
    while args.len() > 6 && i < args.len() {
        let a = &args[i];
        if a.eq_ignore_ascii_case(b"keys") {
            if args.get(3).is_some_and(|k| !k.is_empty()) {
                num = 0;
            } else {
                first = i + 1;
                num = args.len() - first;
            }
            break;
        }
        if a.eq_ignore_ascii_case(b"auth") {
            i += 1;
        } else if a.eq_ignore_ascii_case(b"auth2") {
            i += 2;
        }
        i += 1;
    }
    (first..first + num)
        .filter(|&p| p < args.len())
        .map(|p| (p, FLAGS))
        .collect()
}

/// SET's key, whose access depends on GET (7.0's `setGetKeys`).
fn set_keys(args: &[Vec<u8>]) -> Vec<docs::KeyRef> {
    let get = args.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
    let flags: &'static [&'static str] = if get {
        &["RW", "access", "update"]
    } else {
        &["OW", "update"]
    };
    vec![(1, flags)]
}

/// COMMAND GETKEYS / GETKEYSANDFLAGS command [arg ...]
fn getkeys_generic(ctx: &mut Ctx<'_>, args: &[Vec<u8>], with_flags: bool) {
    let full = &args[2..];
    let i = match ctx.shared.commands.resolve(full) {
        Lookup::Found(i) => i,
        _ => return ctx.out.error("ERR Invalid command specified"),
    };
    let row = &ctx.shared.commands.rows[i];
    let s = row.spec;
    let doc = docs::find(&row.full_name);
    // As 7.0's doesCommandHaveKeys: a key spec not marked `not_key` (shard
    // channels have specs, but they are not keys), or keys found by code.
    let has_keys = match doc {
        Some(d) => d.movable_keys() || d.key_specs.iter().any(|k| !k.flags.contains(&"not_key")),
        None => s.keys.first != 0,
    };
    if !has_keys {
        return ctx.out.error("ERR The command has no key arguments");
    }
    let argc = full.len() as i32;
    if (s.arity > 0 && argc != s.arity) || argc < -s.arity {
        return ctx
            .out
            .error("ERR Invalid number of arguments specified for command");
    }
    let keys = request_keys(ctx, i, full);
    if keys.is_empty() {
        if s.flags & NO_MANDATORY_KEYS != 0 {
            return ctx.out.array(0);
        }
        return ctx.out.error("ERR Invalid arguments specified for command");
    }
    ctx.out.array(keys.len());
    for (k, flags) in keys {
        if with_flags {
            ctx.out.array(2);
        }
        ctx.out.bulk(&full[k]);
        if with_flags {
            ctx.out.set(flags.len());
            for f in flags {
                ctx.out.simple(f);
            }
        }
    }
}

fn getkeys(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    getkeys_generic(ctx, args, false);
}

fn getkeysandflags(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    getkeys_generic(ctx, args, true);
}

/// COMMAND HELP
fn help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    help_lines(
        ctx.out,
        &[
            "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
            "HELP",
            "    Prints this help.",
        ],
    );
}

/// A HELP reply: one status line per line of text.
pub fn help_lines(out: &mut Reply, lines: &[&str]) {
    out.array(lines.len());
    for l in lines {
        out.simple(l);
    }
}
