//! Recorded redis-server sessions as text: the loader and runner of
//! `tests/transcripts/*.txt`.
//!
//! A transcript is what a client saw when it talked to redis-server 7.0.15: each
//! request, and the exact bytes of each reply, written so a person can read and
//! edit them. [`run_transcript`] replays one session against a fresh Ferrous
//! server, on one connection, in order, and fails on the first reply that is not
//! the same byte for byte.
//!
//! # Format
//!
//! A file is made of lines (LF line ends):
//!
//! - `=== name`: starts the session `name`; every later line up to the next
//!   `===` belongs to it. Tests name the session they replay.
//! - `# ...` and blank lines: comments, ignored.
//! - `> arg arg ...`: a request, sent as one RESP multibulk command. Arguments
//!   are separated by one or more spaces. An argument is a *bare word* (bytes
//!   `!` to `~` except `"` and `\`) or a *quoted string*: `"` ... `"`, in which
//!   `\\`, `\"`, `\n`, `\r`, `\t`, `\0` and `\xHH` (two hex digits) stand for
//!   one byte each and any other byte stands for itself. `""` is the empty argument.
//! - `< ...`: one line of the reply, in RESP's own shape, one RESP line per
//!   transcript line (space between `<` and the type byte is ignored, so nested
//!   values may be indented):
//!   - `+text`, `-text`, `:n`, `_`, `,d`, `#t`, `(n`: the line after its type
//!     byte, *escaped*: `\` starts an escape as in quoted strings (`\\`, `\xHH`,
//!     ...), every other byte is itself (a `"` needs no escape here). A space
//!     that ends the line is written `\x20` so editors cannot strip it.
//!   - `$n payload` (also `=n` and `!n`): a string of `n` bytes and its payload,
//!     as a bare word or a quoted string; the loader checks that `n` is the
//!     payload's length. `$-1` is the null bulk.
//!   - `*n` (also `%n`, `~n`, `>n`, `|n`): an aggregate of `n` elements (`n`
//!     pairs for `%` and `|`), which follow on the next `<` lines; `*-1` is the
//!     null array.
//!
//!   The `<` lines after a request hold one or more whole values; the runner
//!   reads that many replies (SUBSCRIBE to two channels answers twice).
//!
//! Example:
//!
//! ```text
//! === strings
//! > SET k "hello world"
//! < +OK
//! > GET k
//! < $11 "hello world"
//! > HGETALL h
//! < *2
//! <   $1 f
//! <   $3 "\x00\r\n"
//! > GET
//! < -ERR wrong number of arguments for 'get' command
//! ```
//!
//! Invariants: every byte sequence has exactly one written form from
//! [`write_request`] / [`write_reply`] and reads back to the same bytes; a
//! malformed transcript is a test failure that names the file position.

use super::support::{start_server, Conn, Resp};

/// One request and the replies it gets.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// The command's arguments.
    pub args: Vec<Vec<u8>>,
    /// The replies, in order (usually one).
    pub replies: Vec<Resp>,
    /// 1-based line of the request in its file, for messages.
    pub line: usize,
}

/// The exchanges of session `name` in `text` (a whole transcript file).
pub fn load(text: &str, name: &str) -> Vec<Exchange> {
    let mut in_session = false;
    let mut found = false;
    let mut out: Vec<Exchange> = Vec::new();
    // Reply lines of the current request, parsed into values at its end.
    let mut pending: Vec<(usize, &str)> = Vec::new();
    let finish = |out: &mut Vec<Exchange>, pending: &mut Vec<(usize, &str)>| {
        if let Some(last) = out.last_mut() {
            last.replies = parse_replies(pending);
        } else if let Some((n, _)) = pending.first() {
            panic!("line {n}: a reply without a request");
        }
        pending.clear();
    };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if let Some(rest) = line.strip_prefix("===") {
            if in_session {
                break;
            }
            in_session = rest.trim() == name;
            found |= in_session;
            continue;
        }
        if !in_session || line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('>') {
            finish(&mut out, &mut pending);
            let args = read_args(rest.as_bytes()).unwrap_or_else(|e| panic!("line {n}: {e}"));
            assert!(!args.is_empty(), "line {n}: an empty request");
            out.push(Exchange {
                args,
                replies: Vec::new(),
                line: n,
            });
        } else if let Some(rest) = line.strip_prefix('<') {
            pending.push((n, rest));
        } else {
            panic!("line {n}: a transcript line starts with '>', '<', '#' or '==='");
        }
    }
    finish(&mut out, &mut pending);
    assert!(found, "no session {name:?} in the transcript");
    for e in &out {
        assert!(
            !e.replies.is_empty(),
            "line {}: a request without a reply",
            e.line
        );
    }
    out
}

/// Replays session `name` of transcript `text` on one connection of a fresh server.
pub fn run_transcript(text: &str, name: &str) {
    let srv = start_server();
    let mut c = srv.connect();
    replay(&mut c, &load(text, name), name);
}

/// Sends each request on `c` and checks each reply, byte for byte.
pub fn replay(c: &mut Conn, exchanges: &[Exchange], name: &str) {
    for e in exchanges {
        let args: Vec<&[u8]> = e.args.iter().map(Vec::as_slice).collect();
        c.send(&super::support::multibulk(&args));
        let mut want = Vec::new();
        let mut got = Vec::new();
        for r in &e.replies {
            r.encode(&mut want);
            got.extend(c.read_reply());
        }
        if got != want {
            let mut shown_got = String::new();
            let mut pos = 0;
            while let Ok(Some((v, used))) = Resp::decode(&got[pos..]) {
                write_reply(&v, &mut shown_got);
                pos += used;
            }
            let mut shown_want = String::new();
            for r in &e.replies {
                write_reply(r, &mut shown_want);
            }
            panic!(
                "session {name:?}, line {}: {}\nwant:\n{shown_want}got:\n{shown_got}",
                e.line,
                write_request(&e.args)
            );
        }
    }
}

/// Reads the arguments of a `>` line (after the `>`).
pub fn read_args(s: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while s.get(i) == Some(&b' ') {
            i += 1;
        }
        if i >= s.len() {
            return Ok(out);
        }
        let (arg, next) = read_token(s, i)?;
        if next < s.len() && s[next] != b' ' {
            return Err(format!("no space after argument {}", out.len() + 1));
        }
        out.push(arg);
        i = next;
    }
}

/// A bare word or a quoted string at `s[i..]`: its bytes and where it ends.
fn read_token(s: &[u8], i: usize) -> Result<(Vec<u8>, usize), String> {
    if s[i] != b'"' {
        let end = s[i..]
            .iter()
            .position(|&b| b == b' ')
            .map_or(s.len(), |p| i + p);
        let word = &s[i..end];
        if let Some(&b) = word.iter().find(|&&b| !is_bare(b)) {
            return Err(format!("byte {b:#04x} in a bare word: quote it"));
        }
        return Ok((word.to_vec(), end));
    }
    let mut out = Vec::new();
    let mut j = i + 1;
    loop {
        match s.get(j) {
            None => return Err("unterminated quoted string".into()),
            Some(b'"') => return Ok((out, j + 1)),
            Some(b'\\') => {
                let (b, next) = read_escape(s, j)?;
                out.push(b);
                j = next;
            }
            Some(&b) => {
                out.push(b);
                j += 1;
            }
        }
    }
}

/// The escape starting with the `\` at `s[j]`: its byte and where it ends.
fn read_escape(s: &[u8], j: usize) -> Result<(u8, usize), String> {
    let b = match s.get(j + 1) {
        Some(b'\\') => b'\\',
        Some(b'"') => b'"',
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'0') => 0,
        Some(b'x') => {
            let hex = s.get(j + 2..j + 4).ok_or("short \\x escape")?;
            let hex = std::str::from_utf8(hex).map_err(|_| "bad \\x escape")?;
            let b = u8::from_str_radix(hex, 16).map_err(|_| format!("bad \\x{hex} escape"))?;
            return Ok((b, j + 4));
        }
        other => return Err(format!("unknown escape \\{:?}", other.map(|&b| b as char))),
    };
    Ok((b, j + 2))
}

/// A line's escaped text (after its type byte) as bytes.
fn read_escaped(s: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut j = 0;
    while j < s.len() {
        if s[j] == b'\\' {
            let (b, next) = read_escape(s, j)?;
            out.push(b);
            j = next;
        } else {
            out.push(s[j]);
            j += 1;
        }
    }
    Ok(out)
}

fn is_bare(b: u8) -> bool {
    (b'!'..=b'~').contains(&b) && b != b'"' && b != b'\\'
}

/// Parses the `<` lines of one request into whole values.
fn parse_replies(lines: &[(usize, &str)]) -> Vec<Resp> {
    let mut values = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        values.push(parse_value(lines, &mut i));
    }
    values
}

fn parse_value(lines: &[(usize, &str)], i: &mut usize) -> Resp {
    let (n, raw) = lines[*i];
    *i += 1;
    let body = raw.trim_start_matches(' ').as_bytes();
    let fail = |e: String| -> ! { panic!("line {n}: {e}") };
    let Some((&kind, rest)) = body.split_first() else {
        fail("an empty reply line".into())
    };
    match kind {
        b'+' | b'-' | b':' | b'_' | b',' | b'#' | b'(' => {
            Resp::Line(kind, read_escaped(rest).unwrap_or_else(|e| fail(e)))
        }
        b'$' | b'=' | b'!' => {
            let (len, payload) = match rest.iter().position(|&b| b == b' ') {
                Some(p) => (&rest[..p], Some(&rest[p + 1..])),
                None => (rest, None),
            };
            let len: i64 = std::str::from_utf8(len)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| fail("a bad string length".into()));
            match (len, payload) {
                (-1, None) => Resp::Blob(kind, None),
                (_, Some(p)) => {
                    let (data, end) = read_token(p, 0).unwrap_or_else(|e| fail(e));
                    if end != p.len() {
                        fail("bytes after the payload".into());
                    }
                    if data.len() as i64 != len {
                        fail(format!("the payload has {} bytes, not {len}", data.len()));
                    }
                    Resp::Blob(kind, Some(data))
                }
                _ => fail("a string length without its payload".into()),
            }
        }
        b'*' | b'%' | b'~' | b'>' | b'|' => {
            let count: i64 = std::str::from_utf8(rest)
                .ok()
                .and_then(|t| t.parse().ok())
                .unwrap_or_else(|| fail("a bad element count".into()));
            if count < 0 {
                return Resp::Agg(kind, None);
            }
            let items = if matches!(kind, b'%' | b'|') {
                count * 2
            } else {
                count
            };
            let mut out = Vec::new();
            for _ in 0..items {
                if *i >= lines.len() {
                    fail(format!("{count} elements announced, fewer follow"));
                }
                out.push(parse_value(lines, i));
            }
            Resp::Agg(kind, Some(out))
        }
        _ => fail(format!("unknown reply type {:?}", kind as char)),
    }
}

/// The `>` line of a request.
pub fn write_request(args: &[Vec<u8>]) -> String {
    let mut out = String::from(">");
    for a in args {
        out.push(' ');
        write_token(a, &mut out);
    }
    out
}

/// Appends `data` as a bare word when it can be one, else as a quoted string.
fn write_token(data: &[u8], out: &mut String) {
    if !data.is_empty() && data.iter().all(|&b| is_bare(b)) {
        out.extend(data.iter().map(|&b| b as char));
        return;
    }
    out.push('"');
    for &b in data {
        match b {
            b'"' => out.push_str("\\\""),
            _ => push_escaped_byte(b, out),
        }
    }
    out.push('"');
}

fn push_escaped_byte(b: u8, out: &mut String) {
    match b {
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0 => out.push_str("\\0"),
        b' '..=b'~' => out.push(b as char),
        _ => out.push_str(&format!("\\x{b:02x}")),
    }
}

/// Appends the `<` lines of one reply value (with a final line end).
pub fn write_reply(v: &Resp, out: &mut String) {
    write_value(v, 0, out);
}

fn write_value(v: &Resp, depth: usize, out: &mut String) {
    out.push('<');
    out.push_str(&" ".repeat(1 + 2 * depth));
    match v {
        Resp::Line(kind, text) => {
            out.push(*kind as char);
            for (i, &b) in text.iter().enumerate() {
                if b == b' ' && i + 1 == text.len() {
                    out.push_str("\\x20");
                } else {
                    push_escaped_byte(b, out);
                }
            }
            out.push('\n');
        }
        Resp::Blob(kind, None) | Resp::Agg(kind, None) => {
            out.push(*kind as char);
            out.push_str("-1\n");
        }
        Resp::Blob(kind, Some(data)) => {
            out.push(*kind as char);
            out.push_str(&data.len().to_string());
            out.push(' ');
            write_token(data, out);
            out.push('\n');
        }
        Resp::Agg(kind, Some(items)) => {
            let n = if matches!(kind, b'%' | b'|') {
                items.len() / 2
            } else {
                items.len()
            };
            out.push(*kind as char);
            out.push_str(&n.to_string());
            out.push('\n');
            for item in items {
                write_value(item, depth + 1, out);
            }
        }
    }
}

/// Writes one exchange (request and replies) as transcript lines.
pub fn write_exchange(args: &[Vec<u8>], replies: &[Resp], out: &mut String) {
    out.push_str(&write_request(args));
    out.push('\n');
    for r in replies {
        write_reply(r, out);
    }
}

#[test]
fn transcripts_read_back_what_they_write() {
    let args: Vec<Vec<u8>> = vec![
        b"SET".to_vec(),
        b"key with spaces".to_vec(),
        vec![0, b'"', b'\\', b'\r', b'\n', 0xff, b' '],
        Vec::new(),
    ];
    let reply = Resp::Agg(
        b'*',
        Some(vec![
            Resp::Line(b'+', b"OK ".to_vec()),
            Resp::Line(b'-', b"ERR a \"quoted\" \\ word".to_vec()),
            Resp::Blob(b'$', Some(b"x y".to_vec())),
            Resp::Blob(b'$', Some(Vec::new())),
            Resp::Blob(b'$', None),
            Resp::Agg(b'*', None),
            Resp::Agg(
                b'%',
                Some(vec![
                    Resp::Line(b':', b"1".to_vec()),
                    Resp::Line(b'_', Vec::new()),
                ]),
            ),
        ]),
    );
    let mut text = String::from("=== s\n");
    write_exchange(
        &args,
        &[reply.clone(), Resp::Line(b':', b"7".to_vec())],
        &mut text,
    );
    let back = load(&text, "s");
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].args, args);
    assert_eq!(
        back[0].replies,
        vec![reply, Resp::Line(b':', b"7".to_vec())]
    );
    assert!(text.contains("\\x20\n"), "{text}");
}
