//! The `ferrous` server binary: reads flags and an optional redis.conf-style file,
//! then runs the server.
//!
//! `ferrous [/path/to/redis.conf] [--directive value ...]`, exactly as redis-server
//! takes them. A bad configuration prints Redis's fatal config error and exits 1.
//!
//! Stopping: `SHUTDOWN` (e.g. `redis-cli shutdown`) saves when save points are
//! set, closes every client and exits with status 0. SIGTERM and ctrl-c end the
//! process through the signals' default action, since installing a handler needs
//! `unsafe`/libc (see `server`'s docs): changes since the last save are lost.
//! A damaged RDB file at startup exits with status 1 (the log names the offset).
use ferrous::server::config::{Config, LogLevel};
use ferrous::server::log::Logger;
use ferrous::server::Server;

/// The ways to start the server, on stderr; exits 1 as redis-server does.
fn usage() -> ! {
    let me = std::env::args()
        .next()
        .unwrap_or_else(|| "ferrous".to_string());
    let forms = [
        "[/path/to/redis.conf] [options] [-]",
        "- (read config from stdin)",
        "-v or --version",
        "-h or --help",
    ];
    for (i, f) in forms.iter().enumerate() {
        let lead = if i == 0 { "Usage:" } else { "      " };
        eprintln!("{lead} {me} {f}");
    }
    eprintln!();
    eprintln!("Examples:");
    for ex in [
        "(run the server with default conf)",
        "/etc/redis/6379.conf",
        "--port 7777",
        "/etc/myredis.conf --loglevel verbose -",
        "/etc/myredis.conf --loglevel verbose",
    ] {
        eprintln!("       {me} {ex}");
    }
    eprintln!("       echo 'maxmemory 128mb' | {me} -");
    std::process::exit(1);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // As redis-server: `-h`/`--help` as the first argument prints the usage (on
    // stderr) and exits 1; `--test-memory` is not offered (it needs raw memory).
    if matches!(args.first().map(String::as_str), Some("-h" | "--help")) {
        usage();
    }
    if matches!(args.first().map(String::as_str), Some("--test-memory")) {
        eprintln!("--test-memory is not available in Ferrous: it tests raw memory, which needs unsafe code.");
        std::process::exit(1);
    }
    if args.iter().any(|a| a == "-v" || a == "--version") {
        println!(
            "Ferrous server v={} (Redis {} compatible)",
            env!("CARGO_PKG_VERSION"),
            ferrous::server::REDIS_VERSION
        );
        return;
    }
    let config = match Config::from_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let logger = match Logger::new(config.loglevel, &config.logfile) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("Can't open the log file: {e}");
            std::process::exit(1);
        }
    };
    logger.log(
        LogLevel::Warning,
        'C',
        "oO0OoO0OoO0Oo Ferrous is starting oO0OoO0OoO0Oo",
    );
    logger.log(
        LogLevel::Warning,
        'C',
        &format!(
            "Ferrous version={}, redis_version={}, pid={}, just started",
            env!("CARGO_PKG_VERSION"),
            ferrous::server::REDIS_VERSION,
            std::process::id()
        ),
    );
    if config.config_file.is_empty() {
        logger.log(
            LogLevel::Warning,
            'C',
            "Warning: no config file specified, using the default config. In order to specify a config \
             file use ferrous /path/to/redis.conf",
        );
    } else {
        logger.log(LogLevel::Warning, 'C', "Configuration loaded");
    }
    let bind = config.bind.join(" ");
    let port = config.port;
    let server = match Server::bind_with_logger(config, logger) {
        Ok(s) => s,
        // The dataset could not be loaded: the log says why and where.
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => std::process::exit(1),
        // A directive checked only once the command table exists (rename-command).
        Err(e)
            if e.get_ref()
                .is_some_and(|r| r.is::<ferrous::server::ConfigFatal>()) =>
        {
            eprintln!("{e}");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("Warning: Could not create server TCP listening socket {bind}:{port}: {e}");
            eprintln!("Failed listening on port {port} (tcp), aborting.");
            std::process::exit(1);
        }
    };
    server.run();
}
