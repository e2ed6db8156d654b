//! Access control lists, as in Redis 7.0: users, their passwords and
//! permissions, and the check every command passes before it runs.
//!
//! Every connection is authenticated as a user (the `default` user until
//! AUTH or HELLO AUTH names another). A user holds selectors (`user.rs`); a
//! command runs when one of the user's selectors allows the command (or its
//! subcommand), every key it names (with the access the command's key
//! specifications say: read, write), and every channel it publishes or
//! subscribes to (`check.rs`). A refusal is answered with a `NOPERM` error and
//! recorded in the ACL LOG (`log.rs`).
//!
//! | file | job |
//! | --- | --- |
//! | `user.rs` | a user and a selector; the rules of ACL SETUSER |
//! | `describe.rs` | permissions written back as rules (ACL LIST, the ACL file) |
//! | `check.rs` | the permission check of a request |
//! | `log.rs` | ACL LOG |
//! | `command.rs` | the ACL command, AUTH's user check |
//! | `file.rs` | `user` lines of the config file, the `aclfile` (ACL LOAD/SAVE) |
//!
//! Invariants:
//! - the `default` user always exists and is always the same [`User`] object
//!   (clients hold it); a user's state changes in place under its lock;
//! - [`User::unrestricted`] equals its state's `unrestricted()` after every
//!   change: it is the one flag the dispatcher reads for a user who may run
//!   everything (the default user out of the box), so the check costs nothing
//!   more for it;
//! - `open` is true exactly when the default user is on and needs no password:
//!   a new connection then starts authenticated.
//!
//! Categories are not kept here: they are the command table's (the ACL
//! categories COMMAND INFO reports), turned once into one bit set per row.
pub mod check;
pub mod command;
pub mod describe;
pub mod file;
pub mod log;
pub mod user;

use super::table::Commands;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};
use user::{RuleError, UserState};

/// Redis 7.0's ACL categories, in its order (bit `i` of a row's set is
/// `CATEGORIES[i]`).
pub const CATEGORIES: &[&str] = &[
    "keyspace",
    "read",
    "write",
    "set",
    "sortedset",
    "list",
    "hash",
    "string",
    "bitmap",
    "hyperloglog",
    "geo",
    "stream",
    "pubsub",
    "admin",
    "fast",
    "slow",
    "blocking",
    "dangerous",
    "connection",
    "transaction",
    "scripting",
];

/// The bit of category `name` (case-insensitive), if it is one.
pub fn category_bit(name: &[u8]) -> Option<u32> {
    CATEGORIES
        .iter()
        .position(|c| c.as_bytes().eq_ignore_ascii_case(name))
        .map(|i| 1 << i)
}

/// What the ACL needs of the command table: per row its full name, parent,
/// subcommands and category bits (from the table's documentation rows).
pub struct Tables {
    pub cats: Vec<u32>,
    names: Vec<String>,
    parents: Vec<Option<usize>>,
    subs: Vec<std::ops::Range<usize>>,
    /// Lower-case full name to row.
    index: BTreeMap<String, usize>,
}

impl Tables {
    pub fn new(commands: &Commands) -> Tables {
        let mut t = Tables {
            cats: Vec::new(),
            names: Vec::new(),
            parents: Vec::new(),
            subs: Vec::new(),
            index: BTreeMap::new(),
        };
        for (i, row) in commands.rows.iter().enumerate() {
            let cats = super::docs::find(&row.full_name).map_or(0, |d| {
                d.acl_categories
                    .iter()
                    .filter_map(|c| category_bit(c.trim_start_matches('@').as_bytes()))
                    .fold(0, |a, b| a | b)
            });
            t.cats.push(cats);
            t.names.push(row.full_name.clone());
            t.parents.push(row.parent);
            t.subs.push(row.subs.clone());
            t.index.insert(row.full_name.clone(), i);
        }
        t
    }

    /// The row named `name` (`get`, `config|get`), ignoring case.
    pub fn find(&self, name: &[u8]) -> Option<usize> {
        let lower = String::from_utf8_lossy(name).to_ascii_lowercase();
        self.index.get(&lower).copied()
    }

    pub fn name(&self, row: usize) -> &str {
        self.names.get(row).map_or("", String::as_str)
    }

    pub fn parent(&self, row: usize) -> Option<usize> {
        self.parents.get(row).copied().flatten()
    }

    pub fn subs(&self, row: usize) -> std::ops::Range<usize> {
        self.subs.get(row).cloned().unwrap_or(0..0)
    }
}

/// An ACL user: a name and its state, changed in place (see the invariants).
#[derive(Debug)]
pub struct User {
    pub name: Vec<u8>,
    state: RwLock<UserState>,
    unrestricted: AtomicBool,
}

impl User {
    fn new(name: &[u8], state: UserState) -> User {
        User {
            name: name.to_vec(),
            unrestricted: AtomicBool::new(state.unrestricted()),
            state: RwLock::new(state),
        }
    }

    /// The user's state, for reading.
    pub fn state(&self) -> RwLockReadGuard<'_, UserState> {
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn set_state(&self, s: UserState) {
        let open = s.unrestricted();
        *self.state.write().unwrap_or_else(|e| e.into_inner()) = s;
        self.unrestricted.store(open, Ordering::Release);
    }

    /// The user may run every command on every key and channel.
    #[inline]
    pub fn unrestricted(&self) -> bool {
        self.unrestricted.load(Ordering::Relaxed)
    }

    pub fn name_str(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// The ACL of a server: its users, the log, the categories of the table.
pub struct Acl {
    pub tables: Tables,
    users: RwLock<BTreeMap<Vec<u8>, Arc<User>>>,
    default: Arc<User>,
    open: AtomicBool,
    pub log: Mutex<log::AclLog>,
}

impl std::fmt::Debug for Acl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acl").finish_non_exhaustive()
    }
}

impl Acl {
    /// The ACL of a fresh server: only `default`, on, nopass, allowed
    /// everything; `requirepass` (if set) as its password.
    pub fn new(commands: &Commands, requirepass: Option<&[u8]>) -> Acl {
        let tables = Tables::new(commands);
        let state = default_user_state(&tables);
        let default = Arc::new(User::new(b"default", state));
        let mut users = BTreeMap::new();
        users.insert(b"default".to_vec(), default.clone());
        let acl = Acl {
            tables,
            users: RwLock::new(users),
            default,
            open: AtomicBool::new(true),
            log: Mutex::new(log::AclLog::default()),
        };
        acl.set_requirepass(requirepass);
        acl
    }

    /// `requirepass`: the default user's only password (none: nopass).
    pub fn set_requirepass(&self, password: Option<&[u8]>) {
        let mut s = self.default.state().clone();
        s.passwords.clear();
        s.nopass = false;
        match password {
            Some(p) => {
                let mut op = b">".to_vec();
                op.extend_from_slice(p);
                let _ = s.apply(&self.tables, &op, false);
            }
            None => s.nopass = true,
        }
        self.default.set_state(s);
        self.refresh_open();
    }

    fn refresh_open(&self) {
        let s = self.default.state();
        self.open.store(s.enabled && s.nopass, Ordering::Relaxed);
    }

    /// A new connection needs no AUTH (the default user is on and nopass).
    #[inline]
    pub fn open(&self) -> bool {
        self.open.load(Ordering::Relaxed)
    }

    /// The default user.
    pub fn default_user(&self) -> Arc<User> {
        self.default.clone()
    }

    pub fn get(&self, name: &[u8]) -> Option<Arc<User>> {
        self.users
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(name)
            .cloned()
    }

    /// Every user, by name.
    pub fn users(&self) -> Vec<Arc<User>> {
        self.users
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The user `name` if `password` is one of its passwords and it is on.
    pub fn authenticate(&self, name: &[u8], password: &[u8]) -> Option<Arc<User>> {
        let u = self.get(name)?;
        let ok = {
            let s = u.state();
            s.enabled && s.password_ok(password)
        };
        ok.then_some(u)
    }

    /// ACL SETUSER: applies `rules` to a copy of the user's state (a new
    /// user's if it does not exist) and, when every rule is valid, puts the
    /// copy in place. Returns the user and its state before (None: new).
    pub fn set_user(
        &self,
        name: &[u8],
        rules: &[Vec<u8>],
        all_channels: bool,
    ) -> Result<(Arc<User>, Option<UserState>), String> {
        let merged = user::merge_selector_args(rules).map_err(|j| {
            format!(
                "Unmatched parenthesis in acl selector starting at '{}'.",
                String::from_utf8_lossy(&rules[j])
            )
        })?;
        let existing = self.get(name);
        let mut s = match &existing {
            Some(u) => u.state().clone(),
            None => UserState::new(&self.tables, all_channels),
        };
        for op in &merged {
            s.apply(&self.tables, op, all_channels)
                .map_err(|e: RuleError| {
                    format!(
                        "Error in ACL SETUSER modifier '{}': {}",
                        String::from_utf8_lossy(op),
                        e.text()
                    )
                })?;
        }
        let (u, before) = match existing {
            Some(u) => {
                let before = u.state().clone();
                u.set_state(s);
                (u, Some(before))
            }
            None => {
                let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
                let u = users
                    .entry(name.to_vec())
                    .or_insert_with(|| {
                        Arc::new(User::new(name, UserState::new(&self.tables, false)))
                    })
                    .clone();
                u.set_state(s);
                (u, None)
            }
        };
        if Arc::ptr_eq(&u, &self.default) {
            self.refresh_open();
        }
        Ok((u, before))
    }

    /// Sets user `name`'s state, creating the user if needed (startup).
    pub fn put(&self, name: &[u8], state: UserState) {
        let u = match self.get(name) {
            Some(u) => u,
            None => self
                .users
                .write()
                .unwrap_or_else(|e| e.into_inner())
                .entry(name.to_vec())
                .or_insert_with(|| Arc::new(User::new(name, UserState::new(&self.tables, false))))
                .clone(),
        };
        u.set_state(state);
        if Arc::ptr_eq(&u, &self.default) {
            self.refresh_open();
        }
    }

    /// ACL DELUSER of one user (never `default`): the removed user.
    pub fn remove(&self, name: &[u8]) -> Option<Arc<User>> {
        if name == b"default" {
            return None;
        }
        self.users
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name)
    }

    /// Replaces every user by `users` (ACL LOAD, the config's `user` lines):
    /// the default user keeps its object and takes the new state (or a fresh
    /// default's). Returns the users that were replaced or removed.
    pub fn replace_all(&self, users: Vec<(Vec<u8>, UserState)>) -> Vec<Arc<User>> {
        let mut new = BTreeMap::new();
        let mut default_state = default_user_state(&self.tables);
        for (name, state) in users {
            if name == b"default" {
                default_state = state;
            } else {
                new.insert(name.clone(), Arc::new(User::new(&name, state)));
            }
        }
        self.default.set_state(default_state);
        new.insert(b"default".to_vec(), self.default.clone());
        let old = std::mem::replace(
            &mut *self.users.write().unwrap_or_else(|e| e.into_inner()),
            new,
        );
        self.refresh_open();
        old.into_values()
            .filter(|u| !Arc::ptr_eq(u, &self.default))
            .collect()
    }

    /// A user's state with one more rule (startup loading and checks).
    pub fn new_state(
        &self,
        base: Option<UserState>,
        rules: &[Vec<u8>],
        all_channels: bool,
    ) -> Result<UserState, (usize, RuleError)> {
        let mut s = base.unwrap_or_else(|| UserState::new(&self.tables, all_channels));
        for (j, op) in rules.iter().enumerate() {
            s.apply(&self.tables, op, all_channels)
                .map_err(|e| (j, e))?;
        }
        Ok(s)
    }
}

/// The default user as a fresh server has it: on, nopass, `~* &* +@all`.
fn default_user_state(t: &Tables) -> UserState {
    let mut s = UserState::new(t, false);
    for op in [&b"+@all"[..], b"~*", b"&*", b"on", b"nopass"] {
        let _ = s.apply(t, op, false);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cmd::table::FAMILIES;

    fn acl() -> Acl {
        Acl::new(&Commands::new(FAMILIES), None)
    }

    fn rules(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn list(acl: &Acl, name: &str) -> String {
        let u = acl
            .get(name.as_bytes())
            .map(|u| u.state().describe(&acl.tables));
        String::from_utf8_lossy(&u.unwrap_or_default()).into_owned()
    }

    // Expected strings: ACL LIST of redis-server 7.0.15 after the same SETUSER.
    #[test]
    fn users_are_described_as_redis_lists_them() {
        let a = acl();
        assert_eq!(list(&a, "default"), "on nopass ~* &* +@all");
        assert!(a.default_user().unrestricted());
        a.set_user(b"u", &rules(&[">foobar"]), false)
            .map(|_| ())
            .unwrap_or_default();
        assert_eq!(
            list(&a, "u"),
            "off #c3ab8ff13720e8ad9047dd39466b3c8974e592c2fa383d4a3960714caef0c4f2 resetchannels -@all"
        );
        let r = rules(&["on", ">pw", "+@all", "-get", "~k*", "&ch*", "(+get ~g*)"]);
        assert!(a.set_user(b"bob", &r, false).is_ok());
        assert_eq!(
            list(&a, "bob"),
            "on #30c952fab122c3f9759f02a6d95c3758b246b4fee239957b2d4fee46e26170c4 ~k* resetchannels &ch* +@all -get (~g* resetchannels -@all +get)"
        );
    }

    #[test]
    fn requirepass_is_the_default_users_password() {
        let a = acl();
        assert!(a.open());
        a.set_requirepass(Some(b"secret"));
        assert!(!a.open());
        assert!(a.authenticate(b"default", b"secret").is_some());
        assert!(a.authenticate(b"default", b"nope").is_none());
        a.set_requirepass(None);
        assert!(a.open());
    }

    #[test]
    fn a_bad_rule_changes_nothing() {
        let a = acl();
        let e = a.set_user(b"x", &rules(&["on", "+nosuchcommand"]), false);
        assert_eq!(
            e.err().as_deref(),
            Some("Error in ACL SETUSER modifier '+nosuchcommand': Unknown command or category name in ACL")
        );
        assert!(a.get(b"x").is_none());
    }
}
