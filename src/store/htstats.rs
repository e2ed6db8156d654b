//! The figures DEBUG HTSTATS and HTSTATS-KEY print about a hash table
//! (Redis's `dictGetStats`): its size (buckets), its elements and, for a
//! chained table, how long its chains are.
//!
//! Redis's dictionaries and Ferrous's keyspace, hash and set tables are all
//! chained: a power-of-two array of buckets, each the head of a linked chain of
//! the entries whose hash ends in the bucket's bits. A *slot* in Redis's words
//! is a non-empty bucket; the distribution counts buckets by chain length (0
//! for empty ones), lengths of [`VECTLEN`] - 1 or more in the last class, which
//! is not printed, as in Redis. The sorted sets' member index is open
//! addressing (no chains): only its size and elements are known.
//!
//! Invariant: the counted figures come from walking the chains as they are;
//! a walk stops after `elements` links, so a broken chain cannot loop.

/// Classes of the chain-length distribution (Redis's `DICT_STATS_VECTLEN`).
pub const VECTLEN: usize = 50;

/// One hash table's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct TableStats {
    /// Buckets (slots for an open-addressing table).
    pub size: usize,
    pub elements: usize,
    /// Chain figures, for a chained table.
    pub chains: Option<Chains>,
}

/// The chains of a chained table.
#[derive(Debug, Clone, PartialEq)]
pub struct Chains {
    /// Non-empty buckets (Redis's "different slots").
    pub slots: usize,
    pub max_len: usize,
    /// The sum of the chains' lengths (the elements reached by walking).
    pub total_len: usize,
    /// Buckets by chain length.
    pub histogram: [usize; VECTLEN],
}

impl TableStats {
    /// The figures of an open-addressing table: size and elements only.
    pub fn open(size: usize, elements: usize) -> TableStats {
        TableStats {
            size,
            elements,
            chains: None,
        }
    }

    /// Walks the chains from `heads` (an entry's index plus one; 0 ends a
    /// chain), `next(link)` giving the link after entry `link - 1`.
    pub fn chained(heads: &[u32], elements: usize, next: impl Fn(u32) -> u32) -> TableStats {
        let mut c = Chains {
            slots: 0,
            max_len: 0,
            total_len: 0,
            histogram: [0; VECTLEN],
        };
        for &head in heads {
            let mut len = 0;
            let mut link = head;
            while link != 0 && len <= elements {
                len += 1;
                link = next(link);
            }
            c.histogram[len.min(VECTLEN - 1)] += 1;
            if len > 0 {
                c.slots += 1;
                c.max_len = c.max_len.max(len);
                c.total_len += len;
            }
        }
        TableStats {
            size: heads.len(),
            elements,
            chains: Some(c),
        }
    }

    /// The text Redis prints for table `index` (0 the main table, 1 the one
    /// a rehash moves entries to).
    pub fn describe(&self, index: usize) -> String {
        let role = if index == 0 {
            "main hash table"
        } else {
            "rehashing target"
        };
        let mut out = format!("Hash table {index} stats ({role}):\n");
        if self.elements == 0 {
            out.push_str("No stats available for empty dictionaries\n");
            return out;
        }
        out.push_str(&format!(
            " table size: {}\n number of elements: {}\n",
            self.size, self.elements
        ));
        let Some(c) = &self.chains else {
            return out;
        };
        // Redis divides in C `float`s.
        let ratio = |a: usize, b: usize| f64::from(a as f32 / b as f32);
        out.push_str(&format!(
            " different slots: {}\n max chain length: {}\n \
             avg chain length (counted): {:.2}\n avg chain length (computed): {:.2}\n \
             Chain length distribution:\n",
            c.slots,
            c.max_len,
            ratio(c.total_len, c.slots),
            ratio(self.elements, c.slots),
        ));
        for (len, &n) in c.histogram.iter().enumerate().take(VECTLEN - 1) {
            if n > 0 {
                let share = f64::from(n as f32 / self.size as f32 * 100.0);
                out.push_str(&format!("   {len}: {n} ({share:.2}%)\n"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_are_walked_and_described_as_redis_prints_them() {
        // Four buckets: empty, a chain of 2 (entries 1 -> 3), one of 1, empty.
        let next = [3u32, 0, 0];
        let s = TableStats::chained(&[0, 1, 2, 0], 3, |l| next[l as usize - 1]);
        let c = s.chains.clone().expect("chained");
        assert_eq!((c.slots, c.max_len, c.total_len), (2, 2, 3));
        assert_eq!(
            s.describe(0),
            "Hash table 0 stats (main hash table):\n table size: 4\n number of elements: 3\n \
             different slots: 2\n max chain length: 2\n avg chain length (counted): 1.50\n \
             avg chain length (computed): 1.50\n Chain length distribution:\n   \
             0: 2 (50.00%)\n   1: 1 (25.00%)\n   2: 1 (25.00%)\n"
        );
        assert_eq!(
            TableStats::open(8, 0).describe(1),
            "Hash table 1 stats (rehashing target):\nNo stats available for empty dictionaries\n"
        );
    }

    #[test]
    fn a_looping_chain_stops() {
        let s = TableStats::chained(&[1], 1, |_| 1);
        assert_eq!(s.chains.map(|c| c.max_len), Some(2));
    }
}
