//! One ACL user: its flags, password hashes and selectors, and the rules of
//! `ACL SETUSER` that change them (Redis 7.0's `ACLSetUser`/`ACLSetSelector`).
//!
//! A user has a *root selector* (the rules written outside parentheses) and
//! any number of further selectors (`(...)`); a command is allowed when one
//! selector allows it (see `check.rs`). A selector holds:
//! - the commands it allows: one bit per row of the command table (a row is a
//!   command or a subcommand), plus `+cmd|arg` first arguments for commands
//!   without subcommands; `all_commands` says every bit is set (the fast
//!   path), `future` that the rules started from `+@all` (so commands added
//!   later would be allowed too: ACL LIST then starts with `+@all`);
//! - key patterns, each for reading, writing or both (`~`, `%R~`, `%W~`), or
//!   `all_keys`;
//! - channel patterns (`&`), or `all_channels`.
//!
//! Invariants: the root selector is `selectors[0]` and there is always one;
//! passwords are SHA-256 hex digests (64 lower-case hex digits), each once;
//! `all_keys` means `keys` is empty, `all_channels` means `channels` is empty.
use super::Tables;

/// Why a rule was refused (Redis's error texts for `ACL SETUSER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleError {
    UnknownCommand,
    Syntax,
    KeyAfterAll,
    ChannelAfterAll,
    NoSuchPassword,
    BadHash,
    FirstArgOfSubcommand,
}

impl RuleError {
    pub fn text(self) -> &'static str {
        match self {
            RuleError::UnknownCommand => "Unknown command or category name in ACL",
            RuleError::Syntax => "Syntax error",
            RuleError::KeyAfterAll => {
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns"
            }
            RuleError::ChannelAfterAll => {
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels"
            }
            RuleError::NoSuchPassword => {
                "The password you are trying to remove from the user does not exist"
            }
            RuleError::BadHash => {
                "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters"
            }
            RuleError::FirstArgOfSubcommand => {
                "Allowing first-arg of a subcommand is not supported"
            }
        }
    }
}

/// Read permission of a key pattern.
pub const READ: u8 = 1;
/// Write permission of a key pattern.
pub const WRITE: u8 = 2;

/// A key pattern and what it grants (`READ`, `WRITE` or both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPattern {
    pub pattern: Vec<u8>,
    pub perm: u8,
}

impl KeyPattern {
    /// `~pat`, `%R~pat` or `%W~pat`, as ACL LIST writes it.
    pub fn describe(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(match self.perm {
            READ => b"%R~",
            WRITE => b"%W~",
            _ => b"~",
        });
        out.extend_from_slice(&self.pattern);
    }
}

/// One selector (see the file header).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    pub all_commands: bool,
    pub future: bool,
    pub allowed: Vec<u64>,
    /// `+cmd|arg` rules: (row, allowed first arguments).
    pub firstargs: Vec<(usize, Vec<Vec<u8>>)>,
    pub all_keys: bool,
    pub keys: Vec<KeyPattern>,
    pub all_channels: bool,
    pub channels: Vec<Vec<u8>>,
}

/// Whether `s` contains a space or a NUL (not allowed in patterns and names).
pub fn has_spaces(s: &[u8]) -> bool {
    s.iter().any(|&b| b == 0 || b.is_ascii_whitespace())
}

impl Selector {
    /// An empty selector: nothing allowed, channels as `acl-pubsub-default` says.
    pub fn new(rows: usize, all_channels: bool) -> Selector {
        Selector {
            allowed: vec![0; rows.div_ceil(64)],
            all_channels,
            ..Selector::default()
        }
    }

    pub fn bit(&self, row: usize) -> bool {
        self.allowed
            .get(row / 64)
            .is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    fn set_bit(&mut self, row: usize, on: bool) {
        if let Some(w) = self.allowed.get_mut(row / 64) {
            if on {
                *w |= 1 << (row % 64);
            } else {
                *w &= !(1 << (row % 64));
            }
        }
        if !on {
            self.all_commands = false;
        }
    }

    /// Allows or denies one row, and a container's subcommands with it.
    pub fn change(&mut self, t: &Tables, row: usize, on: bool) {
        self.set_bit(row, on);
        self.firstargs.retain(|(r, _)| *r != row);
        for sub in t.subs(row) {
            self.set_bit(sub, on);
        }
    }

    /// `+@cat` / `-@cat`: every row in the category (a container in it brings
    /// its subcommands), in table order as Redis walks its command table.
    pub fn change_category(&mut self, t: &Tables, cat: u32, on: bool) {
        for row in 0..t.cats.len() {
            if t.cats[row] & cat != 0 {
                self.change(t, row, on);
            }
        }
    }

    fn set_all(&mut self, on: bool) {
        let fill = if on { u64::MAX } else { 0 };
        self.allowed.iter_mut().for_each(|w| *w = fill);
        self.all_commands = on;
        self.future = on;
        self.firstargs.clear();
    }

    /// Applies one selector rule (anything but the user-level ones).
    pub fn apply(&mut self, t: &Tables, op: &[u8]) -> Result<(), RuleError> {
        let lower = op.to_ascii_lowercase();
        match lower.as_slice() {
            b"allkeys" | b"~*" => {
                self.all_keys = true;
                self.keys.clear();
            }
            b"resetkeys" => {
                self.all_keys = false;
                self.keys.clear();
            }
            b"allchannels" | b"&*" => {
                self.all_channels = true;
                self.channels.clear();
            }
            b"resetchannels" => {
                self.all_channels = false;
                self.channels.clear();
            }
            b"allcommands" | b"+@all" => self.set_all(true),
            b"nocommands" | b"-@all" => self.set_all(false),
            _ => return self.apply_pattern_or_command(t, op),
        }
        Ok(())
    }

    fn apply_pattern_or_command(&mut self, t: &Tables, op: &[u8]) -> Result<(), RuleError> {
        match op.first() {
            Some(b'~') | Some(b'%') => {
                if self.all_keys {
                    return Err(RuleError::KeyAfterAll);
                }
                let (perm, offset) = if op[0] == b'%' {
                    let mut perm = 0;
                    let mut i = 1;
                    loop {
                        match op.get(i).map(u8::to_ascii_uppercase) {
                            Some(b'R') if perm & READ == 0 => perm |= READ,
                            Some(b'W') if perm & WRITE == 0 => perm |= WRITE,
                            Some(b'~') => {
                                i += 1;
                                break;
                            }
                            _ => return Err(RuleError::Syntax),
                        }
                        i += 1;
                    }
                    (perm, i)
                } else {
                    (READ | WRITE, 1)
                };
                let pattern = &op[offset.min(op.len())..];
                if has_spaces(pattern) {
                    return Err(RuleError::Syntax);
                }
                match self.keys.iter_mut().find(|k| k.pattern == pattern) {
                    Some(k) => k.perm |= perm,
                    None => self.keys.push(KeyPattern {
                        pattern: pattern.to_vec(),
                        perm,
                    }),
                }
                self.all_keys = false;
            }
            Some(b'&') => {
                if self.all_channels {
                    return Err(RuleError::ChannelAfterAll);
                }
                let pattern = &op[1..];
                if has_spaces(pattern) {
                    return Err(RuleError::Syntax);
                }
                if !self.channels.iter().any(|c| c == pattern) {
                    self.channels.push(pattern.to_vec());
                }
                self.all_channels = false;
            }
            Some(&sign @ (b'+' | b'-')) if op.get(1) == Some(&b'@') => {
                let cat = super::category_bit(&op[2..]).ok_or(RuleError::UnknownCommand)?;
                self.change_category(t, cat, sign == b'+');
            }
            Some(b'+') => {
                let name = &op[1..];
                match name.iter().rposition(|&b| b == b'|') {
                    None => {
                        let row = t.find(name).ok_or(RuleError::UnknownCommand)?;
                        self.change(t, row, true);
                    }
                    Some(bar) => {
                        let (cmd, sub) = (&name[..bar], &name[bar + 1..]);
                        let row = t.find(cmd).ok_or(RuleError::UnknownCommand)?;
                        if t.parent(row).is_some() {
                            return Err(RuleError::FirstArgOfSubcommand);
                        }
                        if sub.is_empty() {
                            return Err(RuleError::Syntax);
                        }
                        if t.subs(row).next().is_some() {
                            let sub_row = t.find(name).ok_or(RuleError::UnknownCommand)?;
                            self.change(t, sub_row, true);
                        } else {
                            self.add_firstarg(row, sub);
                        }
                    }
                }
            }
            Some(b'-') => {
                let row = t.find(&op[1..]).ok_or(RuleError::UnknownCommand)?;
                self.change(t, row, false);
            }
            _ => return Err(RuleError::Syntax),
        }
        Ok(())
    }

    fn add_firstarg(&mut self, row: usize, arg: &[u8]) {
        let i = match self.firstargs.iter().position(|(r, _)| *r == row) {
            Some(i) => i,
            None => {
                self.firstargs.push((row, Vec::new()));
                self.firstargs.len() - 1
            }
        };
        let list = &mut self.firstargs[i].1;
        if !list.iter().any(|a| a.eq_ignore_ascii_case(arg)) {
            list.push(arg.to_vec());
        }
    }

    /// The first arguments allowed for `row` by `+cmd|arg` rules.
    pub fn firstargs_of(&self, row: usize) -> &[Vec<u8>] {
        self.firstargs
            .iter()
            .find(|(r, _)| *r == row)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The key patterns as ACL GETUSER shows them (`~*` for all keys).
    pub fn describe_keys(&self) -> Vec<u8> {
        if self.all_keys {
            return b"~*".to_vec();
        }
        let mut out = Vec::new();
        for (i, k) in self.keys.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            k.describe(&mut out);
        }
        out
    }

    /// The channel patterns as ACL GETUSER shows them (`&*` for all).
    pub fn describe_channels(&self) -> Vec<u8> {
        if self.all_channels {
            return b"&*".to_vec();
        }
        let mut out = Vec::new();
        for (i, c) in self.channels.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            out.push(b'&');
            out.extend_from_slice(c);
        }
        out
    }

    /// The whole selector as ACL LIST writes it: keys, channels, commands.
    pub fn describe(&self, t: &Tables) -> Vec<u8> {
        let mut out = Vec::new();
        if self.all_keys {
            out.extend_from_slice(b"~* ");
        } else {
            for k in &self.keys {
                k.describe(&mut out);
                out.push(b' ');
            }
        }
        if self.all_channels {
            out.extend_from_slice(b"&* ");
        } else {
            out.extend_from_slice(b"resetchannels ");
            for c in &self.channels {
                out.push(b'&');
                out.extend_from_slice(c);
                out.push(b' ');
            }
        }
        out.extend_from_slice(super::describe::command_rules(self, t).as_bytes());
        out
    }
}

/// A user's state: flags, password hashes, selectors (root first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserState {
    pub enabled: bool,
    pub nopass: bool,
    /// `sanitize-payload` (Some(true)), `skip-sanitize-payload` (Some(false)),
    /// or neither said.
    pub sanitize: Option<bool>,
    pub passwords: Vec<String>,
    pub selectors: Vec<Selector>,
}

impl UserState {
    /// A new user: off, no password, no permissions.
    pub fn new(t: &Tables, all_channels: bool) -> UserState {
        UserState {
            enabled: false,
            nopass: false,
            sanitize: None,
            passwords: Vec::new(),
            selectors: vec![Selector::new(t.cats.len(), all_channels)],
        }
    }

    /// The root selector (rules outside parentheses).
    pub fn root(&self) -> &Selector {
        &self.selectors[0]
    }

    /// Whether this user may run anything on any key and channel (the check's
    /// fast path).
    pub fn unrestricted(&self) -> bool {
        let r = self.root();
        r.all_commands && r.all_keys && r.all_channels
    }

    /// Applies one rule of ACL SETUSER (after selector arguments are merged).
    pub fn apply(&mut self, t: &Tables, op: &[u8], all_channels: bool) -> Result<(), RuleError> {
        if op.is_empty() {
            return Ok(());
        }
        let lower = op.to_ascii_lowercase();
        match lower.as_slice() {
            b"on" => self.enabled = true,
            b"off" => self.enabled = false,
            b"skip-sanitize-payload" => self.sanitize = Some(false),
            b"sanitize-payload" => self.sanitize = Some(true),
            b"nopass" => {
                self.nopass = true;
                self.passwords.clear();
            }
            b"resetpass" => {
                self.nopass = false;
                self.passwords.clear();
            }
            b"clearselectors" => self.selectors.truncate(1),
            b"reset" => {
                self.nopass = false;
                self.passwords.clear();
                let root = &mut self.selectors[0];
                root.apply(t, b"resetkeys")?;
                root.apply(t, b"resetchannels")?;
                if all_channels {
                    root.apply(t, b"allchannels")?;
                }
                self.enabled = false;
                self.sanitize = Some(true);
                self.selectors.truncate(1);
                self.selectors[0].apply(t, b"-@all")?;
            }
            _ => match op[0] {
                b'>' | b'#' => {
                    let hash = if op[0] == b'>' {
                        crate::digest::sha256::sha256_hex(&op[1..])
                    } else {
                        valid_hash(&op[1..]).ok_or(RuleError::BadHash)?
                    };
                    if !self.passwords.contains(&hash) {
                        self.passwords.push(hash);
                    }
                    self.nopass = false;
                }
                b'<' | b'!' => {
                    let hash = if op[0] == b'<' {
                        crate::digest::sha256::sha256_hex(&op[1..])
                    } else {
                        valid_hash(&op[1..]).ok_or(RuleError::BadHash)?
                    };
                    let at = self.passwords.iter().position(|p| *p == hash);
                    match at {
                        Some(i) => {
                            self.passwords.remove(i);
                        }
                        None => return Err(RuleError::NoSuchPassword),
                    }
                }
                b'(' if op.last() == Some(&b')') => {
                    let mut s = Selector::new(t.cats.len(), all_channels);
                    let inner = &op[1..op.len() - 1];
                    for word in inner.split(|b| b.is_ascii_whitespace()) {
                        if !word.is_empty() {
                            s.apply(t, word)?;
                        }
                    }
                    self.selectors.push(s);
                }
                _ => self.selectors[0].apply(t, op)?,
            },
        }
        Ok(())
    }

    /// Whether `password` is one of this user's (or the user needs none).
    /// The hashes are compared in constant time.
    pub fn password_ok(&self, password: &[u8]) -> bool {
        if self.nopass {
            return true;
        }
        let hash = crate::digest::sha256::sha256_hex(password);
        let mut ok = false;
        for p in &self.passwords {
            ok |= constant_time_eq(p.as_bytes(), hash.as_bytes());
        }
        ok
    }

    /// The user's rules as ACL LIST writes them (after `user <name> `).
    pub fn describe(&self, t: &Tables) -> Vec<u8> {
        let mut out = Vec::new();
        for (on, name) in [
            (self.enabled, "on"),
            (!self.enabled, "off"),
            (self.nopass, "nopass"),
            (self.sanitize == Some(false), "skip-sanitize-payload"),
            (self.sanitize == Some(true), "sanitize-payload"),
        ] {
            if on {
                out.extend_from_slice(name.as_bytes());
                out.push(b' ');
            }
        }
        for p in &self.passwords {
            out.push(b'#');
            out.extend_from_slice(p.as_bytes());
            out.push(b' ');
        }
        for (i, s) in self.selectors.iter().enumerate() {
            if i == 0 {
                out.extend_from_slice(&s.describe(t));
            } else {
                out.extend_from_slice(b" (");
                out.extend_from_slice(&s.describe(t));
                out.push(b')');
            }
        }
        out
    }

    /// The flags ACL GETUSER lists.
    pub fn flag_names(&self) -> Vec<&'static str> {
        let mut v = vec![if self.enabled { "on" } else { "off" }];
        if self.nopass {
            v.push("nopass");
        }
        match self.sanitize {
            Some(false) => v.push("skip-sanitize-payload"),
            Some(true) => v.push("sanitize-payload"),
            None => {}
        }
        v
    }
}

/// `#hash`: exactly 64 lower-case hex digits.
fn valid_hash(h: &[u8]) -> Option<String> {
    (h.len() == 64 && h.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
        .then(|| String::from_utf8_lossy(h).into_owned())
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut diff = 0u8;
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

/// Joins selector arguments split by spaces (`(` ... `)` spread over several
/// arguments) into one, as Redis accepts them; the position of an unmatched
/// `(` is the error.
pub fn merge_selector_args(args: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, usize> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Vec<u8>)> = None;
    for (j, op) in args.iter().enumerate() {
        if let Some((_, sel)) = open.as_mut() {
            sel.push(b' ');
            sel.extend_from_slice(op);
            if op.last() == Some(&b')') {
                if let Some((_, sel)) = open.take() {
                    out.push(sel);
                }
            }
            continue;
        }
        if op.first() == Some(&b'(') && op.last() != Some(&b')') {
            open = Some((j, op.clone()));
            continue;
        }
        out.push(op.clone());
    }
    match open {
        Some((j, _)) => Err(j),
        None => Ok(out),
    }
}
