//! The eviction pool: the best candidates for eviction seen so far, kept
//! between evictions (Redis's `EvictionPoolLRU`).
//!
//! Under the `lru`, `lfu` and `ttl` policies a victim is chosen by sampling:
//! `maxmemory-samples` keys drawn at random from each database are scored
//! (idle time, 255 minus the access-frequency counter, or how soon the key
//! expires, as the caller computes it: higher is a better victim) and offered
//! to the pool. The pool keeps the [`POOL_SIZE`] highest scores across rounds,
//! so a key that looked like a good victim in an earlier round stays in the
//! running: with the pool, sampling 5 keys per pick approximates true LRU much
//! better than taking the best of 5 fresh samples each time.
//!
//! The pool holds key names, not entry indices (indices move as keys come and
//! go). A candidate may be gone, or changed, by the time it is taken: the
//! caller looks it up again and takes the next one if it is not there.
//!
//! Invariants: at most [`POOL_SIZE`] candidates, ordered by ascending score;
//! no two candidates name the same key of the same database.

/// How many candidates the pool keeps (Redis's `EVPOOL_SIZE`).
pub const POOL_SIZE: usize = 16;

/// A key that may be evicted, with its score when it was sampled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub score: u64,
    pub db: usize,
    pub key: Vec<u8>,
}

/// The best candidates seen so far, for one kind of score.
#[derive(Debug, Clone, Default)]
pub struct EvictionPool {
    /// What the scores measure (the caller's policy tag): a different kind
    /// empties the pool, whose scores no longer compare.
    kind: u8,
    items: Vec<Candidate>,
    /// The database `*-random` looks at next (they are taken in turn).
    next_db: usize,
}

impl EvictionPool {
    /// Makes the pool hold scores of `kind`, emptying it if it held another.
    pub fn use_kind(&mut self, kind: u8) {
        if self.kind != kind {
            self.kind = kind;
            self.items.clear();
        }
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Offers `key` of `db` with `score`: kept if the pool has room or the
    /// score beats the worst one kept (which then leaves). A key already in
    /// the pool takes the new score.
    pub fn offer(&mut self, score: u64, db: usize, key: &[u8]) {
        if let Some(at) = self.items.iter().position(|c| c.db == db && c.key == key) {
            self.items.remove(at);
        }
        if self.items.len() >= POOL_SIZE && self.items.first().is_some_and(|c| c.score >= score) {
            return;
        }
        let at = self.items.partition_point(|c| c.score < score);
        if self.items.len() >= POOL_SIZE {
            // the worst leaves; everything below `at` moves down one place
            self.items.remove(0);
            self.items.insert(
                at - 1,
                Candidate {
                    score,
                    db,
                    key: key.to_vec(),
                },
            );
        } else {
            self.items.insert(
                at,
                Candidate {
                    score,
                    db,
                    key: key.to_vec(),
                },
            );
        }
    }

    /// Takes the candidate with the highest score.
    pub fn pop_best(&mut self) -> Option<Candidate> {
        self.items.pop()
    }

    /// The next of `count` databases in turn (for `*-random`).
    pub fn next_db(&mut self, count: usize) -> usize {
        let db = self.next_db % count.max(1);
        self.next_db = db + 1;
        db
    }

    /// Forgets every candidate.
    pub fn clear(&mut self) {
        self.items.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_best_sixteen_in_order() {
        let mut p = EvictionPool::default();
        for s in [5u64, 50, 1, 30, 30, 7] {
            p.offer(s, 0, format!("k{s}").as_bytes());
        }
        // "k30" offered twice: one candidate
        assert_eq!(p.len(), 5);
        for s in 100..120u64 {
            p.offer(s, 1, format!("k{s}").as_bytes());
        }
        assert_eq!(p.len(), POOL_SIZE);
        // worse than everything kept: ignored
        p.offer(2, 0, b"low");
        assert_eq!(p.len(), POOL_SIZE);
        let scores: Vec<u64> = std::iter::from_fn(|| p.pop_best().map(|c| c.score)).collect();
        assert_eq!(scores, (104..120).rev().collect::<Vec<u64>>());
        assert!(p.is_empty());
    }

    #[test]
    fn a_new_kind_of_score_empties_the_pool() {
        let mut p = EvictionPool::default();
        p.use_kind(1);
        p.offer(9, 0, b"a");
        p.use_kind(1);
        assert_eq!(p.len(), 1);
        p.use_kind(2);
        assert!(p.is_empty());
        p.offer(3, 2, b"b");
        assert_eq!(
            p.pop_best(),
            Some(Candidate {
                score: 3,
                db: 2,
                key: b"b".to_vec()
            })
        );
    }
}
