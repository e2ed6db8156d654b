//! Interim number conversion used until `numfmt` (another branch) lands:
//! `%.14g` via the listing module's formatter and a small `lua_str2number`.
pub fn fmt_number(n: f64, out: &mut Vec<u8>) {
    out.extend_from_slice(super::listing::fmt_g14(n).as_bytes());
}

pub fn str2number(s: &[u8]) -> Option<f64> {
    let t = std::str::from_utf8(s).ok()?;
    let t = t.trim_matches(|c: char| c == ' ' || ('\t'..='\r').contains(&c));
    if t.is_empty() {
        return None;
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        let v = u64::from_str_radix(h, 16).ok()? as f64;
        return Some(if neg { -v } else { v });
    }
    if body
        .chars()
        .any(|c| !(c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
    {
        return None;
    }
    t.parse::<f64>().ok()
}
