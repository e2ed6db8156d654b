//! COMMAND and its subcommands: the command table as clients see it.
//!
//! Everything here reads the table (`Shared::commands`, see `table.rs`); nothing
//! about a command is written down twice. COMMAND INFO prints a row's name,
//! arity, Redis flags and key range, ACL categories derived from its flags, and
//! its subcommands as entries of their own. Documentation (COMMAND DOCS) is not
//! carried yet: each command gets an empty summary.
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

/// The 10-element COMMAND INFO entry of row `i`, with its subcommands' entries.
/// Key specs and tips are not modelled (empty).
fn entry(ctx: &mut Ctx<'_>, i: usize) {
    let commands = &ctx.shared.commands;
    let row = &commands.rows[i];
    let s = row.spec;
    let out = &mut *ctx.out;
    out.array(10);
    out.bulk(row.full_name.as_bytes());
    out.integer(s.arity as i64);
    let names: Vec<&str> = flags::NAMES
        .iter()
        .filter(|(f, _)| s.flags & f != 0)
        .map(|(_, n)| *n)
        .collect();
    out.array(names.len());
    for n in names {
        out.simple(n);
    }
    out.integer(s.keys.first as i64);
    out.integer(s.keys.last as i64);
    out.integer(s.keys.step as i64);
    let cats = if row.is_container() {
        Vec::new()
    } else {
        categories(s)
    };
    out.array(cats.len());
    for c in cats {
        out.simple(c);
    }
    out.array(0);
    out.array(0);
    let subs = row.subs.clone();
    out.array(subs.len());
    for k in subs {
        entry(ctx, k);
    }
}

/// ACL categories derived from the flags (Redis keeps a hand-made list per command).
pub fn categories(s: &CommandSpec) -> Vec<&'static str> {
    let mut cats = Vec::new();
    if s.flags & WRITE != 0 {
        cats.push("@write");
    }
    if s.flags & READONLY != 0 {
        cats.push("@read");
    }
    if s.flags & ADMIN != 0 {
        cats.push("@admin");
        cats.push("@dangerous");
    }
    cats.push(if s.flags & FAST != 0 {
        "@fast"
    } else {
        "@slow"
    });
    cats
}

/// The positions of the top-level rows.
fn top_level(ctx: &Ctx<'_>) -> Vec<usize> {
    let rows = &ctx.shared.commands.rows;
    (0..rows.len())
        .filter(|&i| rows[i].parent.is_none())
        .collect()
}

/// The row named `name` (a top-level command), if any.
fn find(ctx: &Ctx<'_>, name: &[u8]) -> Option<usize> {
    ctx.shared.commands.lookup(name)
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

/// COMMAND INFO [command-name ...]
fn info(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if args.len() == 2 {
        return command(ctx, args);
    }
    ctx.out.array(args.len() - 2);
    for a in &args[2..] {
        match find(ctx, a) {
            Some(i) => entry(ctx, i),
            None => ctx.out.null(),
        }
    }
}

/// COMMAND DOCS [command-name ...]: summary documentation is not carried; each
/// known command gets its group.
fn docs(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let chosen: Vec<usize> = if args.len() == 2 {
        top_level(ctx)
    } else {
        args[2..].iter().filter_map(|a| find(ctx, a)).collect()
    };
    ctx.out.array(chosen.len() * 2);
    for i in chosen {
        let name = ctx.shared.commands.rows[i].full_name.clone();
        ctx.out.bulk(name.as_bytes());
        ctx.out.array(6);
        ctx.out.bulk(b"summary");
        ctx.out.bulk(b"");
        ctx.out.bulk(b"since");
        ctx.out.bulk(b"1.0.0");
        ctx.out.bulk(b"group");
        ctx.out.bulk(b"generic");
    }
}

/// COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern].
/// PATTERN matches subcommands too (`config|get`); there are no modules; ACLCAT
/// uses the categories derived from the flags.
fn list(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let rows = &ctx.shared.commands.rows;
    let top = |r: &&Row| r.parent.is_none();
    let names: Vec<&str> = if args.len() == 2 {
        rows.iter()
            .filter(top)
            .map(|r| r.full_name.as_str())
            .collect()
    } else if args.len() == 5 && args[2].eq_ignore_ascii_case(b"filterby") {
        let (kind, value) = (args[3].to_ascii_lowercase(), &args[4]);
        match kind.as_slice() {
            b"pattern" => rows
                .iter()
                .map(|r| r.full_name.as_str())
                .filter(|n| glob_match(value, n.as_bytes(), true))
                .collect(),
            b"module" => Vec::new(),
            b"aclcat" => rows
                .iter()
                .filter(top)
                .filter(|r| {
                    categories(r.spec)
                        .iter()
                        .any(|cat| cat.as_bytes()[1..].eq_ignore_ascii_case(value))
                })
                .map(|r| r.full_name.as_str())
                .collect(),
            _ => return ctx.out.error(super::errors::SYNTAX),
        }
    } else {
        return ctx.out.error(super::errors::SYNTAX);
    };
    ctx.out.array(names.len());
    for name in names {
        ctx.out.bulk(name.as_bytes());
    }
}

/// COMMAND GETKEYS command [arg ...]: the key arguments of a full command, from
/// the row's key range.
fn getkeys(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let full = &args[2..];
    let i = match ctx.shared.commands.resolve(full) {
        Lookup::Found(i) => i,
        _ => return ctx.out.error("ERR Invalid command specified"),
    };
    let s = ctx.shared.commands.rows[i].spec;
    let argc = full.len() as i32;
    if (s.arity > 0 && argc != s.arity) || argc < -s.arity {
        return ctx
            .out
            .error("ERR Invalid number of arguments specified for command");
    }
    if s.keys.first == 0 {
        return ctx.out.error("ERR The command has no key arguments");
    }
    let keys: Vec<&Vec<u8>> = s
        .keys
        .positions(full.len())
        .filter_map(|k| full.get(k))
        .collect();
    ctx.out.array(keys.len());
    for k in keys {
        ctx.out.bulk(k);
    }
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
