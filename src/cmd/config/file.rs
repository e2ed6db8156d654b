//! Reading a configuration as redis-server 7.0 does: a redis.conf file, then the
//! command line's `--name value` options appended to it as extra lines (so a flag
//! overrides the file), each line set through the parameter table.
//!
//! File syntax: one directive per line; blank lines and lines starting with `#`
//! are skipped; arguments are split as redis-cli splits them (quotes, `\xHH`).
//! A multi-word parameter given one argument has it split again (`--save "900 1
//! 300 10"`); the first `save` line of a load replaces the default save points
//! and later ones add to them. Besides parameters a file may hold `include`
//! (another file, read in place), `user` (an ACL user, see `cmd::acl`) and
//! `rename-command`; `list-max-ziplist-entries`, `list-max-ziplist-value` and
//! `lua-replicate-commands` are accepted and ignored as in 7.0. Any error is
//! fatal and names the line, in Redis's words.
use super::{find, pflags, Config};
use crate::resp::parse::split_args;

/// What loading needs to remember between lines.
#[derive(Default)]
struct Loading {
    /// A `save` line was seen: later ones add to the save points.
    save_seen: bool,
    /// Nesting of `include` (bounded, so a file including itself fails).
    depth: usize,
}

/// Builds a configuration from redis-server's command line: an optional config
/// file path first (any argument not starting with `-`), then `--name value...`
/// options; `-` first or last reads more configuration from standard input. The
/// error is the whole fatal message redis-server prints.
pub fn from_args(args: &[String]) -> Result<Config, String> {
    let mut text = String::new();
    let mut rest = args;
    let mut file = String::new();
    if let Some(first) = args.first().filter(|a| !a.starts_with('-')) {
        file = absolute(first);
        text = std::fs::read_to_string(first).map_err(|e| {
            format!(
                "Fatal error, can't open config file '{first}': {}",
                super::super::io_error_text(&e)
            )
        })?;
        rest = &args[1..];
    }
    let mut options = String::new();
    let mut stdin = false;
    // Whether the last option name got its value (a new `--name` starts an
    // option only then, so `--port --bla` gives port the value `--bla`).
    let mut handled = true;
    let last = rest.len().saturating_sub(1);
    for (j, a) in rest.iter().enumerate() {
        let whole_args = j == 0 && file.is_empty();
        if a == "-" && (whole_args || j == last) {
            stdin = true;
        } else if handled && a.starts_with("--") {
            if !options.is_empty() {
                options.push('\n');
            }
            options.push_str(&a[2..]);
            options.push(' ');
            let words = split_args(a.as_bytes()).map_or(0, |w| w.len());
            if words == 1 {
                handled = false;
                let next_is_option = rest.get(j + 1).is_some_and(|n| n.starts_with("--"));
                if a.eq_ignore_ascii_case("--save") && (next_is_option || j == last) {
                    // `--save` with nothing after it means no save points.
                    options.push_str("\"\"");
                    handled = next_is_option;
                }
            } else {
                // Name and value in one argument: `"--port 6380"`.
                handled = true;
            }
        } else {
            options.push_str(&crate::cmd::repr(a.as_bytes()));
            options.push(' ');
            handled = true;
        }
    }
    if stdin {
        use std::io::Read;
        let mut more = String::new();
        let _ = std::io::stdin().read_to_string(&mut more);
        text.push_str(&more);
    }
    text.push('\n');
    text.push_str(&options);
    let mut config = from_text(&text)?;
    config.config_file = file;
    Ok(config)
}

/// The absolute form of a path (relative to the current directory).
fn absolute(path: &str) -> String {
    let p = std::path::Path::new(path);
    if p.is_absolute() {
        return path.to_string();
    }
    std::env::current_dir()
        .map(|d| d.join(p).to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}

/// Loads redis.conf syntax over the defaults.
pub fn from_text(text: &str) -> Result<Config, String> {
    let mut config = Config::default();
    load_into(&mut config, text, &mut Loading::default())?;
    Ok(config)
}

/// The fatal error redis-server prints for a bad line.
fn fatal(line_no: usize, line: &str, reason: &str) -> String {
    format!(
        "\n*** FATAL CONFIG FILE ERROR (Ferrous {}) ***\nReading the configuration file, at line {}\n>>> '{}'\n{}",
        env!("CARGO_PKG_VERSION"),
        line_no,
        line,
        reason
    )
}

fn load_into(config: &mut Config, text: &str, state: &mut Loading) -> Result<(), String> {
    for (i, raw) in text.split('\n').enumerate() {
        let line = raw.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fail = |reason: &str| fatal(i + 1, line, reason);
        let Some(argv) = split_args(line.as_bytes()) else {
            return Err(fail("Unbalanced quotes in configuration line"));
        };
        if argv.is_empty() {
            continue;
        }
        let argv: Vec<String> = argv
            .iter()
            .map(|v| String::from_utf8_lossy(v).into_owned())
            .collect();
        let name = argv[0].to_ascii_lowercase();
        if let Some((param, _)) = find(&name) {
            let multi = param.has(pflags::MULTI_ARG);
            if !multi && argv.len() != 2 {
                return Err(fail("wrong number of arguments"));
            }
            let words: Vec<String> = if multi && argv.len() == 2 && !argv[1].is_empty() {
                // One argument of a multi-word parameter: split it again.
                split_args(argv[1].as_bytes())
                    .unwrap_or_default()
                    .iter()
                    .map(|w| String::from_utf8_lossy(w).into_owned())
                    .collect()
            } else {
                argv[1..].to_vec()
            };
            let value = words.join(" ");
            if param.name == "save" {
                // The first save line replaces the defaults, the next ones add.
                super::value::parse_save(&value).map_err(|e| fail(&e))?;
                let mut all = if state.save_seen {
                    config.save.clone()
                } else {
                    String::new()
                };
                state.save_seen = true;
                if value.trim().is_empty() {
                    all.clear();
                } else {
                    if !all.is_empty() {
                        all.push(' ');
                    }
                    all.push_str(&value);
                }
                (param.set)(config, &all).map_err(|e| fail(&e))?;
            } else {
                if param.name == "client-output-buffer-limit" && !words.len().is_multiple_of(4) {
                    // `client-output-buffer-limit ""` is one (empty) word here.
                    return Err(fail(
                        "Wrong number of arguments in buffer limit configuration.",
                    ));
                }
                (param.set)(config, &value).map_err(|e| fail(&e))?;
            }
            continue;
        }
        let argc = argv.len();
        match name.as_str() {
            "list-max-ziplist-entries" | "list-max-ziplist-value" | "lua-replicate-commands"
                if argc == 2 => {}
            "include" if argc == 2 => {
                if state.depth >= 16 {
                    return Err(fail("Too many nested include directives"));
                }
                let inner = std::fs::read_to_string(&argv[1]).map_err(|e| {
                    format!(
                        "Fatal error, can't open config file '{}': {}",
                        argv[1],
                        super::super::io_error_text(&e)
                    )
                })?;
                state.depth += 1;
                load_into(config, &inner, state)?;
                state.depth -= 1;
            }
            "rename-command" if argc == 3 => {
                config
                    .renamed_commands
                    .push((argv[1].clone(), argv[2].clone()));
            }
            "user" if argc >= 2 => {
                if config.users.iter().any(|u| u.first() == argv.get(1)) {
                    return Err(fail(&format!(
                        "Error in user declaration '{}': Duplicate user found. A user can only be defined once in config files",
                        argv[1]
                    )));
                }
                config.users.push(argv[1..].to_vec());
            }
            "loadmodule" if argc >= 2 => {
                return Err(fail("Modules are not supported by this server"));
            }
            "sentinel" => return Err(fail("sentinel directive while not in sentinel mode")),
            _ if name.contains('.') && argc < 2 => {
                return Err(fail("Module config specified without value"))
            }
            _ => return Err(fail("Bad directive or wrong number of arguments")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn file_and_flags() {
        let c =
            from_text("# comment\nport 6380\nrequirepass \"a b\"\nsave 900 1 300 10\n").unwrap();
        assert_eq!(c.port, 6380);
        assert_eq!(c.requirepass.as_deref(), Some(&b"a b"[..]));
        assert_eq!(c.save, "900 1 300 10");
        let c = from_args(&args(&["--port", "7000", "--databases", "4"])).unwrap();
        assert_eq!((c.port, c.databases), (7000, 4));
    }

    #[test]
    fn save_lines_add_up_and_empty_resets() {
        assert_eq!(
            from_text("save 900 1\nsave 100 100\n").unwrap().save,
            "900 1 100 100"
        );
        assert_eq!(from_text("save 900 1\nsave \"\"\n").unwrap().save, "");
        assert_eq!(from_text("").unwrap().save, "3600 1 300 100 60 10000");
        assert_eq!(
            from_args(&args(&["--save", "--loglevel", "verbose"]))
                .unwrap()
                .save,
            ""
        );
        assert_eq!(
            from_args(&args(&["--loglevel", "verbose", "--save"]))
                .unwrap()
                .save,
            ""
        );
        let c = from_args(&args(&["--shutdown-on-sigint", "nosave", "force", "now"])).unwrap();
        assert_eq!(
            c.get("shutdown-on-sigint").as_deref(),
            Some("nosave now force")
        );
    }

    #[test]
    fn option_values_may_look_like_options() {
        let c = from_args(&args(&[
            "--proc-title-template",
            "--my--title--template",
            "--loglevel",
            "verbose",
        ]))
        .unwrap();
        assert_eq!(c.proc_title_template, "--my--title--template");
        let c = from_args(&args(&[
            "--maxmemory 700mb",
            "--maxmemory-policy volatile-lru",
        ]))
        .unwrap();
        assert_eq!(
            (c.maxmemory, c.maxmemory_policy.as_str()),
            (734003200, "volatile-lru")
        );
        let e = from_args(&args(&["--port", "--bla", "--loglevel", "verbose"])).unwrap_err();
        assert!(
            e.contains("'port \"--bla\"'\nargument couldn't be parsed into an integer"),
            "{e}"
        );
        let e = from_args(&args(&["--port", "6379", "6380"])).unwrap_err();
        assert!(
            e.contains("'port \"6379\" \"6380\"'\nwrong number of arguments"),
            "{e}"
        );
    }

    #[test]
    fn fatal_errors_name_the_line() {
        let e = from_text("port 7002\nfoo bar\n").unwrap_err();
        assert!(
            e.ends_with("at line 2\n>>> 'foo bar'\nBad directive or wrong number of arguments"),
            "{e}"
        );
        let e = from_text("port abc").unwrap_err();
        assert!(
            e.ends_with(">>> 'port abc'\nargument couldn't be parsed into an integer"),
            "{e}"
        );
        let e = from_text("port").unwrap_err();
        assert!(e.ends_with("wrong number of arguments"), "{e}");
        let e = from_args(&args(&["--port", "7002", "--foo", "bar"])).unwrap_err();
        assert!(
            e.ends_with("at line 3\n>>> 'foo \"bar\"'\nBad directive or wrong number of arguments"),
            "{e}"
        );
        assert!(from_text("list-max-ziplist-entries 10\n").is_ok());
    }
}
