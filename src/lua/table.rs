//! Lua tables: an array part plus a hash part of our own, as in Lua 5.1's ltable.c.
//!
//! - Keys `1..=array.len()` live in `array`; every other key lives in `nodes`,
//!   a power-of-two node array with chained scatter (each node holds key, value
//!   and the index of the next node of its collision chain; a colliding node
//!   that is not in its main position is moved out, as Lua does).
//! - Number keys are normalised: an integral float is looked up as an integer
//!   (so `t[1.0]` is `t[1]` and `-0` is `0`).
//! - Removing a field only stores nil: the key stays in its node ("dead key"),
//!   so [`Table::next`] is index based and stays valid while existing fields
//!   are assigned or cleared during a traversal.
//! - When a new key finds no free node, [`Table::rehash`] counts the integer
//!   keys and picks the largest array size `n` such that more than `n/2` of
//!   the slots `1..n` are used, then rebuilds the hash part for the rest. This
//!   reproduces 5.1's `#` borders exactly.
//!
//! - Placement, and so the order `next` walks the nodes in, is lua5.1's:
//!   a string key goes to its cached Lua hash masked by the node count (see
//!   `string.rs` for the 5.1 and Redis variants), a number to the sum of its
//!   double's two 32-bit words modulo `(nodes - 1) | 1`, a boolean to 0 or 1;
//!   a new key takes its main position, or a free node found by walking down
//!   from the top, moving an occupant that is not in its own main position.
//!   Inserting also stores nil under a new key, as 5.1 does.
//! - Flooding: those hashes are unkeyed, so chosen keys can share one chain.
//!   An insertion that walks a chain longer than [`MAX_CHAIN`] turns the table
//!   keyed for good (keyed string and number hashes, see `siphash`) and
//!   rebuilds it: linear time under attack, 5.1's order otherwise.
//!
//! Invariants: `nodes.len()` is 0 or a power of two; every node caches the
//! hash its key is placed by (for the table's current mode), so moving and
//! rebuilding never read a key's string; a node whose value is nil may hold a
//! stale key handle, which is only ever compared, never dereferenced.

use super::heap::arena::Arena;
use super::string::LuaStr;
use super::value::{StrRef, TableRef, Value};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

const NONE: u32 = u32::MAX;
/// log2 of the largest array part.
const MAXBITS: usize = 26;
const MAXASIZE: usize = 1 << MAXBITS;
/// The longest collision chain an insertion accepts before the table turns
/// keyed. Under 5.1's hashes, ordinary keys stay at 10 or below even with a
/// million keys (see `table_tests.rs`); keys 5.1 itself hashes badly can pass
/// it (their order then differs from lua5.1's, which is slow on them too).
/// Under attack an insertion walks at most this many nodes before the
/// switch, so filling a table stays linear.
const MAX_CHAIN: usize = 32;

/// The heap's string arena: string keys are hashed by their cached hashes.
pub type Strings = Arena<LuaStr>;

#[derive(Clone, Copy, Default)]
struct Node {
    key: Value,
    val: Value,
    next: u32,
    /// The key's hash as this table places it (5.1's, or keyed): kept so
    /// that moving and rehashing nodes never reads the key's string.
    hash: u32,
}

/// `next` was given a key the table does not hold ("invalid key to 'next'").
#[derive(Debug, PartialEq, Eq)]
pub struct InvalidKey;

/// Why a store into a table failed (the message is Lua's).
#[derive(Debug, PartialEq, Eq)]
pub enum KeyError {
    Nil,
    NaN,
    /// The table was made read-only (Redis's sandbox: see [`Table::readonly`]).
    ReadOnly,
}

impl KeyError {
    pub fn message(&self) -> &'static str {
        match self {
            KeyError::Nil => "table index is nil",
            KeyError::NaN => "table index is NaN",
            KeyError::ReadOnly => "Attempt to modify a readonly table",
        }
    }
}

/// A Lua table.
#[derive(Default)]
pub struct Table {
    /// The array part: keys `1..=array.len()`. Read it freely; write it only
    /// through [`Table::store_array`] / [`Table::store_slice`] (or a method
    /// that recounts), which keep `dense` and `holes` true.
    pub array: Vec<Value>,
    /// While `holes` is false: items `0..dense` of the array part are
    /// non-nil and every later one is nil, so `dense` is the only border the
    /// array part has and `#t` needs no search. Tracked by every array store;
    /// a store that makes a hole sets `holes` until the next resize recounts.
    dense: usize,
    holes: bool,
    nodes: Vec<Node>,
    last_free: usize,
    /// The metatable, if any.
    pub meta: Option<TableRef>,
    /// Cache of metamethods known to be absent when this table is used as a
    /// metatable (bit `i` set: event `i` absent). Cleared by every store.
    pub flags: u8,
    /// Every store fails with [`KeyError::ReadOnly`] (and `setmetatable` refuses):
    /// the flag Redis's patched Lua gives `_G` and the library tables of scripts.
    /// Plain Lua never sets it.
    pub readonly: bool,
    /// Bumped whenever the array/hash layout is rebuilt (a rehash): the
    /// collector, traversing a big table a piece at a time, starts over
    /// when the layout changed under it.
    pub(crate) layout: u32,
    /// Placement uses the keyed hashes (set for good when an insertion met a
    /// chain longer than [`MAX_CHAIN`]); otherwise 5.1's hashes, so that
    /// `next` walks the keys in lua5.1's order.
    keyed: bool,
}

#[inline(always)]
fn mix(x: u32) -> u32 {
    let h = x.wrapping_mul(0x9E37_79B1);
    h ^ (h >> 15)
}

/// Lua 5.1's hash of a number key: the double's two 32-bit words added
/// (`-0` is normalised to `0` first, whose hash is 0: node 0, as in 5.1).
#[inline(always)]
fn num_hash51(n: f64) -> u32 {
    let bits = (n + 0.0).to_bits();
    (bits as u32).wrapping_add((bits >> 32) as u32)
}

/// The hash of a number key in a keyed table (see `siphash`).
#[inline]
fn num_hash_keyed(n: f64) -> u32 {
    super::siphash::hash_u64((n + 0.0).to_bits())
}

/// The hash of a key that is neither a string nor a number. Lua 5.1 hashes
/// these by address (so their order is not reproducible in 5.1 either) and
/// booleans as 0 and 1; ours use the handle's slot index.
#[inline]
fn other_hash(k: &Value) -> u32 {
    match *k {
        Value::Table(h) => mix(h.index() ^ 0x1000_0000),
        Value::Func(h) => mix(h.index() ^ 0x2000_0000),
        Value::UserData(h) => mix(h.index() ^ 0x3000_0000),
        Value::Thread(h) => mix(h.index() ^ 0x4000_0000),
        Value::LightUserData(p) => mix((p as u32) ^ ((p as u64 >> 32) as u32)),
        Value::Bool(b) => b as u32,
        Value::Str(h) => mix(h.index()),
        Value::Num(n) => num_hash51(n),
        Value::Nil => 0,
    }
}

/// `ceil(log2(x))` for `x >= 1`.
fn ceil_log2(x: usize) -> usize {
    (usize::BITS - (x - 1).leading_zeros()) as usize
}

/// The array index `k` names when `v` is an integral number in `1..=MAXASIZE`.
#[inline]
fn array_index(v: &Value) -> Option<usize> {
    if let Value::Num(n) = *v {
        let k = n as usize;
        if k as f64 == n && (1..=MAXASIZE).contains(&k) {
            return Some(k);
        }
    }
    None
}

/// Decodes NEWTABLE's "floating point byte" size hints (`eeeeexxx`).
pub fn fb2int(x: u32) -> usize {
    let e = (x >> 3) & 31;
    if e == 0 {
        x as usize
    } else {
        (((x & 7) + 8) as usize) << (e - 1)
    }
}

impl Table {
    /// A table with room for `narray` array items and `nhash` other fields.
    pub fn with_sizes(narray: usize, nhash: usize) -> Table {
        let mut t = Table::default();
        t.array.resize(narray, Value::Nil);
        t.set_node_size(nhash);
        t
    }

    /// `array[u] = v` for `u < array.len()`, keeping the border bookkeeping.
    #[inline(always)]
    pub fn store_array(&mut self, u: usize, v: Value) {
        self.array[u] = v;
        self.note_store(u, !v.is_nil());
    }

    /// `array[start..start + vs.len()] = vs` (inside the array part).
    pub fn store_slice(&mut self, start: usize, vs: &[Value]) {
        self.array[start..start + vs.len()].copy_from_slice(vs);
        for (j, v) in vs.iter().enumerate() {
            self.note_store(start + j, !v.is_nil());
        }
    }

    /// Updates `dense`/`holes` after array item `u` became present or nil.
    #[inline(always)]
    fn note_store(&mut self, u: usize, present: bool) {
        if self.holes {
            return;
        }
        let d = self.dense;
        if present {
            if u == d {
                self.dense = d + 1;
            } else if u > d {
                self.holes = true;
            }
        } else if u < d {
            if u + 1 == d {
                self.dense = d - 1;
            } else {
                self.holes = true;
            }
        }
    }

    /// Recomputes `dense`/`holes` from the array part (after a resize).
    fn recount(&mut self) {
        let d = self
            .array
            .iter()
            .position(|v| v.is_nil())
            .unwrap_or(self.array.len());
        self.dense = d;
        self.holes = self.array[d..].iter().any(|v| !v.is_nil());
    }

    /// Approximate heap bytes used (for the collector's accounting).
    pub fn mem_size(&self) -> usize {
        64 + self.array.capacity() * 16 + self.nodes.len() * std::mem::size_of::<Node>()
    }

    fn set_node_size(&mut self, n: usize) {
        if n == 0 {
            self.nodes = Vec::new();
        } else {
            let size = 1usize << ceil_log2(n);
            self.nodes = vec![
                Node {
                    key: Value::Nil,
                    val: Value::Nil,
                    next: NONE,
                    hash: 0,
                };
                size
            ];
        }
        self.last_free = self.nodes.len();
    }

    /// The hash this table places `k` with: 5.1's, or the keyed one once the
    /// table went keyed. (A string key must be live: its hashes are read from
    /// the string object.)
    #[inline(always)]
    fn hash_of(&self, k: &Value, strs: &Strings) -> u32 {
        match *k {
            Value::Str(s) => {
                let s = strs.get(s);
                if self.keyed {
                    s.hash
                } else {
                    s.h51
                }
            }
            Value::Num(n) => {
                if self.keyed {
                    num_hash_keyed(n)
                } else {
                    num_hash51(n)
                }
            }
            _ => other_hash(k),
        }
    }

    /// The main position of a key of hash `h`: 5.1 takes number keys modulo
    /// the odd number `(size - 1) | 1` (their low bits are often all zero)
    /// and every other key's low bits; a keyed hash is good in every bit.
    #[inline(always)]
    fn slot(&self, k: &Value, h: u32) -> usize {
        let n = self.nodes.len();
        if !self.keyed && matches!(k, Value::Num(_)) {
            h as usize % ((n - 1) | 1)
        } else {
            h as usize & (n - 1)
        }
    }

    /// The node holding key `k` (live or dead) whose hash is `h`, if any.
    #[inline]
    fn find(&self, k: &Value, h: u32) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut i = self.slot(k, h);
        loop {
            let n = &self.nodes[i];
            if n.key == *k {
                return Some(i);
            }
            if n.next == NONE {
                return None;
            }
            i = n.next as usize;
        }
    }

    /// Raw `t[i]` for an integer key.
    #[inline(always)]
    pub fn get_int(&self, i: i64) -> Value {
        let u = (i as u64).wrapping_sub(1);
        if u < self.array.len() as u64 {
            return self.array[u as usize];
        }
        self.get_num(i as f64)
    }

    /// A number key in the hash part (needs no string arena).
    #[inline]
    fn get_num(&self, n: f64) -> Value {
        let k = Value::Num(n);
        let h = if self.keyed {
            num_hash_keyed(n)
        } else {
            num_hash51(n)
        };
        match self.find(&k, h) {
            Some(i) => self.nodes[i].val,
            None => Value::Nil,
        }
    }

    /// The hash this table places string `s` by (5.1's, or the keyed one
    /// once the table went keyed): [`Table::hash_of`] for a string key.
    #[inline(always)]
    fn str_hash(&self, s: StrRef, strs: &Strings) -> u32 {
        let o = strs.get(s);
        if self.keyed {
            o.hash
        } else {
            o.h51
        }
    }

    /// Raw `t[s]` for a string key (the VM's field and global reads): the
    /// chain walk of [`Table::get`] from the string's main position (its
    /// cached hash masked by the node count, as [`Table::slot`] places it).
    #[inline(always)]
    pub fn get_str(&self, s: StrRef, strs: &Strings) -> Value {
        if self.nodes.is_empty() {
            return Value::Nil;
        }
        let mut i = self.str_hash(s, strs) as usize & (self.nodes.len() - 1);
        loop {
            let Some(n) = self.nodes.get(i) else {
                return Value::Nil;
            };
            if let Value::Str(h) = n.key {
                if h == s {
                    return n.val;
                }
            }
            if n.next == NONE {
                return Value::Nil;
            }
            i = n.next as usize;
        }
    }

    /// [`Table::get_str`] through an inline-cache cell: when the node the
    /// cell names holds key `s`, that node is the key's (a key has one node
    /// in a table), so its value is the answer without hashing; otherwise the
    /// normal lookup runs and the cell learns where the key was found.
    #[inline(always)]
    pub fn get_str_hinted(&self, s: StrRef, hint: &AtomicU32, strs: &Strings) -> Value {
        if let Some(n) = self.nodes.get(hint.load(Relaxed) as usize) {
            if n.key == Value::Str(s) {
                return n.val;
            }
        }
        match self.find_str(s, strs) {
            Some(i) => {
                hint.store(i as u32, Relaxed);
                self.nodes[i].val
            }
            None => Value::Nil,
        }
    }

    /// [`Table::set_existing_str`] through an inline-cache cell (see
    /// [`Table::get_str_hinted`]).
    #[inline(always)]
    pub fn set_existing_str_hinted(
        &mut self,
        s: StrRef,
        v: Value,
        hint: &AtomicU32,
        strs: &Strings,
    ) -> bool {
        if let Some(n) = self.nodes.get_mut(hint.load(Relaxed) as usize) {
            if n.key == Value::Str(s) {
                n.val = v;
                return true;
            }
        }
        match self.find_str(s, strs) {
            Some(i) => {
                hint.store(i as u32, Relaxed);
                self.nodes[i].val = v;
                true
            }
            None => false,
        }
    }

    /// The node of string key `s` (live or dead), if any.
    #[inline]
    fn find_str(&self, s: StrRef, strs: &Strings) -> Option<usize> {
        if self.nodes.is_empty() {
            return None;
        }
        let mut i = self.str_hash(s, strs) as usize & (self.nodes.len() - 1);
        loop {
            let n = self.nodes.get(i)?;
            if let Value::Str(h) = n.key {
                if h == s {
                    return Some(i);
                }
            }
            if n.next == NONE {
                return None;
            }
            i = n.next as usize;
        }
    }

    /// Raw `t[s] = v` when string key `s` already has a node (live or
    /// dead): stores and answers true; false when the key is absent.
    #[inline(always)]
    pub fn set_existing_str(&mut self, s: StrRef, v: Value, strs: &Strings) -> bool {
        if self.nodes.is_empty() {
            return false;
        }
        let mut i = self.str_hash(s, strs) as usize & (self.nodes.len() - 1);
        loop {
            let Some(n) = self.nodes.get_mut(i) else {
                return false;
            };
            if let Value::Str(h) = n.key {
                if h == s {
                    n.val = v;
                    return true;
                }
            }
            if n.next == NONE {
                return false;
            }
            i = n.next as usize;
        }
    }

    /// Raw `t[k]` with the VM's fast paths: an integral number within the
    /// array part, a string key.
    #[inline(always)]
    pub fn get_fast(&self, k: &Value, strs: &Strings) -> Value {
        match *k {
            Value::Num(n) => {
                let u = (n as usize).wrapping_sub(1);
                match self.array.get(u) {
                    Some(v) if (u + 1) as f64 == n => *v,
                    _ => self.get(k, strs),
                }
            }
            Value::Str(s) => self.get_str(s, strs),
            _ => self.get(k, strs),
        }
    }

    /// Raw `t[k]` (`rawget`). `strs` is the heap's string arena (string keys
    /// are placed by their cached hashes).
    #[inline]
    pub fn get(&self, k: &Value, strs: &Strings) -> Value {
        match *k {
            Value::Num(n) => {
                let i = n as i64;
                if i as f64 == n {
                    self.get_int(i)
                } else {
                    self.get_num(n)
                }
            }
            Value::Nil => Value::Nil,
            _ => {
                if self.nodes.is_empty() {
                    return Value::Nil;
                }
                match self.find(k, self.hash_of(k, strs)) {
                    Some(i) => self.nodes[i].val,
                    None => Value::Nil,
                }
            }
        }
    }

    /// Raw `t[k] = v` (`rawset`). Fails for a nil or NaN key. As in 5.1, a
    /// new key gets its node even when `v` is nil (the node then holds a dead
    /// key, reused by the next key whose main position it is).
    #[inline]
    pub fn set(&mut self, k: Value, v: Value, strs: &Strings) -> Result<(), KeyError> {
        self.set_moving(k, v, strs).map(|_| ())
    }

    /// [`Table::set`] that also answers the entry the store moved to another
    /// node without a rehash (a colliding node out of its main position makes
    /// room for the new key): the collector, traversing a big table a piece
    /// at a time, must mark it, as it may have moved into the part already
    /// traversed.
    #[inline]
    pub(crate) fn set_moving(
        &mut self,
        k: Value,
        v: Value,
        strs: &Strings,
    ) -> Result<Option<(Value, Value)>, KeyError> {
        if self.readonly {
            return Err(KeyError::ReadOnly);
        }
        self.flags = 0;
        let k = match k {
            Value::Num(n) => {
                let i = n as i64;
                if i as f64 == n {
                    let u = (i as u64).wrapping_sub(1);
                    if u < self.array.len() as u64 {
                        self.store_array(u as usize, v);
                        return Ok(None);
                    }
                    Value::Num(i as f64) // normalises -0 to 0
                } else if n.is_nan() {
                    return Err(KeyError::NaN);
                } else {
                    k
                }
            }
            Value::Nil => return Err(KeyError::Nil),
            _ => k,
        };
        let h = self.hash_of(&k, strs);
        Ok(self.set_hashed(k, h, v, strs))
    }

    /// Raw `t[i] = v` for an integer key. It reports no moved entry, so
    /// stores the collector must see go through `Heap::table_set` instead.
    #[inline]
    pub fn set_int(&mut self, i: i64, v: Value, strs: &Strings) {
        let u = (i as u64).wrapping_sub(1);
        self.flags = 0;
        if u < self.array.len() as u64 {
            self.store_array(u as usize, v);
        } else if !self.readonly {
            let n = i as f64;
            let h = if self.keyed {
                num_hash_keyed(n)
            } else {
                num_hash51(n)
            };
            let _ = self.set_hashed(Value::Num(n), h, v, strs);
        }
    }

    /// Stores `v` under the normalised, non-array key `k` of hash `h`: into
    /// its node if it has one, else into a new node. Walking the chain of a
    /// new key also measures it: a chain longer than [`MAX_CHAIN`] makes the
    /// table keyed ([`Table::go_keyed`]).
    /// Answers the entry a new key moved (see [`Table::set_moving`]).
    fn set_hashed(
        &mut self,
        k: Value,
        mut h: u32,
        v: Value,
        strs: &Strings,
    ) -> Option<(Value, Value)> {
        if !self.nodes.is_empty() {
            let mut i = self.slot(&k, h);
            let mut len = 1;
            loop {
                let n = &mut self.nodes[i];
                if n.key == k {
                    n.val = v;
                    return None;
                }
                if n.next == NONE {
                    break;
                }
                i = n.next as usize;
                len += 1;
            }
            if len > MAX_CHAIN && !self.keyed {
                self.go_keyed(strs);
                h = match k {
                    Value::Num(n) => num_hash_keyed(n),
                    Value::Str(s) => strs.get(s).hash,
                    _ => h,
                };
            }
        }
        self.new_key(k, h, v)
    }

    /// Switches this table to keyed placement for good (a chain grew longer
    /// than chance allows: someone chose colliding keys) and rebuilds its
    /// hash part with the keyed hashes. Only live keys are rehashed (a dead
    /// key's string may be gone); dead nodes are dropped by the rebuild.
    #[cold]
    fn go_keyed(&mut self, strs: &Strings) {
        self.keyed = true;
        for n in self.nodes.iter_mut() {
            if n.val.is_nil() {
                continue;
            }
            n.hash = match n.key {
                Value::Num(x) => num_hash_keyed(x),
                // a live value's key is alive (the collector clears weak
                // entries before it frees their keys)
                Value::Str(s) => strs.get(s).hash,
                _ => n.hash,
            };
        }
        let (na, nh) = (self.array.len(), self.nodes.len());
        self.resize(na, nh);
    }

    /// Recomputes the hashes of the string keys (after the interner changed
    /// its unkeyed hash: [`crate::lua::Vm::use_redis_string_hash`]) and
    /// rebuilds the hash part with them.
    pub fn rehash_strings(&mut self, strs: &Strings) {
        if self.keyed || self.nodes.is_empty() {
            return;
        }
        for n in self.nodes.iter_mut() {
            if let (Value::Str(s), false) = (n.key, n.val.is_nil()) {
                n.hash = strs.get(s).h51;
            }
        }
        let (na, nh) = (self.array.len(), self.nodes.len());
        self.resize(na, nh);
    }

    fn free_position(&mut self) -> Option<usize> {
        while self.last_free > 0 {
            self.last_free -= 1;
            if self.nodes[self.last_free].key.is_nil() {
                return Some(self.last_free);
            }
        }
        None
    }

    /// Stores into a table that was just resized: `k` (normalised, hash `h`)
    /// may now belong to the array part.
    fn reinsert(&mut self, k: Value, h: u32, v: Value) {
        if let Some(ix) = array_index(&k) {
            if ix <= self.array.len() {
                self.store_array(ix - 1, v);
                return;
            }
        }
        match self.find(&k, h) {
            Some(i) => self.nodes[i].val = v,
            None => {
                // after a rehash the layout changed: the collector starts
                // the table over, so a move needs no report
                let _ = self.new_key(k, h, v);
            }
        }
    }

    /// Inserts a key known to be absent (and not nil/NaN): 5.1's `newkey`.
    /// Answers the entry it moved without a rehash (see [`Table::set_moving`]).
    fn new_key(&mut self, k: Value, h: u32, v: Value) -> Option<(Value, Value)> {
        if self.nodes.is_empty() {
            self.rehash(&k);
            self.reinsert(k, h, v);
            return None;
        }
        let mp = self.slot(&k, h);
        if !self.nodes[mp].val.is_nil() {
            let Some(f) = self.free_position() else {
                self.rehash(&k);
                self.reinsert(k, h, v);
                return None;
            };
            let occupant = self.nodes[mp];
            let other = self.slot(&occupant.key, occupant.hash);
            if other != mp {
                // The occupant is a colliding node out of its main position: move it.
                let mut prev = other;
                while self.nodes[prev].next as usize != mp {
                    prev = self.nodes[prev].next as usize;
                }
                self.nodes[prev].next = f as u32;
                self.nodes[f] = occupant;
                self.nodes[mp] = Node {
                    key: k,
                    val: v,
                    next: NONE,
                    hash: h,
                };
                return Some((self.nodes[f].key, self.nodes[f].val));
            } else {
                self.nodes[f] = Node {
                    key: k,
                    val: v,
                    next: occupant.next,
                    hash: h,
                };
                self.nodes[mp].next = f as u32;
            }
        } else {
            // a free node, or a dead key's: take it, keeping its chain link
            let n = &mut self.nodes[mp];
            n.key = k;
            n.val = v;
            n.hash = h;
        }
        None
    }

    /// Recomputes the array/hash split for the current keys plus `extra`.
    fn rehash(&mut self, extra: &Value) {
        let mut nums = [0usize; MAXBITS + 1];
        // keys in the array part
        let mut na = 0;
        let mut lim = 1usize;
        let mut i = 1usize;
        for (lg, slot) in nums.iter_mut().enumerate() {
            let _ = lg;
            let mut lc = 0;
            let hi = lim.min(self.array.len());
            while i <= hi {
                if !self.array[i - 1].is_nil() {
                    lc += 1;
                }
                i += 1;
            }
            *slot += lc;
            na += lc;
            if i > self.array.len() {
                break;
            }
            lim *= 2;
        }
        let mut total = na;
        // keys in the hash part
        for n in &self.nodes {
            if !n.val.is_nil() {
                if let Some(k) = array_index(&n.key) {
                    nums[ceil_log2(k)] += 1;
                    na += 1;
                }
                total += 1;
            }
        }
        if let Some(k) = array_index(extra) {
            nums[ceil_log2(k)] += 1;
            na += 1;
        }
        total += 1;
        // compute the new array size
        let mut a = 0;
        let mut na_final = 0;
        let mut n_opt = 0;
        let mut twotoi = 1usize;
        for &c in nums.iter() {
            if twotoi / 2 >= na {
                break;
            }
            if c > 0 {
                a += c;
                if a > twotoi / 2 {
                    n_opt = twotoi;
                    na_final = a;
                }
            }
            if a == na {
                break;
            }
            twotoi *= 2;
        }
        self.resize(n_opt, total - na_final);
    }

    /// Gives the table an array part of `nasize` and room for `nhsize` other
    /// keys, reinserting as 5.1 does: first the array slice that leaves the
    /// array part, then the live nodes from the last one down.
    pub fn resize(&mut self, nasize: usize, nhsize: usize) {
        self.layout = self.layout.wrapping_add(1);
        let old_nodes = std::mem::take(&mut self.nodes);
        if nasize > self.array.len() {
            self.array.resize(nasize, Value::Nil);
        }
        self.set_node_size(nhsize);
        if nasize < self.array.len() {
            let moved: Vec<Value> = self.array.drain(nasize..).collect();
            self.array.shrink_to_fit();
            for (j, v) in moved.into_iter().enumerate() {
                if !v.is_nil() {
                    let n = (nasize + j + 1) as f64;
                    let h = if self.keyed {
                        num_hash_keyed(n)
                    } else {
                        num_hash51(n)
                    };
                    self.reinsert(Value::Num(n), h, v);
                }
            }
        }
        for n in old_nodes.iter().rev() {
            if !n.val.is_nil() {
                self.reinsert(n.key, n.hash, n.val);
            }
        }
        self.recount();
    }

    /// Grows the array part to at least `n` slots (SETLIST with many items).
    pub fn ensure_array(&mut self, n: usize) {
        if n > self.array.len() {
            let nh = self.nodes.len();
            self.resize(n, nh);
        }
    }

    /// The traversal step of `next`: the entry after `k` (nil starts), or
    /// `Ok(None)` at the end; `Err(InvalidKey)` when `k` is not a key of the table.
    pub fn next(&self, k: &Value, strs: &Strings) -> Result<Option<(Value, Value)>, InvalidKey> {
        let mut i = match *k {
            Value::Nil => 0,
            _ => match array_index(k) {
                Some(ix) if ix <= self.array.len() => ix,
                _ => {
                    let norm = match *k {
                        Value::Num(n) => Value::Num(n + 0.0),
                        other => other,
                    };
                    if self.nodes.is_empty() {
                        return Err(InvalidKey);
                    }
                    match self.find(&norm, self.hash_of(&norm, strs)) {
                        Some(ni) => self.array.len() + ni + 1,
                        None => return Err(InvalidKey),
                    }
                }
            },
        };
        while i < self.array.len() {
            if !self.array[i].is_nil() {
                return Ok(Some((Value::Num((i + 1) as f64), self.array[i])));
            }
            i += 1;
        }
        let mut j = i - self.array.len();
        while j < self.nodes.len() {
            let n = &self.nodes[j];
            if !n.val.is_nil() {
                return Ok(Some((n.key, n.val)));
            }
            j += 1;
        }
        Ok(None)
    }

    /// The length operator on a table: a border as 5.1's `luaH_getn` finds it.
    pub fn length(&self) -> usize {
        let j = self.array.len();
        if j > 0 && self.array[j - 1].is_nil() {
            if !self.holes {
                // the only border of the array part (the search below would find it)
                return self.dense;
            }
            let (mut i, mut j) = (0usize, j);
            while j - i > 1 {
                let m = (i + j) / 2;
                if self.array[m - 1].is_nil() {
                    j = m;
                } else {
                    i = m;
                }
            }
            return i;
        }
        if self.nodes.is_empty() {
            return j;
        }
        // unbound search
        let mut i = j;
        let mut j = j + 1;
        while !self.get_int(j as i64).is_nil() {
            i = j;
            if j > (i32::MAX as usize) / 2 {
                let mut i = 1;
                while !self.get_int(i as i64).is_nil() {
                    i += 1;
                }
                return i - 1;
            }
            j *= 2;
        }
        while j - i > 1 {
            let m = (i + j) / 2;
            if self.get_int(m as i64).is_nil() {
                j = m;
            } else {
                i = m;
            }
        }
        i
    }

    /// Visits every live (key, value) pair of the hash part and every non-nil
    /// array item (for the collector).
    pub fn for_each(&self, mut f: impl FnMut(&Value, &Value)) {
        for (i, v) in self.array.iter().enumerate() {
            if !v.is_nil() {
                f(&Value::Num((i + 1) as f64), v);
            }
        }
        for n in &self.nodes {
            if !n.val.is_nil() {
                f(&n.key, &n.val);
            }
        }
    }

    /// Array slots plus hash nodes: the positions [`Table::for_each_from`] counts.
    pub fn entry_slots(&self) -> usize {
        self.array.len() + self.nodes.len()
    }

    /// [`Table::for_each`] over positions `from..from + n` only (array slots
    /// first, then nodes); returns the position after the last one visited.
    pub fn for_each_from(&self, from: usize, n: usize, mut f: impl FnMut(&Value, &Value)) -> usize {
        let end = from.saturating_add(n).min(self.entry_slots());
        let na = self.array.len();
        for i in from..end {
            if i < na {
                let v = &self.array[i];
                if !v.is_nil() {
                    f(&Value::Num((i + 1) as f64), v);
                }
            } else {
                let node = &self.nodes[i - na];
                if !node.val.is_nil() {
                    f(&node.key, &node.val);
                }
            }
        }
        end
    }

    /// Clears the entries for which `dead(key, value)` holds (weak tables).
    pub fn clear_where(&mut self, mut dead: impl FnMut(&Value, &Value) -> bool) {
        for i in 0..self.array.len() {
            let v = self.array[i];
            if !v.is_nil() && dead(&Value::Num((i + 1) as f64), &v) {
                self.store_array(i, Value::Nil);
            }
        }
        for n in self.nodes.iter_mut() {
            if !n.val.is_nil() && dead(&n.key, &n.val) {
                n.val = Value::Nil;
            }
        }
    }

    /// Number of hash nodes (for tests and accounting).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
impl Table {
    /// The longest collision chain, counted from the main positions of live
    /// keys (for tests of the placement).
    fn longest_chain(&self) -> usize {
        let mut longest = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.val.is_nil() || self.slot(&n.key, n.hash) != i {
                continue;
            }
            let (mut len, mut j) = (1, i);
            while self.nodes[j].next != NONE {
                j = self.nodes[j].next as usize;
                len += 1;
            }
            longest = longest.max(len);
        }
        longest
    }

    /// The average number of nodes a lookup of one of `keys` walks.
    fn avg_probes(&self, keys: &[Value], strs: &Strings) -> f64 {
        let mut probes = 0usize;
        for k in keys {
            let mut i = self.slot(k, self.hash_of(k, strs));
            probes += 1;
            while self.nodes[i].key != *k {
                i = self.nodes[i].next as usize;
                probes += 1;
            }
        }
        probes as f64 / keys.len() as f64
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod table_tests;

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: f64) -> Value {
        Value::Num(x)
    }

    #[test]
    fn array_and_hash_parts() {
        let strs = Strings::default();
        let mut t = Table::default();
        for i in 1..=100 {
            t.set(n(i as f64), n(i as f64 * 2.0), &strs).unwrap();
        }
        assert_eq!(t.length(), 100);
        assert!(t.array.len() >= 64);
        assert_eq!(t.get(&n(50.0), &strs), n(100.0));
        t.set(n(0.5), n(1.0), &strs).unwrap();
        assert_eq!(t.get(&n(0.5), &strs), n(1.0));
        assert_eq!(t.set(Value::Nil, n(1.0), &strs), Err(KeyError::Nil));
        assert_eq!(t.set(n(f64::NAN), n(1.0), &strs), Err(KeyError::NaN));
        t.set(n(-0.0), Value::Bool(true), &strs).unwrap();
        assert_eq!(t.get(&n(0.0), &strs), Value::Bool(true));
    }

    #[test]
    fn next_survives_clearing_fields() {
        let strs = Strings::default();
        let mut t = Table::default();
        for i in 0..50 {
            t.set(n(i as f64 + 0.5), n(i as f64), &strs).unwrap();
        }
        let mut k = Value::Nil;
        let mut seen = 0;
        while let Some((key, _)) = t.next(&k, &strs).unwrap() {
            t.set(key, Value::Nil, &strs).unwrap();
            seen += 1;
            k = key;
        }
        assert_eq!(seen, 50);
        assert_eq!(t.next(&Value::Nil, &strs).unwrap(), None);
        assert!(t.next(&n(1000.5), &strs).is_err());
    }

    #[test]
    fn border_like_lua_5_1() {
        // t = {1, 2, nil, 4}: constructor-sized array of 4 -> # is 4
        let strs = Strings::default();
        let mut t = Table::with_sizes(4, 0);
        for (i, v) in [1.0, 2.0, f64::NAN, 4.0].iter().enumerate() {
            if !v.is_nan() {
                t.set(n(i as f64 + 1.0), n(*v), &strs).unwrap();
            }
        }
        assert_eq!(t.length(), 4);
        // t = {1, 2, nil} -> 2 (binary search inside the array)
        let mut t = Table::with_sizes(3, 0);
        t.set(n(1.0), n(1.0), &strs).unwrap();
        t.set(n(2.0), n(2.0), &strs).unwrap();
        assert_eq!(t.length(), 2);
        assert_eq!(fb2int(8), 8);
        assert_eq!(fb2int(0x11), 18);
    }
}

#[cfg(test)]
mod flooding_tests {
    use super::*;

    /// Number keys that all shared one hash before (their 32-bit halves xor
    /// to one value) now sit in short chains: a lookup walks about one node.
    #[test]
    fn colliding_number_keys_get_short_chains() {
        let strs = Strings::default();
        let mut t = Table::default();
        let n = 50_000u64;
        let keys: Vec<Value> = (0..n)
            .map(|i| {
                let hi = 0x4100_0000 + i;
                Value::Num(f64::from_bits((hi << 32) | (hi ^ 0x5555)))
            })
            .collect();
        for k in &keys {
            t.set(*k, Value::Bool(true), &strs).unwrap();
        }
        let avg = t.avg_probes(&keys, &strs);
        assert!(avg < 2.5, "{avg} nodes per lookup");
    }
}
