//! What a standalone server answers to the cluster and module commands, as
//! redis-server 7.0 does with `cluster-enabled no` and no module loaded.
//!
//! Ferrous has no cluster mode and cannot load modules (they are shared
//! libraries written against Redis's C API). The commands still exist, as
//! they do in a standalone redis-server: they have their rows in the command
//! table (so COMMAND INFO, COMMAND LIST, the arity checks and the script
//! sandbox treat them as 7.0 does: `CLUSTER RESET` is `noscript`), and:
//! - every CLUSTER subcommand, READONLY, READWRITE and ASKING answer
//!   `-ERR This instance has cluster support disabled` once their arity is right;
//! - MODULE LIST answers an empty list and MODULE HELP its help; MODULE LOAD,
//!   LOADEX and UNLOAD are refused by `enable-module-command` (default `no`)
//!   as 7.0 words it, and where allowed, fail as a module that cannot be
//!   loaded fails.
use super::{flags::*, CommandSpec, Ctx};

/// The one answer of a standalone server to a cluster command.
fn cluster_disabled(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    ctx.out
        .error("ERR This instance has cluster support disabled");
}

/// A CLUSTER subcommand row: 7.0's name, arity and flags.
const fn sub(name: &'static str, arity: i32, flags: u32) -> CommandSpec {
    CommandSpec {
        name,
        arity,
        flags,
        handler: cluster_disabled,
        ..CommandSpec::DEFAULT
    }
}

/// The flags most cluster-changing subcommands share in 7.0.
const CHANGES: u32 = NO_ASYNC_LOADING | ADMIN | STALE;

static CLUSTER_SUBCOMMANDS: &[CommandSpec] = &[
    sub("addslots", -3, CHANGES),
    sub("addslotsrange", -4, CHANGES),
    sub("bumpepoch", 2, CHANGES),
    sub("count-failure-reports", 3, ADMIN | STALE),
    sub("countkeysinslot", 3, STALE),
    sub("delslots", -3, CHANGES),
    sub("delslotsrange", -4, CHANGES),
    sub("failover", -2, CHANGES),
    sub("flushslots", 2, CHANGES),
    sub("forget", 3, CHANGES),
    sub("getkeysinslot", 4, STALE),
    sub("help", 2, LOADING | STALE),
    sub("info", 2, STALE),
    sub("keyslot", 3, STALE),
    sub("links", 2, STALE),
    sub("meet", -4, CHANGES),
    sub("myid", 2, STALE),
    sub("nodes", 2, STALE),
    sub("replicas", 3, ADMIN | STALE),
    sub("replicate", 3, CHANGES),
    sub("reset", -2, ADMIN | STALE | NOSCRIPT),
    sub("saveconfig", 2, CHANGES),
    sub("set-config-epoch", 3, CHANGES),
    sub("setslot", -4, CHANGES),
    sub("shards", 2, STALE),
    sub("slaves", 3, ADMIN | STALE),
    sub("slots", 2, STALE),
];

static MODULE_SUBCOMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "help",
        arity: 2,
        flags: LOADING | STALE,
        handler: module_help,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "list",
        arity: 2,
        flags: ADMIN | NOSCRIPT,
        handler: |ctx, _| ctx.out.array(0),
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "load",
        arity: -3,
        flags: NO_ASYNC_LOADING | ADMIN | NOSCRIPT,
        handler: module_load,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "loadex",
        arity: -3,
        flags: NO_ASYNC_LOADING | ADMIN | NOSCRIPT,
        handler: module_load,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "unload",
        arity: 3,
        flags: NO_ASYNC_LOADING | ADMIN | NOSCRIPT,
        handler: module_unload,
        ..CommandSpec::DEFAULT
    },
];

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "cluster",
        arity: -2,
        subcommands: CLUSTER_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "readonly",
        arity: 1,
        flags: FAST | LOADING | STALE,
        handler: cluster_disabled,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "readwrite",
        arity: 1,
        flags: FAST | LOADING | STALE,
        handler: cluster_disabled,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "asking",
        arity: 1,
        flags: FAST,
        handler: cluster_disabled,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "module",
        arity: -2,
        subcommands: MODULE_SUBCOMMANDS,
        ..CommandSpec::DEFAULT
    },
];

/// Whether `enable-module-command` lets this client load and unload modules;
/// answers 7.0's refusal when it does not.
fn module_allowed(ctx: &mut Ctx<'_>) -> bool {
    let setting = ctx.shared.config().enable_module_command.clone();
    if super::config::command::protected_allowed(ctx, &setting) {
        return true;
    }
    ctx.out.error(
        "ERR MODULE command not allowed. If the enable-module-command option is set to \"local\", \
         you can run it from a local connection, otherwise you need to set this option in the \
         configuration file, and then restart the server.",
    );
    false
}

/// MODULE LOAD path [arg ...] / MODULE LOADEX path [CONFIG name value ...] [ARGS ...]:
/// no module can be loaded here, so where allowed it fails as 7.0 does when
/// the library cannot be opened.
fn module_load(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    if !module_allowed(ctx) {
        return;
    }
    ctx.shared.logger.warning(&format!(
        "Module {} failed to load: this server cannot load modules",
        String::from_utf8_lossy(&args[2])
    ));
    ctx.out
        .error("ERR Error loading the extension. Please check the server logs.");
}

/// MODULE UNLOAD name: no module is ever loaded.
fn module_unload(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    if !module_allowed(ctx) {
        return;
    }
    ctx.out
        .error("ERR Error unloading module: no such module with that name");
}

/// MODULE HELP
fn module_help(ctx: &mut Ctx<'_>, _args: &[Vec<u8>]) {
    super::command::help_lines(
        ctx.out,
        &[
            "MODULE <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "LIST",
            "    Return a list of loaded modules.",
            "LOAD <path> [<arg> ...]",
            "    Load a module library from <path>, passing to it any optional arguments.",
            "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
            "    Load a module library from <path>, while passing it module configurations and optional arguments.",
            "UNLOAD <name>",
            "    Unload a module.",
            "HELP",
            "    Prints this help.",
        ],
    );
}
