//! A small unsigned big integer for exact decimal <-> binary steps: the 80-bit
//! `long double` conversions of [`super::float80`] and the underflow check of
//! [`super::strtod`]. Only what those need: building from digits, shifts,
//! multiplication, comparison, division with a small quotient, decimal output.
//!
//! Invariants: a value is a little-endian vector of 32-bit limbs with no zero limb
//! on top (zero is the empty vector), so equal values have equal vectors and
//! [`Big::cmp`] can compare lengths first. Callers keep the sizes bounded (a few
//! thousand limbs at most); nothing here is sized by untrusted input directly.

/// A little-endian unsigned big integer in 32-bit limbs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Big(Vec<u32>);

impl Big {
    pub(super) fn zero() -> Big {
        Big(Vec::new())
    }

    pub(super) fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }

    pub(super) fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    pub(super) fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn pow10(n: usize) -> Big {
        let mut b = Big::from_u64(1);
        let mut left = n;
        while left >= 9 {
            b = b.mul_small(1_000_000_000);
            left -= 9;
        }
        b.mul_small(10u32.pow(left as u32))
    }

    pub(super) fn bit_len(&self) -> usize {
        match self.0.last() {
            None => 0,
            Some(&top) => self.0.len() * 32 - top.leading_zeros() as usize,
        }
    }

    pub(super) fn bit(&self, i: usize) -> bool {
        self.0
            .get(i / 32)
            .is_some_and(|&l| (l >> (i % 32)) & 1 == 1)
    }

    /// Whether any bit below position `i` is set.
    pub(super) fn any_below(&self, i: usize) -> bool {
        let (limbs, bits) = (i / 32, i % 32);
        self.0.iter().take(limbs).any(|&l| l != 0)
            || (bits > 0
                && self
                    .0
                    .get(limbs)
                    .is_some_and(|&l| l & ((1u32 << bits) - 1) != 0))
    }

    pub(super) fn low_u64(&self) -> u64 {
        let lo = u64::from(self.0.first().copied().unwrap_or(0));
        let hi = u64::from(self.0.get(1).copied().unwrap_or(0));
        lo | (hi << 32)
    }

    pub(super) fn mul_small(&self, m: u32) -> Big {
        let mut out = Vec::with_capacity(self.0.len() + 1);
        let mut carry = 0u64;
        for &l in &self.0 {
            let v = u64::from(l) * u64::from(m) + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        let mut b = Big(out);
        b.trim();
        b
    }

    pub(super) fn add_small(mut self, a: u32) -> Big {
        let mut carry = u64::from(a);
        for l in self.0.iter_mut() {
            if carry == 0 {
                break;
            }
            let v = u64::from(*l) + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self
    }

    pub(super) fn mul(&self, o: &Big) -> Big {
        let mut out = vec![0u32; self.0.len() + o.0.len() + 1];
        for (i, &a) in self.0.iter().enumerate() {
            let mut carry = 0u64;
            for (j, &b) in o.0.iter().enumerate() {
                let v = u64::from(a) * u64::from(b) + u64::from(out[i + j]) + carry;
                out[i + j] = v as u32;
                carry = v >> 32;
            }
            let mut k = i + o.0.len();
            while carry != 0 {
                let v = u64::from(out[k]) + carry;
                out[k] = v as u32;
                carry = v >> 32;
                k += 1;
            }
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    pub(super) fn add(&self, o: &Big) -> Big {
        let n = self.0.len().max(o.0.len());
        let mut out = Vec::with_capacity(n + 1);
        let mut carry = 0u64;
        for i in 0..n {
            let v = u64::from(self.0.get(i).copied().unwrap_or(0))
                + u64::from(o.0.get(i).copied().unwrap_or(0))
                + carry;
            out.push(v as u32);
            carry = v >> 32;
        }
        out.push(carry as u32);
        let mut b = Big(out);
        b.trim();
        b
    }

    /// `self - o`, requires `self >= o`.
    pub(super) fn sub(&self, o: &Big) -> Big {
        let mut out = Vec::with_capacity(self.0.len());
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = i64::from(self.0[i]) - i64::from(o.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            out.push(v as u32);
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    pub(super) fn cmp(&self, o: &Big) -> std::cmp::Ordering {
        self.0
            .len()
            .cmp(&o.0.len())
            .then_with(|| self.0.iter().rev().cmp(o.0.iter().rev()))
    }

    pub(super) fn shl(&self, s: usize) -> Big {
        if self.is_zero() {
            return Big::zero();
        }
        let (limbs, bits) = (s / 32, (s % 32) as u32);
        let mut out = vec![0u32; limbs];
        let mut carry = 0u32;
        for &l in &self.0 {
            if bits == 0 {
                out.push(l);
            } else {
                out.push((l << bits) | carry);
                carry = l >> (32 - bits);
            }
        }
        out.push(carry);
        let mut b = Big(out);
        b.trim();
        b
    }

    pub(super) fn shr(&self, s: usize) -> Big {
        let (limbs, bits) = (s / 32, (s % 32) as u32);
        if limbs >= self.0.len() {
            return Big::zero();
        }
        let src = &self.0[limbs..];
        let mut out = Vec::with_capacity(src.len());
        for i in 0..src.len() {
            let hi = src.get(i + 1).copied().unwrap_or(0);
            out.push(if bits == 0 {
                src[i]
            } else {
                (src[i] >> bits) | (hi << (32 - bits))
            });
        }
        let mut b = Big(out);
        b.trim();
        b
    }

    /// `self / 2^s`, rounded to nearest, ties to even.
    pub(super) fn shr_round_even(&self, s: usize) -> Big {
        let q = self.shr(s);
        if s == 0 || !self.bit(s - 1) {
            return q;
        }
        if self.any_below(s - 1) || q.bit(0) {
            q.add_small(1)
        } else {
            q
        }
    }

    /// Quotient and remainder by shift-and-subtract, one quotient bit per step.
    /// The quotient is small here (about 66 bits), so this is a few dozen steps;
    /// the shifted divisor is halved in place rather than rebuilt each step.
    pub(super) fn divrem(&self, d: &Big) -> (Big, Big) {
        let mut rem = self.clone();
        let mut q = Big::zero();
        if self.cmp(d) == std::cmp::Ordering::Less {
            return (q, rem);
        }
        let top = self.bit_len() - d.bit_len();
        q.0 = vec![0u32; top / 32 + 1];
        let mut shifted = d.shl(top);
        for b in (0..=top).rev() {
            if rem.cmp(&shifted) != std::cmp::Ordering::Less {
                rem.sub_in_place(&shifted);
                q.0[b / 32] |= 1 << (b % 32);
            }
            shifted.shr1_in_place();
        }
        q.trim();
        (q, rem)
    }

    /// `self -= o`, requires `self >= o`.
    pub(super) fn sub_in_place(&mut self, o: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.0.len() {
            let mut v = i64::from(self.0[i]) - i64::from(o.0.get(i).copied().unwrap_or(0)) - borrow;
            borrow = 0;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            }
            self.0[i] = v as u32;
            if borrow == 0 && i >= o.0.len() {
                break;
            }
        }
        self.trim();
    }

    /// `self >>= 1`.
    pub(super) fn shr1_in_place(&mut self) {
        let n = self.0.len();
        for i in 0..n {
            let hi = if i + 1 < n { self.0[i + 1] } else { 0 };
            self.0[i] = (self.0[i] >> 1) | (hi << 31);
        }
        self.trim();
    }

    pub(super) fn div_small(&self, d: u32) -> (Big, u32) {
        let mut out = vec![0u32; self.0.len()];
        let mut rem = 0u64;
        for i in (0..self.0.len()).rev() {
            let v = (rem << 32) | u64::from(self.0[i]);
            out[i] = (v / u64::from(d)) as u32;
            rem = v % u64::from(d);
        }
        let mut b = Big(out);
        b.trim();
        (b, rem as u32)
    }

    pub(super) fn to_decimal(&self) -> Vec<u8> {
        if self.is_zero() {
            return b"0".to_vec();
        }
        let mut chunks = Vec::new();
        let mut n = self.clone();
        while !n.is_zero() {
            let (q, r) = n.div_small(1_000_000_000);
            chunks.push(r);
            n = q;
        }
        let mut s = chunks.pop().map(|c| c.to_string()).unwrap_or_default();
        for c in chunks.iter().rev() {
            s.push_str(&format!("{c:09}"));
        }
        s.into_bytes()
    }
}
