//! `ferrous-lua`: a `lua5.1`-like command-line interpreter on Ferrous's Lua engine.
//!
//! ```text
//! ferrous-lua [options] [script [args]]
//!   -e stat     execute string 'stat'
//!   -l name     require library 'name'
//!   -i          enter interactive mode after executing 'script'
//!   -v          show version information
//!   --bytecode  list the compiled bytecode of 'script' like `luac -l -l`, do not run
//!   --          stop handling options
//!   -           execute stdin and stop handling options
//! ```
//!
//! As with `lua5.1`, the script sees its arguments as `...` and in the global
//! `arg` table (`arg[0]` the script, negative indexes the interpreter and its
//! options). An uncaught error prints `ferrous-lua: message` and a
//! `stack traceback:` to stderr and exits with status 1.

use ferrous::lua::state::LuaError;
use ferrous::lua::{Value, Vm};
use std::io::{BufRead, IsTerminal, Read, Write};
use std::process::ExitCode;

const PROGNAME: &str = "ferrous-lua";

fn usage() {
    eprintln!(
        "usage: {PROGNAME} [options] [script [args]].\n\
         Available options are:\n\
         \x20 -e stat  execute string 'stat'\n\
         \x20 -l name  require library 'name'\n\
         \x20 -i       enter interactive mode after executing 'script'\n\
         \x20 -v       show version information\n\
         \x20 --bytecode list bytecode instead of running\n\
         \x20 --       stop handling options\n\
         \x20 -        execute stdin and stop handling options"
    );
}

fn version() {
    println!(
        "Lua 5.1 (Ferrous {}), an implementation of the Lua 5.1 language",
        env!("CARGO_PKG_VERSION")
    );
}

/// Message handler: appends a traceback to string messages (like lua.c's).
fn traceback_handler(vm: &mut Vm) -> Result<usize, LuaError> {
    let msg = vm.arg(1);
    match msg {
        Value::Str(_) | Value::Num(_) => {
            let mut text = vm.to_bytes(msg).unwrap_or_default();
            text.extend_from_slice(b"\n");
            text.extend_from_slice(vm.traceback(1).as_bytes());
            let v = vm.new_str(&text);
            vm.push(v);
        }
        other => vm.push(other),
    }
    Ok(1)
}

fn report(vm: &mut Vm, e: &LuaError) {
    let msg = vm.error_message(e);
    let _ = std::io::stdout().flush();
    eprintln!("{PROGNAME}: {msg}");
}

/// Loads and runs a chunk with a traceback handler; false on error (reported).
fn run_chunk(vm: &mut Vm, src: &[u8], name: &[u8], args: &[Value]) -> bool {
    let f = match vm.load_chunk(src, name) {
        Ok(f) => f,
        Err(msg) => {
            report(vm, &LuaError::Error(msg));
            return false;
        }
    };
    let h = vm.new_native(traceback_handler, "traceback");
    match vm.call_protected(f, args, Some(h)) {
        Ok(_) => true,
        Err(e) => {
            report(vm, &e);
            false
        }
    }
}

fn strip_shebang(mut src: Vec<u8>) -> Vec<u8> {
    if src.first() == Some(&b'#') {
        let end = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        src.drain(..end);
    }
    src
}

fn repl(vm: &mut Vm) {
    let stdin = std::io::stdin();
    let mut buf = String::new();
    loop {
        print!("{}", if buf.is_empty() { "> " } else { ">> " });
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match stdin.lock().read_line(&mut line) {
            Ok(0) | Err(_) => {
                println!();
                return;
            }
            Ok(_) => {}
        }
        let line = line.trim_end_matches(['\n', '\r']);
        if buf.is_empty() {
            if let Some(rest) = line.strip_prefix('=') {
                buf = format!("return {rest}");
            } else {
                buf = line.to_string();
            }
        } else {
            buf.push('\n');
            buf.push_str(line);
        }
        let f = match vm.load_chunk(buf.as_bytes(), b"=stdin") {
            Ok(f) => f,
            Err(msg) => {
                let m = vm.to_string_lossy(msg);
                if m.ends_with("'<eof>'") {
                    continue; // incomplete statement: read more
                }
                eprintln!("{PROGNAME}: {m}");
                buf.clear();
                continue;
            }
        };
        buf.clear();
        let h = vm.new_native(traceback_handler, "traceback");
        match vm.call_protected(f, &[], Some(h)) {
            Ok(vals) if !vals.is_empty() => {
                let print = vm.get_global("print");
                if let Err(e) = vm.call(print, &vals) {
                    report(vm, &e);
                }
            }
            Ok(_) => {}
            Err(e) => report(vm, &e),
        }
    }
}

fn main() -> ExitCode {
    // Native code re-entering Lua recurses in Rust (up to 200 levels, as in 5.1;
    // about 1.9 KB per level in release, 18 KB in debug): 16 MB is twice what
    // `LUA_THREAD_STACK` asks for.
    // `FERROUS_LUA_STACK` (bytes) overrides the size, to measure how much is needed.
    let stack = std::env::var("FERROUS_LUA_STACK")
        .ok()
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(2 * ferrous::lua::state::LUA_THREAD_STACK);
    let worker = std::thread::Builder::new()
        .stack_size(stack)
        .spawn(real_main);
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => ExitCode::FAILURE,
    }
}

fn real_main() -> u8 {
    let argv: Vec<String> = std::env::args().collect();
    let mut vm = Vm::new();
    ferrous::lua::stdlib::open_cmdline(&mut vm);
    vm.set_c_call_base(1);
    let mut i = 1;
    let mut interactive = false;
    let mut show_version = false;
    let mut listing = false;
    let mut ran_something = false;
    let mut actions: Vec<(char, String)> = Vec::new();
    // first pass: options
    while i < argv.len() {
        let a = &argv[i];
        if !a.starts_with('-') || a == "-" {
            break;
        }
        match a.as_str() {
            "--" => {
                i += 1;
                break;
            }
            "-i" => {
                interactive = true;
                show_version = true;
            }
            "-v" => show_version = true,
            "--bytecode" => listing = true,
            "-l" => {
                i += 1;
                let Some(name) = argv.get(i) else {
                    usage();
                    return 1;
                };
                actions.push(('l', name.clone()));
            }
            s if s.starts_with("-l") => actions.push(('l', s[2..].to_string())),
            "-e" => {
                i += 1;
                let Some(stat) = argv.get(i) else {
                    usage();
                    return 1;
                };
                actions.push(('e', stat.clone()));
            }
            s if s.starts_with("-e") => actions.push(('e', s[2..].to_string())),
            _ => {
                eprintln!("{PROGNAME}: unrecognized option '{a}'");
                usage();
                return 1;
            }
        }
        i += 1;
    }
    let script_idx = if i < argv.len() { Some(i) } else { None };
    // the global arg table
    let argt = vm.new_table();
    for (j, a) in argv.iter().enumerate() {
        let idx = j as f64 - script_idx.unwrap_or(argv.len()) as f64;
        let s = vm.new_str(a.as_bytes());
        let _ = vm.raw_set(argt, Value::Num(idx), s);
    }
    vm.set_global("arg", Value::Table(argt));

    if show_version {
        version();
    }
    for (what, text) in &actions {
        if *what == 'l' {
            // lua.c's dolibrary: require(name), errors reported alike
            let require = vm.get_global("require");
            let name = vm.new_str(text.as_bytes());
            let h = vm.new_native(traceback_handler, "traceback");
            if let Err(e) = vm.call_protected(require, &[name], Some(h)) {
                report(&mut vm, &e);
                return 1;
            }
            continue;
        }
        ran_something = true;
        if !run_chunk(&mut vm, text.as_bytes(), b"=(command line)", &[]) {
            return 1;
        }
    }
    if let Some(si) = script_idx {
        ran_something = true;
        let name = &argv[si];
        let (src, chunkname) = if name == "-" {
            let mut s = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut s);
            (s, b"=stdin".to_vec())
        } else {
            match std::fs::read(name) {
                Ok(s) => (s, format!("@{name}").into_bytes()),
                Err(_) => {
                    eprintln!("{PROGNAME}: cannot open {name}");
                    return 1;
                }
            }
        };
        let src = strip_shebang(src);
        if listing {
            match ferrous::lua::parse::compile(&src, &chunkname) {
                Ok(p) => {
                    print!("{}", ferrous::lua::listing::listing(&p));
                    return 0;
                }
                Err(e) => {
                    let mut err = std::io::stderr().lock();
                    let _ = write!(err, "{PROGNAME}: ");
                    let _ = err.write_all(&e.bytes);
                    let _ = writeln!(err);
                    return 1;
                }
            }
        }
        let args: Vec<Value> = argv[si + 1..]
            .iter()
            .map(|a| vm.new_str(a.as_bytes()))
            .collect();
        if !run_chunk(&mut vm, &src, &chunkname, &args) {
            return 1;
        }
    }
    if interactive {
        repl(&mut vm);
    } else if !ran_something && !show_version {
        if std::io::stdin().is_terminal() {
            version();
            repl(&mut vm);
        } else {
            let mut s = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut s);
            if !run_chunk(&mut vm, &s, b"=stdin", &[]) {
                return 1;
            }
        }
    }
    let _ = std::io::stdout().flush();
    0
}
