//! What a command handler works on: the [`Keyspace`] (everything the keyspace lock
//! guards) and the [`Ctx`] a handler gets for one request.
//!
//! The keyspace lock (owned by `server`) guards one `Keyspace`: the data
//! ([`Store`]), the clients blocked on keys ([`Blocked`]) and the scripting
//! state. They share the lock because a command changes them together: a push
//! fills a key and wakes a waiter in the same critical section; EVAL runs a
//! cached script against the data.
//!
//! The scripting state belongs to a higher layer (`scripting`), so it sits here
//! as a [`ScriptSlot`]: an opaque box that only scripting opens (`Any`
//! downcast). Handlers below scripting never look inside it; INFO reads the
//! figures scripting publishes in `Shared`.
//!
//! A [`Ctx`] borrows the three parts separately, so a handler can hold the store
//! and the blocked registry at once.
use super::blocking::Blocked;
use super::client::ClientState;
use super::shared::Shared;
use crate::resp::Reply;
use crate::store::{Db, Store};
use std::any::Any;
use std::sync::Arc;

/// The scripting state's place in the keyspace, opened only by `scripting`.
#[derive(Default)]
pub struct ScriptSlot(pub Option<Box<dyn Any + Send>>);

impl std::fmt::Debug for ScriptSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ScriptSlot(..)"
        } else {
            "ScriptSlot(empty)"
        })
    }
}

/// Everything the keyspace lock guards.
#[derive(Debug)]
pub struct Keyspace {
    pub store: Store,
    pub blocked: Blocked,
    pub scripts: ScriptSlot,
}

impl Keyspace {
    /// `databases` empty databases, nobody blocked, no scripting state yet.
    pub fn new(databases: usize) -> Keyspace {
        Keyspace {
            store: Store::new(databases),
            blocked: Blocked::default(),
            scripts: ScriptSlot::default(),
        }
    }

    /// A context for running commands on this keyspace.
    pub fn ctx<'a>(
        &'a mut self,
        client: &'a mut ClientState,
        out: &'a mut Reply,
        shared: &'a Arc<Shared>,
    ) -> Ctx<'a> {
        Ctx {
            store: &mut self.store,
            blocked: &mut self.blocked,
            scripts: &mut self.scripts,
            client,
            out,
            shared,
        }
    }
}

/// Everything a handler may touch while it runs. The caller holds the keyspace
/// lock for as long as the `Ctx` lives, which makes the command atomic.
pub struct Ctx<'a> {
    pub store: &'a mut Store,
    pub blocked: &'a mut Blocked,
    pub scripts: &'a mut ScriptSlot,
    pub client: &'a mut ClientState,
    pub out: &'a mut Reply,
    pub shared: &'a Arc<Shared>,
}

impl Ctx<'_> {
    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        self.store.db(self.client.db)
    }
}
