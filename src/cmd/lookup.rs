//! Typed lookups: the value of one type under a key, or Redis's WRONGTYPE.
//!
//! Every collection command starts the same way: look the key up; a missing key
//! is an empty value (or is created for a write); a key of another type answers
//! `WRONGTYPE Operation against a key holding the wrong kind of value`. This file
//! writes that once, for every collection type, through [`Typed`]:
//!
//! ```ignore
//! let h = read!(ctx, Hash, &args[1])?;        // Option<&Hash>, counted as a read
//! let i = write_or_create(db, key, out, || List::with_fill(fill))?;  // entry index
//! let list = value_mut::<List>(db, i);        // &mut List, copied if a snapshot shares it
//! ```
//!
//! Invariants: the error reply is written before `Err(Replied)` is returned, so a
//! handler just returns; `read` counts the lookup in INFO's keyspace hits or
//! misses (a reading command's lookup), the writing lookups do not (Redis counts only
//! reads); `value_mut` hands out the value for changing, and every type copies
//! data a snapshot shares before changing it, so the snapshot keeps the old one.
use super::errors;
use super::Shared;
use crate::resp::Reply;
use crate::store::hash::Hash;
use crate::store::list::List;
use crate::store::set::Set;
use crate::store::zset::ZSet;
use crate::store::{Db, Value};

/// An error reply has been written; the handler has nothing more to say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Replied;

/// A collection type stored in one `Value` variant.
pub trait Typed: Sized {
    /// The value as this type, if it is one.
    fn of(v: &Value) -> Option<&Self>;
    /// The same, for changing it: the type copies shared data itself before
    /// any change (each keeps its data behind `Arc`s).
    fn of_mut(v: &mut Value) -> Option<&mut Self>;
    /// The `Value` holding `t`.
    fn wrap(t: Self) -> Value;
    /// An empty value, to stand in where a type check was already made.
    fn empty() -> Self;
}

/// A type whose variant holds it directly (it keeps its data behind `Arc`s).
macro_rules! typed {
    ($t:ty, $variant:ident, $empty:expr) => {
        impl Typed for $t {
            fn of(v: &Value) -> Option<&Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn of_mut(v: &mut Value) -> Option<&mut Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn wrap(t: Self) -> Value {
                Value::$variant(t)
            }
            fn empty() -> Self {
                $empty
            }
        }
    };
}

typed!(Hash, Hash, Hash::new());
typed!(List, List, List::new());
typed!(Set, Set, Set::new());
typed!(ZSet, ZSet, ZSet::new());

/// Counts a lookup by a reading command in INFO's `keyspace_hits` or
/// `keyspace_misses` (commands that only write do not count, as in Redis).
pub fn count_read(shared: &Shared, hit: bool) {
    let c = if hit {
        &shared.stats.keyspace_hits
    } else {
        &shared.stats.keyspace_misses
    };
    c.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The `T` under `key` for reading: `Ok(None)` when missing, `Err(Replied)` after
/// WRONGTYPE. Counts the lookup as a read. (`read!` passes a `Ctx`'s parts.)
pub fn read<'a, T: Typed>(
    db: &'a mut Db,
    shared: &Shared,
    out: &mut Reply,
    key: &[u8],
) -> Result<Option<&'a T>, Replied> {
    let found = db.lookup(key);
    count_read(shared, found.is_some());
    match found {
        None => Ok(None),
        Some(i) => match T::of(&db.entry(i).value) {
            Some(t) => Ok(Some(t)),
            None => {
                out.error(errors::WRONGTYPE);
                Err(Replied)
            }
        },
    }
}

/// [`read`] on a `Ctx`'s selected database: `read!(ctx, Hash, key)`.
#[macro_export]
macro_rules! read {
    ($ctx:expr, $t:ty, $key:expr) => {
        $crate::cmd::lookup::read::<$t>($ctx.store.db($ctx.client.db), $ctx.shared, $ctx.out, $key)
    };
}

/// Entry index of the `T` under `key` for writing: `Ok(None)` when missing,
/// `Err(Replied)` after WRONGTYPE.
pub fn write_existing<T: Typed>(
    db: &mut Db,
    key: &[u8],
    out: &mut Reply,
) -> Result<Option<usize>, Replied> {
    match db.lookup(key) {
        Some(i) => match T::of(&db.entry(i).value) {
            Some(_) => Ok(Some(i)),
            None => {
                out.error(errors::WRONGTYPE);
                Err(Replied)
            }
        },
        None => Ok(None),
    }
}

/// Entry index of the `T` under `key` for writing, a new one from `make` when
/// the key is missing; `Err(Replied)` after WRONGTYPE.
pub fn write_or_create<T: Typed>(
    db: &mut Db,
    key: &[u8],
    out: &mut Reply,
    make: impl FnOnce() -> T,
) -> Result<usize, Replied> {
    match write_existing::<T>(db, key, out)? {
        Some(i) => Ok(i),
        None => Ok(db.insert_new(key, T::wrap(make()))),
    }
}

/// The `T` at entry `i` for modification (shared data is copied before it
/// changes, so a snapshot keeps the old value).
/// The caller has checked the type with [`write_existing`]; should it not hold, the entry
/// gets an empty `T` rather than a panic.
pub fn value_mut<T: Typed>(db: &mut Db, i: usize) -> &mut T {
    let v = &mut db.entry_mut(i).value;
    if T::of(v).is_none() {
        *v = T::wrap(T::empty());
    }
    match T::of_mut(v) {
        Some(t) => t,
        None => unreachable!("the entry was just given a value of this type"),
    }
}
