//! Compiler tests: syntax error messages and listings checked against luac5.1.
//!
//! The CI tests compare against values stored here (generated with lua5.1 and
//! luac5.1). Three ignored tests need the references installed and drive the
//! comparison directly:
//! - `corpus_matches_luac`: `luac5.1 -l -l` versus [`crate::lua::listing`] over
//!   the files in `LUAC_CORPUS` (default: the bench programs and the official
//!   5.1 test suite, read from where they are, never copied here);
//! - `fuzz_vs_luac`: token- and byte-level mutants of corpus windows;
//! - `compile_speed`: time per compile of `BENCH_FILE`.

use super::compile;

fn err(src: &str) -> String {
    compile(src.as_bytes(), src.as_bytes()).unwrap_err().message
}

#[test]
fn simple_errors() {
    assert_eq!(
        err("x = = 1"),
        "[string \"x = = 1\"]:1: unexpected symbol near '='"
    );
}

/// Source as `luaL_loadfile` gives it to the compiler: a first line starting
/// with `#` is replaced by an empty line (line numbers stay right).
fn strip_shebang(src: &[u8]) -> Vec<u8> {
    if src.first() == Some(&b'#') {
        let rest = src
            .iter()
            .position(|&c| c == b'\n')
            .map_or(&[][..], |i| &src[i..]);
        rest.to_vec()
    } else {
        src.to_vec()
    }
}

/// Replaces every `0x...` address by `ADDR`.
fn normalize(listing: &str) -> String {
    let mut out = String::with_capacity(listing.len());
    let b = listing.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'0' && i + 1 < b.len() && b[i + 1] == b'x' {
            out.push_str("ADDR");
            i += 2;
            while i < b.len() && b[i].is_ascii_hexdigit() {
                i += 1;
            }
        } else {
            let ch = listing[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Compares our listing with `luac5.1 -l -l` over a corpus: the files named in
/// `LUAC_CORPUS` (colon-separated directories or files), by default
/// [`default_corpus`]. Needs `luac5.1`, so it is ignored in CI:
/// `LUAC_CORPUS=... cargo test corpus_matches_luac -- --ignored --nocapture`.
/// Directories of Lua programs to check the compiler against: this crate's
/// `lua-tests/`, the shared benchmark programs beside the checkout
/// (`../shared/bench/lua`), and PUC-Rio's suite when `LUA_OFFICIAL_TESTS`
/// names a copy of it. Missing ones are skipped.
fn default_corpus() -> Vec<String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut dirs = vec![
        format!("{root}/lua-tests"),
        format!("{root}/../shared/bench/lua"),
    ];
    if let Ok(official) = std::env::var("LUA_OFFICIAL_TESTS") {
        dirs.push(official);
    }
    dirs
}

#[test]
#[ignore]
fn corpus_matches_luac() {
    use std::process::Command;
    let spec = std::env::var("LUAC_CORPUS").unwrap_or_else(|_| default_corpus().join(":"));
    let mut files = Vec::new();
    for part in spec.split(':') {
        let p = std::path::Path::new(part);
        if p.is_dir() {
            let mut v: Vec<_> = std::fs::read_dir(p)
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "lua"))
                .collect();
            v.sort();
            files.extend(v);
        } else {
            files.push(p.to_path_buf());
        }
    }
    let outdir = std::env::temp_dir().join("ferrous-luac-diff");
    let _ = std::fs::create_dir_all(&outdir);
    let (mut same, mut total) = (0, 0);
    for f in &files {
        let dir = f.parent().unwrap();
        let base = f.file_name().unwrap().to_string_lossy().to_string();
        let out = Command::new("luac5.1")
            .args(["-l", "-l", "-p", &base])
            .current_dir(dir)
            .output()
            .expect("luac5.1");
        let theirs = normalize(&String::from_utf8_lossy(&out.stdout))
            + &String::from_utf8_lossy(&out.stderr);
        let src = strip_shebang(&std::fs::read(f).unwrap());
        let name = format!("@{base}");
        let ours = match compile(&src, name.as_bytes()) {
            Ok(p) => normalize(&crate::lua::listing::listing(&p)),
            Err(e) => format!("luac5.1: {}\n", e.message),
        };
        total += 1;
        if ours == theirs {
            same += 1;
            println!("same   {}", f.display());
        } else {
            println!("DIFFER {}", f.display());
            std::fs::write(outdir.join(format!("{base}.ours")), &ours).unwrap();
            std::fs::write(outdir.join(format!("{base}.luac")), &theirs).unwrap();
        }
    }
    println!("{same}/{total} identical (diffs in {})", outdir.display());
}

#[test]
fn syntax_errors_match_lua51() {
    let mut bad = Vec::new();
    for (src, want) in super::error_cases::CASES {
        let got = match compile(src, src) {
            Ok(_) => b"nil".to_vec(),
            Err(e) => e.bytes,
        };
        if &got[..] != *want {
            bad.push(format!(
                "{:?}\n  got  {:?}\n  want {:?}",
                String::from_utf8_lossy(src),
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(want)
            ));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Compiles as `loadstring` does when called from a script run by `lua5.1`
/// (two C calls deep), which is where the expected messages come from.
fn err2(src: &[u8]) -> String {
    super::compile_at_depth(src, src, 2)
        .map(|_| "nil".to_string())
        .unwrap_or_else(|e| e.message)
}

#[test]
fn syntax_levels() {
    for (init, rep) in [
        ("a=", "{"),
        ("a=", "("),
        ("", "a("),
        ("", "do "),
        ("", "while a do "),
        ("", "if a then else "),
        ("", "function foo () "),
        ("a=", "a.."),
        ("a=", "a^"),
    ] {
        let s = format!("local a; {init}{}", rep.repeat(400));
        let m = err2(s.as_bytes());
        assert!(
            m.ends_with("\"]:1: chunk has too many syntax levels"),
            "{m}"
        );
    }
    // the exact thresholds lua5.1 shows
    for n in 190..=200 {
        let s = format!("x = {}1{}", "(".repeat(n), ")".repeat(n));
        assert_eq!(err2(s.as_bytes()) == "nil", n < 197, "parens {n}");
        let s = format!("{}{}", "do ".repeat(n), "end ".repeat(n));
        assert_eq!(err2(s.as_bytes()) == "nil", n < 198, "blocks {n}");
    }
    let s = format!("{}a = 1", "a,".repeat(300));
    assert_eq!(
        err2(s.as_bytes()),
        "[string \"a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a,a...\"]:1: \
         main function has more than 197 variables in assignment"
    );
}

#[test]
fn upvalue_and_local_limits() {
    let mut s = String::from("function foo ()\n  local ");
    for j in 1..=70 {
        s += &format!("a{j}, ");
    }
    s += "b\n";
    for j in 1..=70 {
        s += &format!("function foo{j} ()\n a{j}=3\n");
    }
    assert_eq!(
        err2(s.as_bytes()),
        "[string \"function foo ()...\"]:124: function at line 3 has more than 60 upvalues"
    );
    let mut s = String::from("\nfunction foo ()\n  local ");
    for j in 1..=300 {
        s += &format!("a{j}, ");
    }
    s += "b\n";
    assert_eq!(
        err2(s.as_bytes()),
        "[string \"...\"]:3: function at line 2 has more than 200 local variables"
    );
}

/// Listings `luac5.1 -l -l` printed for small programs (addresses replaced by
/// `ADDR`), stored so the comparison runs without luac5.1.
#[test]
fn listings_match_stored_luac_output() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "t_assign.lua",
            include_str!("testdata/t_assign.lua"),
            include_str!("testdata/t_assign.luac.txt"),
        ),
        (
            "t_expr.lua",
            include_str!("testdata/t_expr.lua"),
            include_str!("testdata/t_expr.luac.txt"),
        ),
        (
            "t_ctrl.lua",
            include_str!("testdata/t_ctrl.lua"),
            include_str!("testdata/t_ctrl.luac.txt"),
        ),
        (
            "t_table.lua",
            include_str!("testdata/t_table.lua"),
            include_str!("testdata/t_table.luac.txt"),
        ),
    ];
    for (name, src, want) in cases {
        let p = compile(src.as_bytes(), format!("@{name}").as_bytes()).unwrap();
        let got = normalize(&crate::lua::listing::listing(&p));
        if got != want {
            let line = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name} differs at line {}: ours {:?} luac {:?}",
                line + 1,
                got.lines().nth(line),
                want.lines().nth(line)
            );
        }
    }
}

/// Differential fuzzing against `luac5.1`: windows of the corpus files, mutated
/// at the token level (delete, duplicate, swap, insert), must give the same
/// listing or the same error. Needs `luac5.1`:
/// `FUZZ_N=2000 cargo test fuzz_vs_luac -- --ignored --nocapture`.
#[test]
#[ignore]
fn fuzz_vs_luac() {
    use std::process::Command;
    let n: usize = std::env::var("FUZZ_N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let mut seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut rnd = move |m: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % m.max(1) as u64) as usize
    };
    let mut sources = Vec::new();
    for dir in default_corpus() {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                if e.path().extension().is_some_and(|x| x == "lua") {
                    sources.push(strip_shebang(&std::fs::read(e.path()).unwrap()));
                }
            }
        }
    }
    sources.sort();
    let extra: [&[u8]; 16] = [
        b"(",
        b")",
        b"end",
        b"=",
        b",",
        b"local",
        b"function",
        b"...",
        b"[[x]]",
        b"{",
        b"}",
        b"return",
        b"break",
        b"..",
        b"not",
        b"'s",
    ];
    let dir = std::env::temp_dir().join("ferrous-fuzz");
    let _ = std::fs::create_dir_all(&dir);
    let file = dir.join("m.lua");
    let (mut same, mut differ) = (0, 0);
    for case in 0..n {
        let src = &sources[rnd(sources.len())];
        let lines: Vec<&[u8]> = src.split(|&c| c == b'\n').collect();
        let start = rnd(lines.len());
        let len = 1 + rnd(30);
        let window = lines[start..(start + len).min(lines.len())].join(&b'\n');
        let mut toks: Vec<Vec<u8>> = window.split(|&c| c == b' ').map(|t| t.to_vec()).collect();
        for _ in 0..1 + rnd(3) {
            let i = rnd(toks.len());
            match rnd(4) {
                0 => {
                    toks.remove(i);
                }
                1 => {
                    let t = toks[i].clone();
                    toks.insert(i, t);
                }
                2 if i + 1 < toks.len() => toks.swap(i, i + 1),
                _ => toks.insert(i, extra[rnd(extra.len())].to_vec()),
            }
            if toks.is_empty() {
                toks.push(Vec::new());
            }
        }
        let mut m = toks.join(&b' ');
        // sometimes mutate bytes too, to exercise the lexer
        if rnd(3) == 0 && !m.is_empty() {
            for _ in 0..1 + rnd(3) {
                let i = rnd(m.len());
                let bytes = b"\"'[]=-\\\n\r0123456789.eExX+ \0\xff";
                match rnd(3) {
                    0 => {
                        m.remove(i);
                    }
                    1 => m.insert(i, bytes[rnd(bytes.len())]),
                    _ => m[i] = bytes[rnd(bytes.len())],
                }
                if m.is_empty() {
                    break;
                }
            }
        }
        std::fs::write(&file, &m).unwrap();
        let out = Command::new("luac5.1")
            .args(["-l", "-l", "-p", "m.lua"])
            .current_dir(&dir)
            .output()
            .expect("luac5.1");
        let theirs = normalize(&String::from_utf8_lossy(&out.stdout))
            + &String::from_utf8_lossy(&out.stderr);
        let ours = match compile(&m, b"@m.lua") {
            Ok(p) => normalize(&crate::lua::listing::listing(&p)),
            Err(e) => format!("luac5.1: {}\n", e.message),
        };
        if ours == theirs {
            same += 1;
        } else {
            differ += 1;
            std::fs::write(dir.join(format!("case{case}.lua")), &m).unwrap();
            std::fs::write(dir.join(format!("case{case}.ours")), &ours).unwrap();
            std::fs::write(dir.join(format!("case{case}.luac")), &theirs).unwrap();
            println!("DIFFER case{case}");
        }
    }
    println!("{same} same, {differ} differ (cases in {})", dir.display());
    assert_eq!(differ, 0);
}

/// Compile speed: compiles the file in `BENCH_FILE` 20 times and prints the
/// time per compile (run with `--release`).
#[test]
#[ignore]
fn compile_speed() {
    let Ok(path) = std::env::var("BENCH_FILE") else {
        return;
    };
    let src = std::fs::read(path).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..20 {
        compile(&src, b"@bench.lua").unwrap();
    }
    println!("{:?} per compile", t.elapsed() / 20);
}
