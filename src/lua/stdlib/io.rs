//! The io library (Lua 5.1's liolib.c), command line only: `io.open close
//! read write lines input output type tmpfile popen` and `io.stdin/stdout/stderr`;
//! file methods `read write lines seek close setvbuf flush` and `__tostring`.
//!
//! A file is a full userdata whose Rust data is a [`LuaFile`]; all files
//! share one metatable (kept in the registry under `FILE*`, as 5.1 does) whose
//! `__index` is the method table. The default input and output files live in
//! the registry too. Closing drops the OS handle; a collected file is closed
//! when its userdata is freed.
//!
//! Reading keeps a buffer of its own (so `*n` can look one byte ahead and
//! `*l` does not read byte by byte); writing goes straight to the OS (stdout
//! through Rust's shared stdout, so `print` and `io.write` interleave in
//! order). Before a write or a seek the unread buffered bytes are given back
//! by seeking, which is what C's stdio requires the program to do by hand.
//!
//! Failures return `nil, "name: message", errno` as 5.1 does (message texts
//! are the C library's `strerror` words, see [`super::os::strerror`]).
//! `io.popen(cmd, mode)` runs `cmd` with `/bin/sh -c` and reads its output
//! (`"r"`) or writes its input (`"w"`); closing the file waits for the command.

use super::os::{make_temp_file, push_error};
use crate::lua::state::{LuaError, Vm};
use crate::lua::value::{TableRef, UdRef, Value};
use std::io::{Read, Seek, SeekFrom, Write};

/// The OS side of a file.
enum Handle {
    Stdin,
    Stdout,
    Stderr,
    File(std::fs::File),
    /// `io.popen`: the command, its stdout piped to us ("r") or its stdin
    /// piped from us ("w").
    Pipe(std::process::Child),
}

/// Output buffering of a file (`setvbuf`), as C's stdio does it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Buffering {
    No,
    Line,
    Full(usize),
}

/// The Rust data of a Lua file userdata.
pub struct LuaFile {
    /// `None` once closed.
    h: Option<Handle>,
    rbuf: Vec<u8>,
    rpos: usize,
    /// Written bytes not yet given to the OS (disk files only).
    wbuf: Vec<u8>,
    mode: Buffering,
    /// Opened for writing (a write on a read-only stream fails with EBADF).
    writable: bool,
}

impl Drop for LuaFile {
    fn drop(&mut self) {
        let _ = self.flush_wbuf();
    }
}

impl LuaFile {
    fn new(h: Handle) -> LuaFile {
        LuaFile {
            h: Some(h),
            rbuf: Vec::new(),
            rpos: 0,
            wbuf: Vec::new(),
            mode: Buffering::Full(4096),
            writable: true,
        }
    }

    /// Gives buffered output to the OS.
    fn flush_wbuf(&mut self) -> std::io::Result<()> {
        if self.wbuf.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.wbuf);
        match &mut self.h {
            Some(Handle::File(f)) => f.write_all(&data),
            _ => Ok(()),
        }
    }

    /// Refills the read buffer; false at end of file (or on error).
    fn fill(&mut self) -> bool {
        if self.rpos < self.rbuf.len() {
            return true;
        }
        if self.flush_wbuf().is_err() {
            return false;
        }
        self.rbuf.resize(8192, 0);
        self.rpos = 0;
        let n = match &mut self.h {
            Some(Handle::Stdin) => std::io::stdin().read(&mut self.rbuf),
            Some(Handle::File(f)) => f.read(&mut self.rbuf),
            Some(Handle::Pipe(c)) => match c.stdout.as_mut() {
                Some(out) => out.read(&mut self.rbuf),
                None => Err(std::io::Error::from_raw_os_error(9)),
            },
            _ => Ok(0),
        };
        let n = n.unwrap_or(0);
        self.rbuf.truncate(n);
        n > 0
    }

    fn peek(&mut self) -> Option<u8> {
        if self.fill() {
            Some(self.rbuf[self.rpos])
        } else {
            None
        }
    }

    /// Gives unread buffered bytes back to the OS file position.
    fn unread(&mut self) -> std::io::Result<()> {
        self.flush_wbuf()?;
        let left = (self.rbuf.len() - self.rpos) as i64;
        self.rbuf.clear();
        self.rpos = 0;
        if left > 0 {
            if let Some(Handle::File(f)) = &mut self.h {
                f.seek(SeekFrom::Current(-left))?;
            }
        }
        Ok(())
    }

    fn write(&mut self, b: &[u8]) -> std::io::Result<()> {
        self.unread()?;
        match &mut self.h {
            Some(Handle::Stdout) => std::io::stdout().write_all(b),
            Some(Handle::Stderr) => std::io::stderr().write_all(b),
            Some(Handle::File(_)) if !self.writable => Err(std::io::Error::from_raw_os_error(9)),
            Some(Handle::File(_)) => {
                self.wbuf.extend_from_slice(b);
                let now = match self.mode {
                    Buffering::No => true,
                    Buffering::Line => b.contains(&b'\n'),
                    Buffering::Full(n) => self.wbuf.len() >= n,
                };
                if now {
                    self.flush_wbuf()
                } else {
                    Ok(())
                }
            }
            Some(Handle::Pipe(c)) => match c.stdin.as_mut() {
                Some(input) => input.write_all(b),
                None => Err(std::io::Error::from_raw_os_error(9)), // EBADF
            },
            Some(Handle::Stdin) => Err(std::io::Error::from_raw_os_error(9)),
            None => Ok(()),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.h {
            Some(Handle::Stdout) => std::io::stdout().flush(),
            Some(Handle::File(_)) => self.flush_wbuf(),
            _ => Ok(()),
        }
    }

    /// `*l`: a line without its newline; None at end of file.
    fn read_line(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            if !self.fill() {
                return if out.is_empty() { None } else { Some(out) };
            }
            let avail = &self.rbuf[self.rpos..];
            match avail.iter().position(|&c| c == b'\n') {
                Some(p) => {
                    out.extend_from_slice(&avail[..p]);
                    self.rpos += p + 1;
                    return Some(out);
                }
                None => {
                    out.extend_from_slice(avail);
                    self.rpos = self.rbuf.len();
                }
            }
        }
    }

    /// `*a`: everything left.
    fn read_all(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        while self.fill() {
            out.extend_from_slice(&self.rbuf[self.rpos..]);
            self.rpos = self.rbuf.len();
        }
        out
    }

    /// `n` bytes (fewer at end of file); None when nothing could be read.
    fn read_chars(&mut self, n: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        while out.len() < n && self.fill() {
            let take = (n - out.len()).min(self.rbuf.len() - self.rpos);
            out.extend_from_slice(&self.rbuf[self.rpos..self.rpos + take]);
            self.rpos += take;
        }
        if out.is_empty() {
            None
        } else {
            Some(out)
        }
    }

    /// `*n`: a number as `fscanf("%lf")` reads it (leading space skipped,
    /// decimal or hexadecimal, one byte of look-ahead).
    fn read_number(&mut self) -> Option<f64> {
        while matches!(self.peek(), Some(c) if c.is_ascii_whitespace()) {
            self.rpos += 1;
        }
        let mut s = Vec::new();
        let accept = |f: &mut LuaFile, set: &dyn Fn(u8) -> bool, s: &mut Vec<u8>| -> bool {
            match f.peek() {
                Some(c) if set(c) => {
                    s.push(c);
                    f.rpos += 1;
                    true
                }
                _ => false,
            }
        };
        accept(self, &|c| c == b'-' || c == b'+', &mut s);
        let mut hex = false;
        if accept(self, &|c| c == b'0', &mut s) && accept(self, &|c| c == b'x' || c == b'X', &mut s)
        {
            hex = true;
        }
        let digit = move |c: u8| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        };
        while accept(self, &digit, &mut s) {}
        if accept(self, &|c| c == b'.', &mut s) {
            while accept(self, &digit, &mut s) {}
        }
        let exp = if hex { [b'p', b'P'] } else { [b'e', b'E'] };
        if accept(self, &|c| c == exp[0] || c == exp[1], &mut s) {
            accept(self, &|c| c == b'-' || c == b'+', &mut s);
            while accept(self, &|c: u8| c.is_ascii_digit(), &mut s) {}
        }
        crate::lua::numfmt::str2number(&s)
    }
}

const FILE_KEY: &str = "FILE*";
const INPUT_KEY: &str = "_IO_input";
const OUTPUT_KEY: &str = "_IO_output";

fn file_meta(vm: &mut Vm) -> Option<TableRef> {
    let r = vm.registry();
    match vm.raw_get_str(r, FILE_KEY) {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

fn new_file(vm: &mut Vm, h: Handle) -> Value {
    new_file_mode(vm, h, b"r+")
}

/// A file userdata opened with C mode `mode` (which decides writability).
fn new_file_mode(vm: &mut Vm, h: Handle, mode: &[u8]) -> Value {
    let meta = file_meta(vm);
    let mut lf = LuaFile::new(h);
    lf.writable = mode.first() != Some(&b'r') || mode.contains(&b'+');
    let u = vm.heap.new_userdata(meta, Some(Box::new(lf)));
    Value::UserData(u)
}

fn as_file(vm: &mut Vm, v: Value) -> Option<&mut LuaFile> {
    let Value::UserData(u) = v else { return None };
    vm.heap
        .userdata
        .get_mut(u)
        .data
        .as_mut()?
        .downcast_mut::<LuaFile>()
}

/// Argument `i` must be a file userdata (open or closed).
fn check_file(vm: &mut Vm, i: usize) -> Result<UdRef, LuaError> {
    let v = vm.arg(i);
    if as_file(vm, v).is_some() {
        if let Value::UserData(u) = v {
            return Ok(u);
        }
    }
    Err(vm.type_error(i, "FILE*"))
}

/// The open file in userdata `u`, or 5.1's "attempt to use a closed file".
fn open_file(vm: &mut Vm, u: UdRef) -> Result<&mut LuaFile, LuaError> {
    let closed = as_file(vm, Value::UserData(u)).is_none_or(|f| f.h.is_none());
    if closed {
        return Err(vm.error_str("attempt to use a closed file"));
    }
    as_file(vm, Value::UserData(u)).ok_or(LuaError::Error(Value::Nil))
}

fn push_result(vm: &mut Vm, r: std::io::Result<()>, ok: Value) -> usize {
    match r {
        Ok(()) => {
            vm.push(ok);
            1
        }
        Err(e) => push_error(vm, None, &e),
    }
}

enum ReadOut {
    Str(Vec<u8>),
    Num(f64),
    Nil,
}

/// `g_read`: the formats from argument `first` on.
fn read_formats(vm: &mut Vm, u: UdRef, first: usize) -> Result<usize, LuaError> {
    enum Fmt {
        Count(usize),
        Num,
        Line,
        All,
    }
    let mut fmts = Vec::new();
    let n = vm.arg_count();
    if n < first {
        fmts.push(Fmt::Line);
    }
    for i in first..=n {
        match vm.arg(i) {
            Value::Num(x) => fmts.push(Fmt::Count(x.max(0.0) as usize)),
            _ => {
                let s = vm.check_bytes(i)?;
                match s.get(..2) {
                    Some(b"*n") => fmts.push(Fmt::Num),
                    Some(b"*l") => fmts.push(Fmt::Line),
                    Some(b"*a") => fmts.push(Fmt::All),
                    _ => return Err(vm.arg_error(i, "invalid format")),
                }
            }
        }
    }
    let f = open_file(vm, u)?;
    let mut outs = Vec::new();
    for fmt in fmts {
        let r = match fmt {
            Fmt::Count(0) => match f.peek() {
                Some(_) => ReadOut::Str(Vec::new()),
                None => ReadOut::Nil,
            },
            Fmt::Count(k) => f.read_chars(k).map_or(ReadOut::Nil, ReadOut::Str),
            Fmt::Num => f.read_number().map_or(ReadOut::Nil, ReadOut::Num),
            Fmt::Line => f.read_line().map_or(ReadOut::Nil, ReadOut::Str),
            Fmt::All => ReadOut::Str(f.read_all()),
        };
        let stop = matches!(r, ReadOut::Nil);
        outs.push(r);
        if stop {
            break;
        }
    }
    let count = outs.len();
    for r in outs {
        let v = match r {
            ReadOut::Str(b) => vm.new_str(&b),
            ReadOut::Num(x) => Value::Num(x),
            ReadOut::Nil => Value::Nil,
        };
        vm.push(v);
    }
    Ok(count)
}

/// `g_write`: strings and numbers from argument `first` on; returns true (5.1).
fn write_values(vm: &mut Vm, u: UdRef, first: usize) -> Result<usize, LuaError> {
    let mut data = Vec::new();
    for i in first..=vm.arg_count() {
        let s = vm.check_bytes(i)?;
        data.extend_from_slice(&s);
    }
    let f = open_file(vm, u)?;
    let r = f.write(&data);
    Ok(push_result(vm, r, Value::Bool(true)))
}

fn f_read(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    read_formats(vm, u, 2)
}

fn f_write(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    write_values(vm, u, 2)
}

fn close_file(vm: &mut Vm, u: UdRef) -> Result<usize, LuaError> {
    let f = open_file(vm, u)?;
    if matches!(f.h, Some(Handle::Stdin | Handle::Stdout | Handle::Stderr)) {
        vm.push(Value::Nil);
        let m = vm.new_str(b"cannot close standard file");
        vm.push(m);
        return Ok(2);
    }
    let r = f.flush();
    if let Some(Handle::Pipe(mut c)) = f.h.take() {
        // pclose: end our side, then wait for the command
        drop(c.stdin.take());
        drop(c.stdout.take());
        let waited = c.wait().map(|_| ());
        return Ok(push_result(vm, r.and(waited), Value::Bool(true)));
    }
    Ok(push_result(vm, r, Value::Bool(true)))
}

fn f_close(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    close_file(vm, u)
}

fn f_flush(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    let r = open_file(vm, u)?.flush();
    Ok(push_result(vm, r, Value::Bool(true)))
}

fn f_seek(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    open_file(vm, u)?;
    let whence = match vm.opt_str(2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"cur".to_vec(),
    };
    let off = vm.opt_int(3, 0)?;
    let pos = match &whence[..] {
        b"set" if off < 0 => {
            let e = std::io::Error::from_raw_os_error(22); // EINVAL, as fseek
            return Ok(push_error(vm, None, &e));
        }
        b"set" => SeekFrom::Start(off as u64),
        b"cur" => SeekFrom::Current(off),
        b"end" => SeekFrom::End(off),
        other => {
            let msg = format!("invalid option '{}'", String::from_utf8_lossy(other));
            return Err(vm.arg_error(2, &msg));
        }
    };
    let f = open_file(vm, u)?;
    let r = f.unread().and_then(|()| match &mut f.h {
        Some(Handle::File(file)) => file.seek(pos),
        _ => Err(std::io::Error::from_raw_os_error(29)), // ESPIPE
    });
    match r {
        Ok(p) => {
            vm.push(Value::Num(p as f64));
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, None, &e)),
    }
}

fn f_setvbuf(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    let mode = vm.check_bytes(2)?;
    if !matches!(&mode[..], b"no" | b"full" | b"line") {
        let msg = format!("invalid option '{}'", String::from_utf8_lossy(&mode));
        return Err(vm.arg_error(2, &msg));
    }
    let size = vm.opt_int(3, 4096)?.max(1) as usize;
    let f = open_file(vm, u)?;
    let r = f.flush_wbuf();
    f.mode = match &mode[..] {
        b"no" => Buffering::No,
        b"line" => Buffering::Line,
        _ => Buffering::Full(size),
    };
    Ok(push_result(vm, r, Value::Bool(true)))
}

/// `__gc`: closes a collected file (standard files stay open).
fn f_gc(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    if let Some(f) = as_file(vm, Value::UserData(u)) {
        if matches!(f.h, Some(Handle::File(_))) {
            let _ = f.flush_wbuf();
            f.h = None;
        }
    }
    Ok(0)
}

fn f_tostring(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    let closed = as_file(vm, Value::UserData(u)).is_none_or(|f| f.h.is_none());
    let text = if closed {
        "file (closed)".to_string()
    } else {
        format!("file (0x{:08x})", 0x1000_0000u64 + u.index() as u64 * 64)
    };
    let s = vm.new_str(text.as_bytes());
    vm.push(s);
    Ok(1)
}

/// The `lines` iterator: upvalue 0 the file, upvalue 1 true when the
/// iterator owns the file (closes it at end of file).
fn lines_iter(vm: &mut Vm) -> Result<usize, LuaError> {
    let fv = vm.upvalue(0);
    let owns = vm.upvalue(1).truthy();
    let Value::UserData(u) = fv else {
        return Ok(0);
    };
    if as_file(vm, fv).is_none_or(|f| f.h.is_none()) {
        return Err(vm.error_str("file is already closed"));
    }
    let line = open_file(vm, u)?.read_line();
    match line {
        Some(l) => {
            let s = vm.new_str(&l);
            vm.push(s);
            Ok(1)
        }
        None => {
            if owns {
                if let Some(f) = as_file(vm, fv) {
                    f.h = None;
                }
            }
            vm.push(Value::Nil);
            Ok(1)
        }
    }
}

fn f_lines(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = check_file(vm, 1)?;
    open_file(vm, u)?;
    let it = vm.new_native_closure(
        lines_iter,
        "lines",
        vec![Value::UserData(u), Value::Bool(false)],
    );
    vm.push(it);
    Ok(1)
}

/// Opens `name` with a C `fopen` mode.
fn open_path(name: &[u8], mode: &[u8]) -> std::io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    let plus = mode.get(1..).is_some_and(|m| m.contains(&b'+'));
    match mode.first() {
        Some(b'r') => o.read(true).write(plus),
        Some(b'w') => o.write(true).create(true).truncate(true).read(plus),
        Some(b'a') => o.append(true).create(true).read(plus),
        _ => return Err(std::io::Error::from_raw_os_error(22)), // EINVAL
    };
    let path = String::from_utf8_lossy(name).into_owned();
    let f = o.open(&path)?;
    // fopen on a directory for reading succeeds, reading fails later; for
    // writing the OS refuses it (EISDIR) as above.
    Ok(f)
}

fn io_open(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    let mode = match vm.opt_str(2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"r".to_vec(),
    };
    match open_path(&name, &mode) {
        Ok(f) => {
            let v = new_file_mode(vm, Handle::File(f), &mode);
            vm.push(v);
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, Some(&name), &e)),
    }
}

fn io_popen(vm: &mut Vm) -> Result<usize, LuaError> {
    let cmd = vm.check_bytes(1)?;
    let mode = match vm.opt_str(2)? {
        Some(s) => vm.str_bytes(s).to_vec(),
        None => b"r".to_vec(),
    };
    let reading = mode.first() != Some(&b'w');
    let mut c = std::process::Command::new("/bin/sh");
    c.arg("-c").arg(String::from_utf8_lossy(&cmd).into_owned());
    if reading {
        c.stdout(std::process::Stdio::piped());
    } else {
        c.stdin(std::process::Stdio::piped());
    }
    match c.spawn() {
        Ok(child) => {
            let v = new_file_mode(vm, Handle::Pipe(child), if reading { b"r" } else { b"w" });
            vm.push(v);
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, Some(&cmd), &e)),
    }
}

fn io_tmpfile(vm: &mut Vm) -> Result<usize, LuaError> {
    match make_temp_file() {
        Ok((name, f)) => {
            let _ = std::fs::remove_file(&name);
            let v = new_file(vm, Handle::File(f));
            vm.push(v);
            Ok(1)
        }
        Err(e) => Ok(push_error(vm, None, &e)),
    }
}

fn io_type(vm: &mut Vm) -> Result<usize, LuaError> {
    let v = vm.check_any(1)?;
    let r = match as_file(vm, v) {
        None => Value::Nil,
        Some(f) if f.h.is_none() => vm.new_str(b"closed file"),
        Some(_) => vm.new_str(b"file"),
    };
    vm.push(r);
    Ok(1)
}

fn default_file(vm: &mut Vm, key: &str) -> Result<UdRef, LuaError> {
    let r = vm.registry();
    let v = vm.raw_get_str(r, key);
    let open = as_file(vm, v).is_some_and(|f| f.h.is_some());
    match v {
        Value::UserData(u) if open => Ok(u),
        _ => {
            let which = if key == INPUT_KEY { "input" } else { "output" };
            Err(vm.error_str(&format!("standard {} file is closed", which)))
        }
    }
}

/// `io.input` / `io.output`: set from a file or a name, return the current one.
fn g_iofile(vm: &mut Vm, key: &str, mode: &[u8]) -> Result<usize, LuaError> {
    let a = vm.arg(1);
    if !a.is_nil() {
        let newf = match a {
            Value::Str(_) | Value::Num(_) => {
                let name = vm.check_bytes(1)?;
                match open_path(&name, mode) {
                    Ok(f) => new_file_mode(vm, Handle::File(f), mode),
                    Err(e) => {
                        let (text, _) = super::os::strerror(&e);
                        let msg = format!("{}: {}", String::from_utf8_lossy(&name), text);
                        return Err(vm.arg_error(1, &msg));
                    }
                }
            }
            _ => {
                check_file(vm, 1)?;
                open_file(
                    vm,
                    match a {
                        Value::UserData(u) => u,
                        _ => return Err(vm.type_error(1, "FILE*")),
                    },
                )?;
                a
            }
        };
        let r = vm.registry();
        vm.raw_set_str(r, key, newf);
    }
    let r = vm.registry();
    let cur = vm.raw_get_str(r, key);
    vm.push(cur);
    Ok(1)
}

fn io_input(vm: &mut Vm) -> Result<usize, LuaError> {
    g_iofile(vm, INPUT_KEY, b"r")
}

fn io_output(vm: &mut Vm) -> Result<usize, LuaError> {
    g_iofile(vm, OUTPUT_KEY, b"w")
}

fn io_read(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = default_file(vm, INPUT_KEY)?;
    read_formats(vm, u, 1)
}

fn io_write(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = default_file(vm, OUTPUT_KEY)?;
    write_values(vm, u, 1)
}

fn io_close(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg(1).is_nil() {
        let u = default_file(vm, OUTPUT_KEY)?;
        return close_file(vm, u);
    }
    let u = check_file(vm, 1)?;
    close_file(vm, u)
}

fn io_flush(vm: &mut Vm) -> Result<usize, LuaError> {
    let u = default_file(vm, OUTPUT_KEY)?;
    let r = open_file(vm, u)?.flush();
    Ok(push_result(vm, r, Value::Bool(true)))
}

fn io_lines(vm: &mut Vm) -> Result<usize, LuaError> {
    if vm.arg(1).is_nil() {
        let u = default_file(vm, INPUT_KEY)?;
        open_file(vm, u)?;
        let it = vm.new_native_closure(
            lines_iter,
            "lines",
            vec![Value::UserData(u), Value::Bool(false)],
        );
        vm.push(it);
        return Ok(1);
    }
    let name = vm.check_bytes(1)?;
    match open_path(&name, b"r") {
        Ok(f) => {
            let fv = new_file_mode(vm, Handle::File(f), b"r");
            let it = vm.new_native_closure(lines_iter, "lines", vec![fv, Value::Bool(true)]);
            vm.push(it);
            Ok(1)
        }
        Err(e) => {
            let (text, _) = super::os::strerror(&e);
            let msg = format!("{}: {}", String::from_utf8_lossy(&name), text);
            Err(vm.arg_error(1, &msg))
        }
    }
}

/// Gives every open file's buffered output to the OS (before `os.exit`,
/// as C's `exit` flushes its streams).
pub fn flush_all(vm: &mut Vm) {
    let handles: Vec<UdRef> = vm.heap.userdata.handles().collect();
    for u in handles {
        if let Some(f) = as_file(vm, Value::UserData(u)) {
            let _ = f.flush_wbuf();
        }
    }
}

/// Opens the io library as the global `io`.
pub fn open(vm: &mut Vm) {
    let methods: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("close", f_close),
        ("flush", f_flush),
        ("lines", f_lines),
        ("read", f_read),
        ("seek", f_seek),
        ("setvbuf", f_setvbuf),
        ("write", f_write),
    ];
    let meta = vm.new_table();
    for (name, f) in methods {
        vm.register(meta, name, *f);
    }
    vm.raw_set_str(meta, "__index", Value::Table(meta));
    vm.register(meta, "__tostring", f_tostring);
    vm.register(meta, "__gc", f_gc);
    let r = vm.registry();
    vm.raw_set_str(r, FILE_KEY, Value::Table(meta));
    let funcs: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("close", io_close),
        ("flush", io_flush),
        ("input", io_input),
        ("lines", io_lines),
        ("open", io_open),
        ("output", io_output),
        ("popen", io_popen),
        ("read", io_read),
        ("tmpfile", io_tmpfile),
        ("type", io_type),
        ("write", io_write),
    ];
    let io = vm.register_lib("io", funcs);
    for (name, h) in [
        ("stdin", Handle::Stdin),
        ("stdout", Handle::Stdout),
        ("stderr", Handle::Stderr),
    ] {
        let v = new_file(vm, h);
        vm.raw_set_str(io, name, v);
        if name == "stdin" {
            vm.raw_set_str(r, INPUT_KEY, v);
        }
        if name == "stdout" {
            vm.raw_set_str(r, OUTPUT_KEY, v);
        }
    }
}
