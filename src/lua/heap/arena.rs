//! A typed generational arena: the storage behind every Lua heap object.
//!
//! Objects live in slots of a `Vec`; a [`Handle`] is the pair (slot index,
//! generation). Freeing a slot bumps its generation, so a handle kept past the
//! object's death no longer matches: the access is caught by a debug assertion
//! (and by a panic naming the bug in release builds) instead of silently reading
//! whatever object reuses the slot. No `unsafe` anywhere: a stale handle is a
//! bug in the collector, never undefined behaviour.
//!
//! Invariants:
//! - a slot holds `Some(object)` exactly when it is live; its index is then not
//!   on the free list;
//! - `marked` is only ever true from a collection's mark phase until the sweep
//!   passes the slot (objects created in a slot the sweep has yet to reach are
//!   born marked, see [`Arena::mark_index`], so it keeps them).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

/// A Copy reference to an object of type `T` in an [`Arena<T>`].
pub struct Handle<T> {
    pub(crate) idx: u32,
    pub(crate) gen: u32,
    _t: PhantomData<fn() -> T>,
}

impl<T> Handle<T> {
    pub(crate) fn new(idx: u32, gen: u32) -> Self {
        Handle {
            idx,
            gen,
            _t: PhantomData,
        }
    }
    /// The slot index (stable for the object's lifetime; used for hashing and
    /// for `%p`-style identities such as `table: 0x...`).
    pub fn index(self) -> u32 {
        self.idx
    }
}

impl<T> Clone for Handle<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Handle<T> {}
impl<T> PartialEq for Handle<T> {
    #[inline(always)]
    fn eq(&self, o: &Self) -> bool {
        self.idx == o.idx && self.gen == o.gen
    }
}
impl<T> Eq for Handle<T> {}
impl<T> Hash for Handle<T> {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.idx.hash(h);
        self.gen.hash(h);
    }
}
impl<T> fmt::Debug for Handle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}.{}", self.idx, self.gen)
    }
}

struct Slot<T> {
    gen: u32,
    marked: bool,
    val: Option<T>,
}

/// Slots plus a free list.
pub struct Arena<T> {
    slots: Vec<Slot<T>>,
    free: Vec<u32>,
    live: usize,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
        }
    }
}

#[cold]
#[inline(never)]
fn stale() -> ! {
    panic!("stale heap handle: an object was used after the collector freed it (GC bug)")
}

impl<T> Arena<T> {
    /// Stores `v` and returns its handle.
    pub fn insert(&mut self, v: T) -> Handle<T> {
        self.live += 1;
        if let Some(idx) = self.free.pop() {
            let s = &mut self.slots[idx as usize];
            s.val = Some(v);
            s.marked = false;
            Handle::new(idx, s.gen)
        } else {
            let idx = self.slots.len() as u32;
            self.slots.push(Slot {
                gen: 0,
                marked: false,
                val: Some(v),
            });
            Handle::new(idx, 0)
        }
    }

    #[inline(always)]
    pub fn get(&self, h: Handle<T>) -> &T {
        let s = &self.slots[h.idx as usize];
        debug_assert_eq!(s.gen, h.gen, "stale handle");
        match &s.val {
            Some(v) => v,
            None => stale(),
        }
    }

    #[inline(always)]
    pub fn get_mut(&mut self, h: Handle<T>) -> &mut T {
        let s = &mut self.slots[h.idx as usize];
        debug_assert_eq!(s.gen, h.gen, "stale handle");
        match &mut s.val {
            Some(v) => v,
            None => stale(),
        }
    }

    /// The live object in slot `idx`, with its handle.
    #[inline(always)]
    pub fn live_at(&self, idx: u32) -> Option<(Handle<T>, &T)> {
        let s = self.slots.get(idx as usize)?;
        s.val.as_ref().map(|v| (Handle::new(idx, s.gen), v))
    }

    /// True when `h` still names a live object.
    pub fn contains(&self, h: Handle<T>) -> bool {
        self.slots
            .get(h.idx as usize)
            .is_some_and(|s| s.gen == h.gen && s.val.is_some())
    }

    /// Number of live objects.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Slots in the arena, live or free: what a sweep walks.
    pub fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Sets the mark bit; returns true if it was clear (the object is newly reached).
    #[inline]
    pub fn mark(&mut self, h: Handle<T>) -> bool {
        let s = &mut self.slots[h.idx as usize];
        debug_assert_eq!(s.gen, h.gen, "stale handle");
        if s.marked {
            false
        } else {
            s.marked = true;
            true
        }
    }

    #[inline]
    pub fn is_marked(&self, h: Handle<T>) -> bool {
        self.slots[h.idx as usize].marked
    }

    /// Sets the mark of the object in slot `idx` (a new object the running
    /// sweep has not reached yet must survive it).
    #[inline]
    pub fn mark_index(&mut self, idx: u32) {
        if let Some(s) = self.slots.get_mut(idx as usize) {
            s.marked = true;
        }
    }

    /// One step of an incremental sweep: the slots `from..from + n` (clipped).
    /// Survivors lose their mark; the unmarked objects are listed in `dead`
    /// (not freed: the caller frees them with [`Arena::free`], after unlinking
    /// them from whatever indexes them). Returns where the next step starts,
    /// how many objects (live or dead) it met, and the sum of `cost` over the
    /// survivors.
    pub fn sweep_some(
        &mut self,
        from: usize,
        n: usize,
        dead: &mut Vec<Handle<T>>,
        cost: impl Fn(&T) -> usize,
    ) -> (usize, usize, usize) {
        let end = from.saturating_add(n).min(self.slots.len());
        let mut objects = 0;
        let mut live = 0;
        for i in from..end {
            let s = &mut self.slots[i];
            let Some(v) = &s.val else {
                continue;
            };
            objects += 1;
            if s.marked {
                live += cost(v);
                s.marked = false;
            } else {
                dead.push(Handle::new(i as u32, s.gen));
            }
        }
        (end, objects, live)
    }

    /// Frees the object of `h` (a dead one a sweep listed) and returns it.
    pub fn free(&mut self, h: Handle<T>) -> Option<T> {
        let s = self.slots.get_mut(h.idx as usize)?;
        if s.gen != h.gen {
            return None;
        }
        let v = s.val.take()?;
        s.gen = s.gen.wrapping_add(1);
        s.marked = false;
        self.free.push(h.idx);
        self.live -= 1;
        Some(v)
    }

    /// Every live handle (in slot order).
    pub fn handles(&self) -> impl Iterator<Item = Handle<T>> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.val.is_some())
            .map(|(i, s)| Handle::new(i as u32, s.gen))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuse_bumps_generation() {
        let mut a: Arena<i32> = Arena::default();
        let h1 = a.insert(1);
        let h2 = a.insert(2);
        assert_eq!(*a.get(h1), 1);
        a.mark(h2);
        let mut dead = vec![];
        // in two steps, as the incremental sweep does
        let (next, seen, _) = a.sweep_some(0, 1, &mut dead, |_| 1);
        assert_eq!(seen, 1);
        assert_eq!(a.sweep_some(next, 10, &mut dead, |_| 1), (2, 1, 1));
        let freed: Vec<i32> = dead.into_iter().filter_map(|h| a.free(h)).collect();
        assert_eq!(freed, vec![1]);
        assert!(!a.contains(h1));
        let h3 = a.insert(3);
        assert_eq!(h3.idx, h1.idx);
        assert_ne!(h3, h1);
        assert_eq!(*a.get(h2), 2);
        assert_eq!(a.len(), 2);
        // marks were cleared by the sweep
        assert!(!a.is_marked(h2));
    }
}
