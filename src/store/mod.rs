//! The keyspace: numbered databases mapping binary keys to typed values, with
//! millisecond expiry (lazy on access plus an active sampling cycle).

/// All databases of the server.
#[derive(Debug)]
pub struct Store {}

impl Store {
    /// A store with `databases` empty databases.
    pub fn new(databases: usize) -> Store {
        let _ = databases;
        Store {}
    }
}
