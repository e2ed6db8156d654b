//! The AOF manifest of Redis 7.0's multi-part append-only file: which files in
//! `appenddirname` make up the dataset, in order.
//!
//! One line per file, as 7.0 writes it: `file <name> seq <n> type <t>\n`,
//! where `t` is `b` (the base: a full dataset, `<appendfilename>.<n>.base.rdb`
//! or `.base.aof`), `i` (an incremental file of commands written after the
//! base, `<appendfilename>.<n>.incr.aof`, oldest first) or `h` (history: files
//! a finished rewrite made obsolete, waiting to be deleted). The base comes
//! first, then the history files, then the incremental ones. Lines starting
//! with `#` are comments. A name with spaces or unprintable bytes is written
//! quoted, as Redis quotes it (`sdscatrepr`); the reader splits lines the way
//! Redis's `sdssplitargs` does for what 7.0 writes.
//!
//! Invariants: at most one base; incremental sequence numbers increase down the
//! file; a line is at most 1024 bytes. The error texts are 7.0's.

/// A file's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Base,
    History,
    Incr,
}

impl Kind {
    fn letter(self) -> char {
        match self {
            Kind::Base => 'b',
            Kind::History => 'h',
            Kind::Incr => 'i',
        }
    }
}

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    pub name: String,
    pub seq: u64,
    pub kind: Kind,
}

/// The files of an append-only dataset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<FileEntry>,
    pub history: Vec<FileEntry>,
    pub incrs: Vec<FileEntry>,
    /// The highest sequence numbers used so far (the next file gets one more).
    pub base_seq: u64,
    pub incr_seq: u64,
}

/// The longest line 7.0 reads.
const LINE_MAX: usize = 1024;

impl Manifest {
    /// Parses a manifest's text; the error is Redis's log text.
    pub fn parse(text: &[u8]) -> Result<Manifest, String> {
        let mut m = Manifest::default();
        let mut rest = text;
        let mut lines = 0;
        while !rest.is_empty() {
            let (line, after) = match rest.iter().position(|&b| b == b'\n') {
                Some(i) => (&rest[..=i], &rest[i + 1..]),
                None => (rest, &rest[rest.len()..]),
            };
            rest = after;
            if line.len() > LINE_MAX {
                return Err("The AOF manifest file contains too long line".into());
            }
            if line.first() == Some(&b'#') {
                continue;
            }
            if line.last() != Some(&b'\n') {
                return Err("The AOF manifest file is invalid format".into());
            }
            let body = line.strip_suffix(b"\n").unwrap_or(line);
            let body = body.strip_suffix(b"\r").unwrap_or(body);
            let args = split_args(body).ok_or("Invalid AOF manifest file format")?;
            if args.len() < 6 || args.len() % 2 != 0 {
                return Err("Invalid AOF manifest file format".into());
            }
            let (mut name, mut seq, mut kind) = (None, None, None);
            let mut unknown_type = false;
            for pair in args.chunks_exact(2) {
                let v = &pair[1];
                match pair[0].to_ascii_lowercase().as_slice() {
                    b"file" => name = Some(String::from_utf8_lossy(v).into_owned()),
                    b"seq" => seq = std::str::from_utf8(v).ok().and_then(|s| s.parse().ok()),
                    b"type" => {
                        kind = match v.as_slice() {
                            b"b" => Some(Kind::Base),
                            b"h" => Some(Kind::History),
                            b"i" => Some(Kind::Incr),
                            _ => None,
                        };
                        unknown_type = kind.is_none();
                    }
                    _ => {}
                }
            }
            if unknown_type {
                return Err("Unknown AOF file type".into());
            }
            let (Some(name), Some(seq), Some(kind)) = (name, seq, kind) else {
                return Err("Invalid AOF manifest file format".into());
            };
            let e = FileEntry { name, seq, kind };
            match kind {
                Kind::Base => {
                    if m.base.is_some() {
                        return Err("Found duplicate base file information".into());
                    }
                    m.base_seq = seq;
                    m.base = Some(e);
                }
                Kind::History => m.history.push(e),
                Kind::Incr => {
                    if seq <= m.incr_seq {
                        return Err("Found a non-monotonic sequence number".into());
                    }
                    m.incr_seq = seq;
                    m.incrs.push(e);
                }
            }
            lines += 1;
        }
        if lines == 0 {
            return Err("Found an empty AOF manifest".into());
        }
        Ok(m)
    }

    /// The manifest's text, as 7.0 writes it.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let all = self
            .base
            .iter()
            .chain(self.history.iter())
            .chain(self.incrs.iter());
        for e in all {
            s.push_str(&format!(
                "file {} seq {} type {}\n",
                quoted(&e.name),
                e.seq,
                e.kind.letter()
            ));
        }
        s
    }

    /// The files the dataset is read from, in order: the base, then the
    /// incremental files.
    pub fn data_files(&self) -> Vec<&FileEntry> {
        self.base.iter().chain(self.incrs.iter()).collect()
    }
}

/// `<appendfilename>.<seq>.base.rdb|aof`.
pub fn base_name(appendfilename: &str, seq: u64, rdb: bool) -> String {
    let ext = if rdb { "rdb" } else { "aof" };
    format!("{appendfilename}.{seq}.base.{ext}")
}

/// `<appendfilename>.<seq>.incr.aof`.
pub fn incr_name(appendfilename: &str, seq: u64) -> String {
    format!("{appendfilename}.{seq}.incr.aof")
}

/// `<appendfilename>.manifest`.
pub fn manifest_name(appendfilename: &str) -> String {
    format!("{appendfilename}.manifest")
}

/// A name as Redis writes it in the manifest: as it is, or in double quotes
/// with escapes when it holds a space, a quote or an unprintable byte.
fn quoted(name: &str) -> String {
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\'' && b != b'\\');
    if plain {
        return name.to_string();
    }
    let mut s = String::from("\"");
    for b in name.bytes() {
        match b {
            b'\\' => s.push_str("\\\\"),
            b'"' => s.push_str("\\\""),
            b'\n' => s.push_str("\\n"),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            b if b.is_ascii_graphic() || b == b' ' => s.push(b as char),
            b => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s.push('"');
    s
}

/// Splits a line into words: spaces separate them, double quotes (with
/// `\\`, `\"`, `\n`, `\r`, `\t`, `\xHH` escapes) or single quotes group them.
/// `None` for an unbalanced quote.
fn split_args(line: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while i < line.len() && line[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= line.len() {
            break;
        }
        let mut word = Vec::new();
        match line[i] {
            b'"' => {
                i += 1;
                loop {
                    let c = *line.get(i)?;
                    i += 1;
                    match c {
                        b'"' => break,
                        b'\\' => {
                            let e = *line.get(i)?;
                            i += 1;
                            match e {
                                b'n' => word.push(b'\n'),
                                b'r' => word.push(b'\r'),
                                b't' => word.push(b'\t'),
                                b'x' => {
                                    let hex = line.get(i..i + 2)?;
                                    let v = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16)
                                        .ok()?;
                                    word.push(v);
                                    i += 2;
                                }
                                other => word.push(other),
                            }
                        }
                        c => word.push(c),
                    }
                }
            }
            b'\'' => {
                i += 1;
                loop {
                    let c = *line.get(i)?;
                    i += 1;
                    if c == b'\'' {
                        break;
                    }
                    word.push(c);
                }
            }
            _ => {
                while i < line.len() && !line[i].is_ascii_whitespace() {
                    word.push(line[i]);
                    i += 1;
                }
            }
        }
        out.push(word);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What redis-server 7.0.15 wrote with `--appendonly yes` after one
    /// BGREWRITEAOF.
    const REDIS_70: &str = "file appendonly.aof.2.base.rdb seq 2 type b\n\
                            file appendonly.aof.2.incr.aof seq 2 type i\n";

    #[test]
    fn reads_and_writes_redis_70_manifest() {
        let m = Manifest::parse(REDIS_70.as_bytes()).unwrap();
        assert_eq!(m.base.as_ref().unwrap().name, "appendonly.aof.2.base.rdb");
        assert_eq!(m.incrs.len(), 1);
        assert_eq!((m.base_seq, m.incr_seq), (2, 2));
        assert_eq!(m.to_text(), REDIS_70);
    }

    #[test]
    fn history_between_base_and_incr() {
        let text = "file a.1.base.rdb seq 1 type b\nfile a.1.incr.aof seq 1 type h\n\
                    file a.2.incr.aof seq 2 type i\n";
        let m = Manifest::parse(text.as_bytes()).unwrap();
        assert_eq!(m.history.len(), 1);
        assert_eq!(m.to_text(), text);
    }

    #[test]
    fn refuses_bad_manifests_with_redis_texts() {
        let e = |t: &str| Manifest::parse(t.as_bytes()).unwrap_err();
        assert_eq!(e(""), "Found an empty AOF manifest");
        assert_eq!(e("# only a comment\n"), "Found an empty AOF manifest");
        assert_eq!(
            e("file a seq 1 type b"),
            "The AOF manifest file is invalid format"
        );
        assert_eq!(e("file a seq 1\n"), "Invalid AOF manifest file format");
        assert_eq!(
            e("file a seq 1 type b\n\n"),
            "Invalid AOF manifest file format"
        );
        assert_eq!(e("file a seq 1 type x\n"), "Unknown AOF file type");
        assert_eq!(
            e("file a seq 1 type b new\n"),
            "Invalid AOF manifest file format"
        );
        assert_eq!(
            e("file a seq 1 type b\nfile b seq 2 type b\n"),
            "Found duplicate base file information"
        );
        assert_eq!(
            e("file a seq 2 type i\nfile b seq 1 type i\n"),
            "Found a non-monotonic sequence number"
        );
        let long = format!("file {} seq 1 type b\n", "x".repeat(2000));
        assert_eq!(e(&long), "The AOF manifest file contains too long line");
    }

    #[test]
    fn quoted_names_round_trip() {
        let m = Manifest {
            base: Some(FileEntry {
                name: "my file.1.base.rdb".into(),
                seq: 1,
                kind: Kind::Base,
            }),
            base_seq: 1,
            ..Manifest::default()
        };
        let text = m.to_text();
        assert_eq!(text, "file \"my file.1.base.rdb\" seq 1 type b\n");
        assert_eq!(Manifest::parse(text.as_bytes()).unwrap(), m);
    }
}
