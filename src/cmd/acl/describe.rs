//! A selector's command permissions written back as rules (ACL LIST, ACL
//! GETUSER's `commands`, the ACL file), the way Redis 7.0 derives them from
//! the permission bits rather than remembering what was typed:
//!
//! 1. start from `+@all` if the rules began with it (the selector would allow
//!    future commands), else from `-@all`;
//! 2. repeatedly add (or, from `+@all`, remove) the category that best fits
//!    the bits still unexplained: one with more commands in agreement than in
//!    disagreement, the fewest disagreements, then the most agreements;
//! 3. fix what is left one command at a time (`+get`, `-config|set`), in
//!    command table order, with `+cmd|arg` first arguments last for a command.
//!
//! Invariant: applying the returned rules to an empty selector gives exactly
//! the selector's command bits.
use super::user::Selector;
use super::{Tables, CATEGORIES};

/// The command rules of `s`, e.g. `-@all +@string -append +client|id`.
pub fn command_rules(s: &Selector, t: &Tables) -> String {
    let rows = t.cats.len();
    let additive = !s.future;
    let mut rules = String::new();
    let mut fake = Selector::new(rows, false);
    if additive {
        rules.push_str("-@all ");
        let _ = fake.apply(t, b"-@all");
    } else {
        rules.push_str("+@all ");
        let _ = fake.apply(t, b"+@all");
    }
    let mut temp = Selector::new(rows, false);
    temp.allowed = s.allowed.clone();
    let mut applied = [false; CATEGORIES.len()];
    loop {
        let mut best = None;
        let (mut mindiff, mut maxsame) = (usize::MAX, 0usize);
        for (j, _) in CATEGORIES.iter().enumerate() {
            if applied[j] {
                continue;
            }
            let (mut on, mut off) = (0, 0);
            for row in 0..rows {
                if t.cats[row] & (1 << j) != 0 {
                    if temp.bit(row) {
                        on += 1;
                    } else {
                        off += 1;
                    }
                }
            }
            let (diff, same) = if additive { (off, on) } else { (on, off) };
            if same > diff && (diff < mindiff || (diff == mindiff && same > maxsame)) {
                best = Some(j);
                mindiff = diff;
                maxsame = same;
            }
        }
        let Some(j) = best else {
            break;
        };
        fake.change_category(t, 1 << j, additive);
        temp.change_category(t, 1 << j, !additive);
        rules.push_str(if additive { "+@" } else { "-@" });
        rules.push_str(CATEGORIES[j]);
        rules.push(' ');
        applied[j] = true;
    }
    for row in (0..rows).filter(|&r| t.parent(r).is_none()) {
        single(s, t, &mut fake, row, &mut rules);
        for sub in t.subs(row) {
            single(s, t, &mut fake, sub, &mut rules);
        }
    }
    rules.pop();
    rules
}

/// Step 3 for one row.
fn single(s: &Selector, t: &Tables, fake: &mut Selector, row: usize, rules: &mut String) {
    let userbit = s.bit(row);
    if userbit != fake.bit(row) {
        rules.push(if userbit { '+' } else { '-' });
        rules.push_str(t.name(row));
        rules.push(' ');
        fake.change(t, row, userbit);
    }
    if !userbit {
        for arg in s.firstargs_of(row) {
            rules.push('+');
            rules.push_str(t.name(row));
            rules.push('|');
            rules.push_str(&String::from_utf8_lossy(arg));
            rules.push(' ');
        }
    }
}
