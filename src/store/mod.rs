//! The keyspace: numbered databases mapping binary keys to typed values, with
//! millisecond expiry (lazy on access plus an active expiry cycle).
//!
//! | file | job |
//! | --- | --- |
//! | `table.rs` | the hash table of one database: chains over a dense entry array, reverse-binary SCAN cursor, O(1) random picks |
//! | `dict.rs` | the generic hash table of hash and set values: chains over a dense entry array, reverse-binary SCAN cursor, O(1) random picks |
//! | `key.rs` | keys in 16 bytes: inline when short (15 bytes or fewer), else one block behind a thin pointer |
//! | `ttl.rs` | the expiry times of the keys that have one (Redis's `expires` dict), beside the table |
//! | `value.rs` | the value type and Redis's string encodings (int / embstr / raw) |
//! | `expire.rs` | the clock, TTL arithmetic and the active expiry cycle |
//! | `geohash.rs` | Redis's 52-bit geohash scores, haversine distances and the cells a GEO search scans |
//! | `glob.rs` | Redis's glob matcher (KEYS, SCAN MATCH, CONFIG GET) |
//! | `hll.rs` | HyperLogLog sketches in Redis's dense and sparse byte formats, its hash and estimator |
//! | `stream/` | the stream type: listpack nodes in Redis's layout, consumer groups |
//! | `zset/` | the sorted-set type: listpack and skiplist encodings, range specs |
//! | `listpack/`, `intset.rs` | Redis's listpack and intset byte formats as types (small values, RDB and DUMP use them) |
//! | `lfu.rs` | the LFU policies' access-frequency counter in an entry's access stamp |
//! | `mem.rs` | byte accounting: what a block of the allocator costs (MEMORY USAGE, `used_memory`) |
//! | `watch.rs` | version counters of WATCHed keys, bumped by every change a [`Db`] makes |
//!
//! Invariants:
//! - a key whose expiry time has passed is never visible: every lookup goes through
//!   [`Db::lookup`], which deletes it first (lazy expiry); [`Store::active_expire_cycle`]
//!   removes the ones nobody touches;
//! - `DBSIZE` counts keys still stored, so it includes expired keys neither path has
//!   removed yet (as Redis does);
//! - `dirty` counts writes (Redis's `server.dirty`), for INFO and persistence;
//! - values are cheap to share (see `value.rs`): `store.dbs().to_vec()` is a
//!   point-in-time snapshot that copies keys and bumps reference counts, and later
//!   writes copy a shared value before changing it.
//!
//! How commands use it: `ctx.store.db(ctx.client.db)` gives the selected [`Db`];
//! [`Db::lookup`] answers the index of a live entry (or `None`), which stays valid
//! until the next insertion or removal in that database; [`Db::set`] and
//! [`Db::insert_new`] add, [`Db::remove`] / [`Db::remove_at`] delete,
//! [`Db::set_expire`] sets or clears a TTL.
pub mod dict;
pub mod evict_pool;
pub mod expire;
pub mod geohash;
pub mod glob;
pub mod hash;
pub mod hll;
pub mod htstats;
pub mod intset;
pub mod key;
pub mod lfu;
pub mod list;
pub mod listpack;
pub mod mem;
pub mod set;
pub mod stream;
pub mod table;
pub mod ttl;
pub mod value;
pub mod watch;
pub mod zset;

pub use expire::{expiry_now, now_ms};
pub use glob::glob_match;
pub use table::{Entry, Removed, Table};
pub use value::Value;

/// A small, fast pseudo-random generator (xorshift64*) for RANDOMKEY.
/// Not for anything that needs unpredictability.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn seeded() -> Rng {
        use std::hash::BuildHasher;
        let seed = std::collections::hash_map::RandomState::new().hash_one(now_ms());
        Rng(seed | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

impl Default for Rng {
    fn default() -> Rng {
        Rng::seeded()
    }
}

/// All databases of the server.
#[derive(Debug)]
pub struct Store {
    dbs: Vec<Db>,
    /// Number of writes since start (Redis's `server.dirty`); commands add to it.
    pub dirty: u64,
    /// Database the active expiry cycle resumes with.
    expire_next_db: usize,
    /// The best eviction candidates sampled so far (see `evict_pool.rs`).
    pub evict_pool: evict_pool::EvictionPool,
}

impl Store {
    /// A store with `databases` empty databases (at least one).
    pub fn new(databases: usize) -> Store {
        let mut s = Store {
            dbs: (0..databases.max(1)).map(|_| Db::default()).collect(),
            dirty: 0,
            expire_next_db: 0,
            evict_pool: evict_pool::EvictionPool::default(),
        };
        s.set_lru_clock(expire::lru_clock(now_ms()));
        s
    }

    /// Number of databases (SELECT accepts `0..db_count()`).
    pub fn db_count(&self) -> usize {
        self.dbs.len()
    }

    /// Keys stored in database `db` (DBSIZE), 0 for an index out of range.
    pub fn dbsize(&self, db: usize) -> usize {
        self.dbs.get(db).map_or(0, |d| d.table.len())
    }

    /// Keys with a TTL in database `db` (INFO keyspace `expires=`).
    pub fn expires_count(&self, db: usize) -> usize {
        self.dbs.get(db).map_or(0, |d| d.table.volatile_len())
    }

    /// Keys removed because their TTL passed, over all databases (INFO `expired_keys`).
    pub fn expired_keys(&self) -> u64 {
        self.dbs.iter().map(|d| d.expired_keys).sum()
    }

    /// Database `db`. Panics if `db >= db_count()` (client state only holds
    /// validated indices).
    pub fn db(&mut self, db: usize) -> &mut Db {
        &mut self.dbs[db]
    }

    /// Read access to all databases (persistence, INFO).
    pub fn dbs(&self) -> &[Db] {
        &self.dbs
    }

    /// Two different databases at once (MOVE, COPY ... DB).
    pub fn two_dbs(&mut self, a: usize, b: usize) -> (&mut Db, &mut Db) {
        assert_ne!(a, b);
        let (lo, hi) = (a.min(b), a.max(b));
        let (left, right) = self.dbs.split_at_mut(hi);
        let (x, y) = (&mut left[lo], &mut right[0]);
        if a < b {
            (x, y)
        } else {
            (y, x)
        }
    }

    /// SWAPDB: exchanges the contents of two databases.
    /// Watched keys stay with the database number. A watched key is touched
    /// when it is stored in the database it had or in the one it gets; the
    /// touch is benign when it was not live there and is not live now (see
    /// `watch.rs`), as Redis 7.0 decides.
    pub fn swap_dbs(&mut self, a: usize, b: usize) {
        if a == b {
            return;
        }
        for (this, other) in [(a, b), (b, a)] {
            if self.dbs[this].watched.is_empty() {
                continue;
            }
            let now = now_ms();
            let touches: std::collections::HashMap<Vec<u8>, bool> = self.dbs[this]
                .watched
                .keys()
                .filter_map(|k| {
                    let before = self.dbs[this].key_state(k, now);
                    let after = self.dbs[other].key_state(k, now);
                    let benign = match (before, after) {
                        (KeyState::Missing, KeyState::Missing) => return None,
                        (KeyState::Live, _) | (_, KeyState::Live) => false,
                        _ => true,
                    };
                    Some((k.to_vec(), benign))
                })
                .collect();
            self.dbs[this]
                .watched
                .touch_where(|k| touches.get(k).copied());
        }
        self.dbs.swap(a, b);
        let (x, y) = self.two_dbs(a, b);
        std::mem::swap(&mut x.watched, &mut y.watched);
    }

    /// Touches every watched key of database `db` that is stored there now
    /// (FLUSHDB, FLUSHALL): benign for a key already expired.
    fn touch_all_watched(&mut self, db: usize) {
        let d = &mut self.dbs[db];
        if d.watched.is_empty() {
            return;
        }
        let now = now_ms();
        let table = &d.table;
        d.watched.touch_where(|k| {
            let i = table.find(k)?;
            let at = table.expire_at(i);
            Some(at != 0 && at <= now)
        });
    }

    /// FLUSHDB: empties database `db` and hands back its old contents, for the
    /// caller to drop here or on another thread (FLUSHDB ASYNC).
    #[must_use = "the old contents are freed when dropped"]
    pub fn flush_db(&mut self, db: usize) -> Vec<Db> {
        self.touch_all_watched(db);
        let clock = self.dbs[db].lru_clock;
        let mut old = std::mem::take(&mut self.dbs[db]);
        self.dbs[db].watched = std::mem::take(&mut old.watched);
        self.dbs[db].log_expired = old.log_expired;
        self.dbs[db].expired_log = std::mem::take(&mut old.expired_log);
        self.dbs[db].lru_clock = clock;
        self.dbs[db].expired_keys = old.expired_keys;
        self.dbs[db].expire_hold = old.expire_hold;
        self.dbs[db].loading = old.loading;
        self.dbs[db].lfu = old.lfu;
        vec![old]
    }

    /// FLUSHALL: empties every database and hands back the old contents (see
    /// [`Store::flush_db`]).
    #[must_use = "the old contents are freed when dropped"]
    pub fn flush_all(&mut self) -> Vec<Db> {
        for db in 0..self.dbs.len() {
            self.touch_all_watched(db);
        }
        let mut fresh: Vec<Db> = Vec::with_capacity(self.dbs.len());
        for d in &mut self.dbs {
            fresh.push(Db {
                lru_clock: d.lru_clock,
                expired_keys: d.expired_keys,
                watched: std::mem::take(&mut d.watched),
                expire_hold: d.expire_hold,
                loading: d.loading,
                log_expired: d.log_expired,
                expired_log: std::mem::take(&mut d.expired_log),
                log_new: d.log_new,
                new_log: std::mem::take(&mut d.new_log),
                lfu: d.lfu,
                ..Db::default()
            });
        }
        std::mem::replace(&mut self.dbs, fresh)
    }

    /// The LFU settings access stamps follow (`None`: access times).
    pub fn lfu(&self) -> Option<lfu::Lfu> {
        self.dbs.first().and_then(|d| d.lfu)
    }

    /// Switches every database's access stamps to LFU counters (`Some`) or
    /// access times (`None`). Existing stamps are not converted: as in Redis,
    /// they take some time to mean the new thing.
    pub fn set_lfu(&mut self, lfu: Option<lfu::Lfu>) {
        for d in &mut self.dbs {
            d.lfu = lfu;
        }
    }

    /// Which drops are lazy (see [`Lazy`]); the same in every database.
    pub fn lazy(&self) -> Lazy {
        self.dbs.first().map(|d| d.lazy).unwrap_or_default()
    }

    pub fn set_lazy(&mut self, lazy: Lazy) {
        for d in &mut self.dbs {
            d.lazy = lazy;
        }
    }

    /// The big values the databases dropped lazily since the last call.
    pub fn take_garbage(&mut self) -> Vec<Value> {
        let mut all = Vec::new();
        for d in &mut self.dbs {
            all.append(&mut d.garbage);
        }
        all
    }

    /// Holds expiry (no expired key is deleted) until `until` (Unix ms; 0 ends
    /// the hold), for CLIENT PAUSE.
    pub fn set_expire_hold(&mut self, until: u64) {
        for d in &mut self.dbs {
            d.expire_hold = until;
        }
    }

    /// Marks the dataset as being loaded or not (see [`Db::loading`]).
    pub fn set_loading(&mut self, on: bool) {
        for d in &mut self.dbs {
            d.loading = on;
        }
    }

    /// Whether the dataset is being loaded (Redis's `server.loading`).
    pub fn loading(&self) -> bool {
        self.dbs.first().is_some_and(|d| d.loading)
    }

    /// Turns every database's change log on or off (see `watch.rs`).
    pub fn set_change_log(&mut self, on: bool) {
        for d in &mut self.dbs {
            d.watched.set_log(on);
        }
    }

    /// Whether the change logs are on.
    pub fn change_log_on(&self) -> bool {
        self.dbs.first().is_some_and(|d| d.watched.logging())
    }

    /// Takes every database's change log: the keys changed since the last
    /// call, with `true` for expiries (in database order, then change order).
    pub fn take_changes(&mut self) -> Vec<(Vec<u8>, bool)> {
        let mut all = Vec::new();
        for d in &mut self.dbs {
            if d.watched.has_log() {
                all.extend(d.watched.take_log());
            }
        }
        all
    }

    pub(crate) fn set_lru_clock(&mut self, clock: u32) {
        for d in &mut self.dbs {
            d.lru_clock = clock;
        }
    }
}

/// What a key is in a database at some moment, as WATCH sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyState {
    Missing,
    /// Stored, but past its expiry time.
    Expired,
    Live,
}

/// One database: its table, plus the coarse clock its lookups stamp on entries
/// and its own random generator.
#[derive(Debug, Default, Clone)]
pub struct Db {
    pub table: Table,
    /// Coarse clock in seconds for access times, refreshed by the expiry cycle.
    pub lru_clock: u32,
    pub rng: Rng,
    /// Keys of this database removed because their TTL passed.
    pub expired_keys: u64,
    /// Where the active expiry cycle continues in the table's list of keys with a TTL.
    pub expire_cursor: usize,
    /// Keys some client WATCHes, with their versions. Every change below touches
    /// it; code outside this file changes keys only through these methods.
    pub watched: watch::WatchedKeys,
    /// Until this Unix time in milliseconds (CLIENT PAUSE), expired keys are
    /// not deleted: lookups treat them as missing, the active cycle skips them.
    pub expire_hold: u64,
    /// While the dataset is being loaded (an AOF replayed), no key counts as
    /// expired: Redis leaves expiry to after loading, so that the commands
    /// replay on the keys as they were when written.
    pub loading: bool,
    /// While true (keyspace notifications of class `x` on), keys this database
    /// expires are logged here for `cmd::notify` to publish.
    pub log_expired: bool,
    pub expired_log: Vec<Vec<u8>>,
    /// While true (keyspace notifications of class `n` on), keys added to
    /// this database (not overwritten) are logged here for `cmd::notify`.
    pub log_new: bool,
    pub new_log: Vec<Vec<u8>>,
    /// Under an LFU maxmemory policy, its settings: access stamps then hold a
    /// frequency counter (see `lfu.rs`) instead of the access time.
    pub lfu: Option<lfu::Lfu>,
    /// `lazyfree-lazy-expire` and `lazyfree-lazy-server-del`: big values
    /// this database drops on expiry, or when a write replaces them, are
    /// kept in `garbage` for the server to free off the request path
    /// (`Store::take_garbage`) instead of being freed here.
    pub lazy: Lazy,
    pub garbage: Vec<Value>,
}

/// Which drops of big values are left to the lazy-free thread.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Lazy {
    /// Values of keys removed because their TTL passed.
    pub expire: bool,
    /// Values replaced by a write (SET over a key, RENAME's destination...).
    pub server_del: bool,
}

/// Values whose freeing costs more than this (`Value::free_effort`) are
/// freed on the lazy-free thread when freeing is lazy (Redis's
/// `LAZYFREE_THRESHOLD`).
pub const LAZYFREE_THRESHOLD: usize = 64;

/// What a database's data costs, in bytes (see `mem.rs` for how it is counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DbBytes {
    /// Keys' and values' heap bytes plus the entries' own size.
    pub dataset: usize,
    /// The table's arrays beyond the entries in use: bucket arrays, spare
    /// entry capacity (`overhead.hashtable.main`).
    pub main: usize,
    /// The side table of TTLs, `ttl.rs` (`overhead.hashtable.expires`).
    pub expires: usize,
}

impl Db {
    /// Whether `key` is missing, expired or live at `now` (no side effects).
    fn key_state(&self, key: &[u8], now: u64) -> KeyState {
        match self.table.find(key) {
            None => KeyState::Missing,
            Some(i) => {
                let at = self.table.expire_at(i);
                if at != 0 && at <= now {
                    KeyState::Expired
                } else {
                    KeyState::Live
                }
            }
        }
    }

    /// What this database costs; O(1) (the table keeps its sum, see
    /// `table.rs`).
    pub fn bytes(&self) -> DbBytes {
        let entries = self.table.entries();
        let dataset = self.table.heap_bytes() + std::mem::size_of_val(entries);
        let (main, expires) = self.table.overhead_bytes();
        DbBytes {
            dataset,
            main,
            expires,
        }
    }
    /// Index of the live entry for `key`, deleting it first if it has expired,
    /// and marking it as accessed now.
    pub fn lookup(&mut self, key: &[u8]) -> Option<usize> {
        let i = self.lookup_no_touch(key)?;
        let stamp = match self.lfu {
            None => self.lru_clock,
            Some(l) => {
                let draw = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                lfu::touch(self.table.entry(i).lru(), l, now_ms(), draw)
            }
        };
        self.table.set_lru(i, stamp);
        Some(i)
    }

    /// The access stamp a new or overwritten key gets.
    #[inline]
    fn fresh_stamp(&self) -> u32 {
        match self.lfu {
            None => self.lru_clock,
            Some(_) => lfu::fresh(now_ms()),
        }
    }

    /// Like [`lookup`](Self::lookup) but leaves the access time alone (OBJECT).
    pub fn lookup_no_touch(&mut self, key: &[u8]) -> Option<usize> {
        let i = self.table.find(key)?;
        let at = self.table.expire_at(i);
        if at != 0 && !self.loading && at <= expiry_now() {
            if self.expire_hold > now_ms() {
                // Paused (CLIENT PAUSE): logically gone, not deleted yet.
                return None;
            }
            self.watched.touch_expired(key);
            self.log_expiry(i);
            self.remove_expired(i);
            return None;
        }
        Some(i)
    }

    /// Whether `key` exists (and is not expired).
    pub fn exists(&mut self, key: &[u8]) -> bool {
        self.lookup(key).is_some()
    }

    /// Entry `i`'s expiry time in Unix milliseconds (0 = no TTL).
    #[inline]
    pub fn expire_at(&self, i: usize) -> u64 {
        self.table.expire_at(i)
    }

    pub fn entry(&self, i: usize) -> &Entry {
        self.table.entry(i)
    }

    /// For modification: counts as a change of the key (WATCH).
    pub fn entry_mut(&mut self, i: usize) -> &mut Entry {
        self.touch_at(i);
        self.table.entry_mut(i)
    }

    /// The value of `key`, if live.
    pub fn get(&mut self, key: &[u8]) -> Option<&Value> {
        let i = self.lookup(key)?;
        Some(&self.table.entry(i).value)
    }

    /// The value of `key` for modification, if live.
    pub fn get_mut(&mut self, key: &[u8]) -> Option<&mut Value> {
        let i = self.lookup(key)?;
        self.watched.touch(key);
        Some(&mut self.table.entry_mut(i).value)
    }

    /// Stores `value` under `key`, replacing any old value. The TTL is cleared
    /// unless `keep_ttl`. Returns the entry's index.
    /// Hashes the key once (this is SET's path).
    pub fn set(&mut self, key: &[u8], value: Value, keep_ttl: bool) -> usize {
        self.watched.touch(key);
        let hash = self.table.hash(key);
        if let Some(i) = self.table.find_hashed(key, hash) {
            let at = self.table.expire_at(i);
            if at != 0 && at <= expiry_now() {
                self.log_expiry(i);
                self.remove_expired(i);
            } else {
                if !keep_ttl && at != 0 {
                    self.table.set_expire(i, 0);
                }
                // an overwrite is an access; under LFU the count carries over
                let stamp = match self.lfu {
                    None => self.lru_clock,
                    Some(l) => {
                        let draw = (self.rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                        lfu::touch(self.table.entry(i).lru(), l, now_ms(), draw)
                    }
                };
                let old = std::mem::replace(&mut self.table.entry_mut(i).value, value);
                self.table.set_lru(i, stamp);
                self.drop_value(old, self.lazy.server_del);
                return i;
            }
        }
        if self.log_new {
            self.new_log.push(key.to_vec());
        }
        let stamp = self.fresh_stamp();
        self.table.insert_hashed(key, hash, value, stamp)
    }

    /// Adds `key`, which must be absent (e.g. a lookup just answered `None`).
    pub fn insert_new(&mut self, key: &[u8], value: Value) -> usize {
        self.watched.touch(key);
        if self.log_new {
            self.new_log.push(key.to_vec());
        }
        let stamp = self.fresh_stamp();
        self.table.insert_new(key, value, stamp)
    }

    /// Removes `key`; returns its entry if it was live.
    pub fn remove(&mut self, key: &[u8]) -> Option<Removed> {
        let i = self.lookup_no_touch(key)?;
        self.watched.touch(key);
        Some(self.table.remove_at(i))
    }

    /// Removes `key` as a write that replaces it does (RENAME's destination;
    /// Redis's `dbDelete`): its value is dropped lazily under
    /// `lazyfree-lazy-server-del`. Whether it was live.
    pub fn remove_replaced(&mut self, key: &[u8]) -> bool {
        match self.remove(key) {
            Some(e) => {
                self.drop_value(e.value, self.lazy.server_del);
                true
            }
            None => false,
        }
    }

    /// Removes entry `i`, whose TTL has passed, and counts it (the caller
    /// told WATCH and the expiry log).
    pub fn remove_expired(&mut self, i: usize) {
        let e = self.table.remove_at(i);
        self.expired_keys += 1;
        self.drop_value(e.value, self.lazy.expire);
    }

    /// Drops a value this database no longer holds: into `garbage` when
    /// `lazy` and it is big, here otherwise.
    fn drop_value(&mut self, v: Value, lazy: bool) {
        if lazy && v.free_effort() > LAZYFREE_THRESHOLD {
            self.garbage.push(v);
        }
    }

    /// Removes the entry at index `i` (other indices may change).
    pub fn remove_at(&mut self, i: usize) -> Removed {
        self.touch_at(i);
        self.table.remove_at(i)
    }

    /// Sets (`at > 0`) or clears (`at == 0`) the TTL of entry `i`.
    pub fn set_expire(&mut self, i: usize, at: u64) {
        self.touch_at(i);
        self.table.set_expire(i, at)
    }

    /// A random live key (RANDOMKEY), deleting expired keys it happens upon.
    /// While expiry is held (CLIENT PAUSE) expired keys stay; after 100 picks
    /// of them one is returned, as Redis does rather than search forever.
    pub fn random_key(&mut self) -> Option<Vec<u8>> {
        let mut tries = 100;
        loop {
            let n = self.table.len();
            if n == 0 {
                return None;
            }
            let i = self.rng.below(n);
            let at = self.table.expire_at(i);
            if at != 0 && at <= expiry_now() && self.expire_hold > now_ms() {
                tries -= 1;
                if tries == 0 {
                    return Some(self.table.entry(i).key.to_vec());
                }
                continue;
            }
            if at != 0 && at <= expiry_now() {
                self.touch_expired_at(i);
                self.log_expiry(i);
                self.remove_expired(i);
                continue;
            }
            return Some(self.table.entry(i).key.to_vec());
        }
    }

    /// Logs that entry `i` is being removed because it expired (notifications).
    #[inline]
    pub fn log_expiry(&mut self, i: usize) {
        if self.log_expired {
            let key = self.table.entry(i).key.to_vec();
            self.expired_log.push(key);
        }
    }

    /// Records a change of the key of entry `i` (WATCH, tracking).
    #[inline]
    pub fn touch_at(&mut self, i: usize) {
        if !self.watched.is_empty() {
            let key = self.table.entry(i).key.to_vec();
            self.watched.touch(&key);
        }
    }

    /// Records that the key of entry `i` expired (WATCH, tracking).
    #[inline]
    pub fn touch_expired_at(&mut self, i: usize) {
        if !self.watched.is_empty() {
            let key = self.table.entry(i).key.to_vec();
            self.watched.touch_expired(&key);
        }
    }

    /// Number of keys stored (including expired ones not yet removed).
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_hold_keeps_expired_keys_until_it_ends() {
        let mut s = Store::new(1);
        let i = s.db(0).insert_new(b"k", Value::Int(1));
        s.db(0).set_expire(i, now_ms() - 1);
        s.set_expire_hold(now_ms() + 60_000);
        assert!(s.db(0).lookup(b"k").is_none());
        assert_eq!(s.dbsize(0), 1);
        assert_eq!(s.active_expire_cycle(now_ms()), 0);
        // A hold whose time has passed holds nothing.
        s.set_expire_hold(now_ms() - 1);
        assert!(s.db(0).lookup(b"k").is_none());
        assert_eq!(s.dbsize(0), 0);
    }

    #[test]
    fn set_replaces_and_clears_or_keeps_the_ttl() {
        let mut s = Store::new(2);
        let db = s.db(0);
        let i = db.set(b"k", Value::Int(1), false);
        db.set_expire(i, now_ms() + 60_000);
        db.set(b"k", Value::Int(2), true);
        let i = db.lookup(b"k").unwrap();
        assert_ne!(db.expire_at(i), 0);
        assert_eq!(db.entry(i).value, Value::Int(2));
        db.set(b"k", Value::Int(3), false);
        let i = db.lookup(b"k").unwrap();
        assert_eq!(db.expire_at(i), 0);
        assert_eq!(s.expires_count(0), 0);
        // An expired key is replaced by a fresh one.
        let db = s.db(0);
        let i = db.lookup(b"k").unwrap();
        db.set_expire(i, now_ms() - 1);
        db.set(b"k", Value::Int(4), true);
        let i = db.lookup(b"k").unwrap();
        assert_eq!(db.expire_at(i), 0);
        assert_eq!(db.expired_keys, 1);
    }

    #[test]
    fn swap_flush_and_pairs_of_databases() {
        let mut s = Store::new(3);
        s.db(0).set(b"a", Value::Int(0), false);
        s.db(2).set(b"b", Value::Int(2), false);
        s.swap_dbs(0, 2);
        assert!(s.db(0).exists(b"b"));
        assert!(s.db(2).exists(b"a"));
        let (x, y) = s.two_dbs(2, 0);
        assert!(x.exists(b"a") && y.exists(b"b"));
        drop(s.flush_db(2));
        assert_eq!((s.dbsize(0), s.dbsize(2)), (1, 0));
        drop(s.flush_all());
        assert_eq!(s.dbsize(0), 0);
        assert_eq!(s.db_count(), 3);
    }

    #[test]
    fn random_key_skips_and_removes_expired_keys() {
        let mut s = Store::new(1);
        let db = s.db(0);
        assert_eq!(db.random_key(), None);
        for n in 0..50 {
            let i = db.insert_new(format!("dead{n}").as_bytes(), Value::Int(n));
            db.set_expire(i, 1);
        }
        db.insert_new(b"alive", Value::Int(1));
        assert_eq!(db.random_key(), Some(b"alive".to_vec()));
        for _ in 0..20 {
            assert_eq!(db.random_key(), Some(b"alive".to_vec()));
        }
    }

    #[test]
    fn snapshot_is_unaffected_by_later_writes() {
        let mut s = Store::new(1);
        s.db(0).set(b"k", Value::raw(b"old".to_vec()), false);
        let snap = s.dbs().to_vec();
        s.db(0)
            .get_mut(b"k")
            .unwrap()
            .make_raw_mut()
            .unwrap()
            .push(b'!');
        s.db(0).set(b"new", Value::Int(1), false);
        let i = snap[0].table.find(b"k").unwrap();
        assert_eq!(snap[0].table.entry(i).value, Value::raw(b"old".to_vec()));
        assert_eq!(snap[0].len(), 1);
        assert_eq!(s.db(0).get(b"k"), Some(&Value::raw(b"old!".to_vec())));
    }
}
