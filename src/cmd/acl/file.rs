//! Where users come from besides ACL SETUSER: the config file's `user` lines
//! (read at startup) and the `aclfile` (read at startup and by ACL LOAD,
//! written by ACL SAVE), in Redis 7.0's format: one `user <name> <rule> ...`
//! line per user.
//!
//! Invariants: loading is all or nothing: a file with any bad line changes
//! no user, and the error names every problem found (as 7.0 words them);
//! saving writes a temporary file next to the target and renames it, so the
//! file is never half written.
use super::user::{has_spaces, merge_selector_args, RuleError, UserState};
use super::{Acl, User};
use std::sync::Arc;

/// Where the `aclfile` is: a relative path is taken from the working
/// directory `dir` (Redis changes into `dir` when it reads the config).
pub fn path_of(dir: &str, aclfile: &str) -> String {
    let p = std::path::Path::new(aclfile);
    if p.is_absolute() || dir.is_empty() {
        aclfile.to_string()
    } else {
        std::path::Path::new(dir)
            .join(p)
            .to_string_lossy()
            .into_owned()
    }
}

/// ACL LOAD: replaces the users by the file's; the users replaced or removed
/// (their clients are to be disconnected).
pub fn load_file(
    acl: &Acl,
    (file, path): (&str, &str),
    all_channels: bool,
) -> Result<Vec<Arc<User>>, String> {
    let text = std::fs::read(file).map_err(|e| {
        format!(
            "Error loading ACLs, opening file '{path}': {}",
            crate::cmd::io_error_text(&e)
        )
    })?;
    let mut errors = String::new();
    let mut users: Vec<(Vec<u8>, UserState)> = Vec::new();
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let line = trim(raw, b" \t\r\n");
        if line.is_empty() {
            continue;
        }
        let argv: Vec<Vec<u8>> = line.split(|&b| b == b' ').map(<[u8]>::to_vec).collect();
        if argv.len() < 2 || argv[0] != b"user" {
            errors.push_str(&format!(
                "{path}:{n} should start with user keyword followed by the username. "
            ));
            continue;
        }
        let name = &argv[1];
        if has_spaces(name) {
            errors.push_str(&format!(
                "'{path}:{n}: username '{}' contains invalid characters. ",
                String::from_utf8_lossy(name)
            ));
            continue;
        }
        if users.iter().any(|(u, _)| u == name) {
            errors.push_str(&format!(
                "WARNING: Duplicate user '{}' found on line {n}. ",
                String::from_utf8_lossy(name)
            ));
            continue;
        }
        let Ok(rules) = merge_selector_args(&argv[2..]) else {
            errors.push_str(&format!(
                "{path}:{n}: Unmatched parenthesis in selector definition."
            ));
            continue;
        };
        let mut state = UserState::new(&acl.tables, all_channels);
        let mut syntax_error = false;
        for op in &rules {
            let op = trim(op, b"\t\r\n");
            match state.apply(&acl.tables, op, all_channels) {
                Ok(()) => {}
                Err(RuleError::UnknownCommand) => errors.push_str(&format!(
                    "{path}:{n}: Error in applying operation '{}': {}. ",
                    String::from_utf8_lossy(op),
                    RuleError::UnknownCommand.text()
                )),
                Err(e) if !syntax_error => {
                    errors.push_str(&format!("{path}:{n}: {}. ", e.text()));
                    syntax_error = true;
                }
                Err(_) => {}
            }
        }
        users.push((name.clone(), state));
    }
    if !errors.is_empty() {
        errors.push_str(
            "WARNING: ACL errors detected, no change to the previously active ACL rules was performed",
        );
        return Err(errors);
    }
    Ok(acl.replace_all(users))
}

fn trim<'a>(s: &'a [u8], set: &[u8]) -> &'a [u8] {
    let start = s.iter().position(|b| !set.contains(b)).unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !set.contains(b))
        .map_or(start, |e| e + 1);
    &s[start..end.max(start)]
}

/// ACL SAVE: every user, one line each, by name.
pub fn save_file(acl: &Acl, path: &str) -> std::io::Result<()> {
    let mut text = Vec::new();
    for line in super::command::user_lines(acl) {
        text.extend_from_slice(&line);
        text.push(b'\n');
    }
    let tmp = format!("{path}.tmp-{}-{}", std::process::id(), super::log::now_ms());
    let written = std::fs::write(&tmp, &text).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Startup: the config file's `user` lines, then the `aclfile` (not both).
/// The error is the fatal message the server logs before it exits.
pub fn load_at_startup(
    acl: &Acl,
    users: &[Vec<String>],
    (dir, aclfile): (&str, &str),
    all_channels: bool,
) -> Result<(), String> {
    if !aclfile.is_empty() && !users.is_empty() {
        return Err("Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.".into());
    }
    for line in users {
        let Some((name, rules)) = line.split_first() else {
            continue;
        };
        if has_spaces(name.as_bytes()) {
            return Err("Spaces not allowed in ACL usernames".into());
        }
        let rules: Vec<Vec<u8>> = rules.iter().map(|r| r.as_bytes().to_vec()).collect();
        let rules = merge_selector_args(&rules).map_err(|j| {
            format!(
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(&rules[j])
            )
        })?;
        // The default user starts from `reset`, any other from a new user.
        let base = if name == "default" {
            acl.new_state(None, &[b"reset".to_vec()], all_channels).ok()
        } else {
            None
        };
        match acl.new_state(base, &rules, all_channels) {
            Ok(state) => {
                acl.put(name.as_bytes(), state);
            }
            Err((j, e)) => {
                return Err(format!(
                    "Error loading ACL rule '{}' for the user named '{name}': {}",
                    String::from_utf8_lossy(&rules[j]),
                    e.text()
                ))
            }
        }
    }
    if !aclfile.is_empty() {
        load_file(acl, (&path_of(dir, aclfile), aclfile), all_channels)
            .map_err(|e| format!("Aborting Redis startup because of ACL errors: {e}"))?;
    }
    Ok(())
}
