//! Redis's glob-style pattern matcher (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE).
//!
//! Syntax: `*` any run of bytes, `?` one byte, `[abc]` a set, `[^abc]` its
//! complement, `[a-z]` a range (ends may come in either order), `\x` the byte `x`
//! literally (also inside a set). Matching is on raw bytes.
//!
//! Invariant: the answers are exactly those of redis-server 7.0, including its
//! odd corners, which this module documents where they occur:
//! - a non-empty pattern never matches the empty string (even `*`; KEYS and SCAN
//!   special-case the pattern `*` before calling the matcher);
//! - an unterminated set `[abc` is closed by the end of the pattern;
//! - `[a-]` is the range from `a` to `]` (the `-` takes the next byte, even `]`);
//! - a lone `\` at the end of the pattern matches a backslash;
//! - more than 1000 nested `*` backtracking levels answer "no match", which bounds
//!   the recursion depth.

/// Whether `string` matches `pattern`; `nocase` folds ASCII letters.
pub fn glob_match(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut give_up = false;
    match_from(pattern, string, nocase, &mut give_up, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// The pattern byte at `i`, or 0 past the end (the reference reads its C string's
/// terminator there, and the rules below depend on that being "not `]`, not `*`").
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

/// Matches `p` against `s`. `give_up` is set when a `*` has tried every suffix of
/// the string without success: no later, longer attempt can then succeed either,
/// so callers further up stop trying (this keeps `a*a*a*...b` linear-ish).
fn match_from(p: &[u8], s: &[u8], nocase: bool, give_up: &mut bool, depth: u32) -> bool {
    if depth > 1000 {
        return false;
    }
    let (mut pi, mut si) = (0usize, 0usize);
    while pi < p.len() && si < s.len() {
        match p[pi] {
            b'*' => {
                while pi + 1 < p.len() && p[pi + 1] == b'*' {
                    pi += 1;
                }
                if pi + 1 == p.len() {
                    return true;
                }
                while si < s.len() {
                    if match_from(&p[pi + 1..], &s[si..], nocase, give_up, depth + 1) {
                        return true;
                    }
                    if *give_up {
                        return false;
                    }
                    si += 1;
                }
                *give_up = true;
                return false;
            }
            b'?' => si += 1,
            b'[' => {
                pi += 1;
                let negate = at(p, pi) == b'^';
                if negate {
                    pi += 1;
                }
                let c = fold(s[si], nocase);
                let mut matched = false;
                loop {
                    let left = p.len().saturating_sub(pi);
                    if at(p, pi) == b'\\' && left >= 2 {
                        pi += 1;
                        if fold(p[pi], nocase) == c {
                            matched = true;
                        }
                    } else if at(p, pi) == b']' {
                        break;
                    } else if left == 0 {
                        // Unterminated set: step back so the common advance below
                        // lands exactly on the end of the pattern.
                        pi -= 1;
                        break;
                    } else if left >= 3 && p[pi + 1] == b'-' {
                        let (mut lo, mut hi) = (fold(p[pi], nocase), fold(p[pi + 2], nocase));
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        pi += 2;
                        if c >= lo && c <= hi {
                            matched = true;
                        }
                    } else if fold(p[pi], nocase) == c {
                        matched = true;
                    }
                    pi += 1;
                }
                if matched == negate {
                    return false;
                }
                si += 1;
            }
            b'\\' => {
                if p.len() - pi >= 2 {
                    pi += 1;
                }
                if fold(p[pi], nocase) != fold(s[si], nocase) {
                    return false;
                }
                si += 1;
            }
            other => {
                if fold(other, nocase) != fold(s[si], nocase) {
                    return false;
                }
                si += 1;
            }
        }
        pi += 1;
        if si == s.len() {
            while at(p, pi) == b'*' {
                pi += 1;
            }
            break;
        }
    }
    pi >= p.len() && si == s.len()
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    fn m(p: &str, s: &str) -> bool {
        glob_match(p.as_bytes(), s.as_bytes(), false)
    }

    #[test]
    fn stars_and_questions() {
        assert!(m("*", "abc"));
        assert!(m("a*", "a"));
        assert!(m("a*c", "abbbc"));
        assert!(m("*c", "abc"));
        assert!(!m("*d", "abc"));
        assert!(m("h?llo", "hello"));
        assert!(!m("h?llo", "hllo"));
        assert!(m("a**b", "axxb"));
        assert!(m("*a*a*a*", "xaxaxa"));
        assert!(!m("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
    }

    #[test]
    fn empty_string_matches_only_empty_pattern() {
        assert!(m("", ""));
        assert!(!m("*", ""));
        assert!(!m("a", ""));
        assert!(!m("", "a"));
    }

    #[test]
    fn sets_ranges_and_negation() {
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[ae]llo", "hillo"));
        assert!(m("h[^e]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(!m("h[a-b]llo", "hcllo"));
        // `[a-]` is the range a..']' (0x5d..0x61).
        assert!(m("[a-]", "^"));
        assert!(!m("[a-]", "-"));
        // Escapes inside a set.
        assert!(m("[\\]]", "]"));
        assert!(m("[\\-]", "-"));
    }

    #[test]
    fn unterminated_set_and_escapes() {
        assert!(m("[abc", "a"));
        assert!(!m("[abc", "d"));
        assert!(!m("[abc", "ab"));
        assert!(!m("[", "x"));
        assert!(m("a\\*", "a*"));
        assert!(!m("a\\*", "ab"));
        assert!(m("a\\", "a\\"));
        assert!(m("\\?", "?"));
    }

    #[test]
    fn nocase_folds_ascii() {
        assert!(glob_match(b"HeL*", b"hello", true));
        assert!(glob_match(b"[A-C]x", b"bX", true));
        assert!(!glob_match(b"HeL*", b"hello", false));
    }

    #[test]
    fn binary_bytes() {
        assert!(glob_match(b"a\0*\r\n", b"a\0xyz\r\n", false));
        assert!(glob_match(b"?", &[0xff], false));
    }
}
