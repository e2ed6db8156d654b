//! The package library (Lua 5.1's loadlib.c, without dynamic libraries):
//! `require`, `module`, and the `package` table with `path cpath loaded
//! preload loaders seeall loadlib`. Command line only.
//!
//! - `package.path` comes from `LUA_PATH` (`;;` in it stands for the default
//!   path), `package.cpath` from `LUA_CPATH`.
//! - `package.loaders` holds, in 5.1's order: the preload searcher, the Lua
//!   file searcher over `package.path`, and two C searchers over
//!   `package.cpath`. This engine cannot load native modules: as a 5.1 built
//!   without dynamic-library support, `package.loadlib` answers `nil,
//!   "dynamic libraries not enabled; ...", "absent"` and a C searcher that
//!   finds a file fails with that message.
//! - `require` marks a module being loaded with a sentinel in
//!   `package.loaded` (a light userdata), so a cycle fails with 5.1's
//!   "loop or previous error loading module" message; a module that is not
//!   found fails with `module 'x' not found:` followed by every searcher's
//!   reasons (`no field package.preload['x']`, `no file './x.lua'`, ...).

use crate::lua::func::Function;
use crate::lua::state::{LuaError, Vm};
use crate::lua::value::{TableRef, Value};

const DEFAULT_PATH: &str = "./?.lua;/usr/local/share/lua/5.1/?.lua;/usr/local/share/lua/5.1/?/init.lua;/usr/local/lib/lua/5.1/?.lua;/usr/local/lib/lua/5.1/?/init.lua";
const DEFAULT_CPATH: &str = "./?.so;/usr/local/lib/lua/5.1/?.so;/usr/local/lib/lua/5.1/loadall.so";

/// Marks a module whose loading is in progress.
const SENTINEL: Value = Value::LightUserData(0x5e_47_1e);

fn package_table(vm: &mut Vm) -> Result<TableRef, LuaError> {
    // As in 5.1 (the package table is these functions' environment), not
    // the global `package`, which scripts may replace.
    match vm.upvalue(0) {
        Value::Table(t) => Ok(t),
        _ => Err(vm.error_str("'package' must be a table")),
    }
}

fn loaded_table(vm: &mut Vm) -> TableRef {
    let r = vm.registry();
    match vm.raw_get_str(r, "_LOADED") {
        Value::Table(t) => t,
        _ => {
            let t = vm.new_table();
            vm.raw_set_str(r, "_LOADED", Value::Table(t));
            t
        }
    }
}

/// Searches `pathkey` of `package` (a `;`-separated template list) for `name`.
fn find_file(vm: &mut Vm, name: &[u8], pathkey: &str) -> Result<Result<String, String>, LuaError> {
    let pkg = package_table(vm)?;
    let path = match vm.raw_get_str(pkg, pathkey) {
        Value::Str(s) => vm.str_bytes(s).to_vec(),
        _ => return Err(vm.error_str(&format!("'package.{}' must be a string", pathkey))),
    };
    let dotted: Vec<u8> = name
        .iter()
        .map(|&c| if c == b'.' { b'/' } else { c })
        .collect();
    let dotted = String::from_utf8_lossy(&dotted).into_owned();
    let mut tried = String::new();
    for template in String::from_utf8_lossy(&path).split(';') {
        if template.is_empty() {
            continue;
        }
        let file = template.replace('?', &dotted);
        if std::fs::File::open(&file).is_ok() {
            return Ok(Ok(file));
        }
        tried.push_str(&format!("\n\tno file '{}'", file));
    }
    Ok(Err(tried))
}

fn loader_preload(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    let pkg = package_table(vm)?;
    let Value::Table(pre) = vm.raw_get_str(pkg, "preload") else {
        return Err(vm.error_str("'package.preload' must be a table"));
    };
    let key = vm.new_str(&name);
    let f = vm.raw_get(pre, key);
    if f.is_nil() {
        let msg = format!(
            "\n\tno field package.preload['{}']",
            String::from_utf8_lossy(&name)
        );
        let s = vm.new_str(msg.as_bytes());
        vm.push(s);
    } else {
        vm.push(f);
    }
    Ok(1)
}

fn loader_lua(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    let file = match find_file(vm, &name, "path")? {
        Ok(f) => f,
        Err(tried) => {
            let s = vm.new_str(tried.as_bytes());
            vm.push(s);
            return Ok(1);
        }
    };
    let mut src = std::fs::read(&file).unwrap_or_default();
    if src.first() == Some(&b'#') {
        let end = src.iter().position(|&c| c == b'\n').unwrap_or(src.len());
        src.drain(..end);
    }
    let chunkname = format!("@{}", file);
    match vm.load_chunk(&src, chunkname.as_bytes()) {
        Ok(f) => {
            vm.push(f);
            Ok(1)
        }
        Err(msg) => {
            let m = vm.to_bytes(msg).unwrap_or_default();
            Err(vm.error_str(&format!(
                "error loading module '{}' from file '{}':\n\t{}",
                String::from_utf8_lossy(&name),
                file,
                String::from_utf8_lossy(&m)
            )))
        }
    }
}

/// What 5.1 built without dynamic-library support (no `LUA_DL_*`) says when
/// asked to load one.
const DLMSG: &str = "dynamic libraries not enabled; check your Lua installation";

/// `package.loadlib(path, funcname)`: as 5.1 answers where dynamic libraries
/// are absent: `nil`, [`DLMSG`], `"absent"`.
fn p_loadlib(vm: &mut Vm) -> Result<usize, LuaError> {
    vm.check_str(1)?;
    vm.check_str(2)?;
    vm.push(Value::Nil);
    let m = vm.new_str(DLMSG.as_bytes());
    vm.push(m);
    let w = vm.new_str(b"absent");
    vm.push(w);
    Ok(3)
}

/// Shared by both C searchers: report what was found or tried.
fn c_search(vm: &mut Vm, name: &[u8]) -> Result<usize, LuaError> {
    match find_file(vm, name, "cpath")? {
        Ok(file) => Err(vm.error_str(&format!(
            "error loading module '{}' from file '{}':\n\t{}",
            String::from_utf8_lossy(name),
            file,
            DLMSG
        ))),
        Err(tried) => {
            let s = vm.new_str(tried.as_bytes());
            vm.push(s);
            Ok(1)
        }
    }
}

fn loader_c(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    c_search(vm, &name)
}

fn loader_croot(vm: &mut Vm) -> Result<usize, LuaError> {
    let name = vm.check_bytes(1)?;
    match name.iter().position(|&c| c == b'.') {
        None => Ok(0),
        Some(p) => c_search(vm, &name[..p]),
    }
}

fn p_require(vm: &mut Vm) -> Result<usize, LuaError> {
    let name_ref = vm.check_str(1)?;
    let name = vm.str_bytes(name_ref).to_vec();
    let loaded = loaded_table(vm);
    let key = Value::Str(name_ref);
    let cur = vm.raw_get(loaded, key);
    if cur.truthy() {
        if cur == SENTINEL {
            return Err(vm.error_str(&format!(
                "loop or previous error loading module '{}'",
                String::from_utf8_lossy(&name)
            )));
        }
        vm.push(cur);
        return Ok(1);
    }
    let pkg = package_table(vm)?;
    let Value::Table(loaders) = vm.raw_get_str(pkg, "loaders") else {
        return Err(vm.error_str("'package.loaders' must be a table"));
    };
    vm.push(Value::Table(loaders)); // keep alive across the calls below
    let mut msg = Vec::new();
    let mut found = None;
    for i in 1.. {
        let l = vm.raw_get(loaders, Value::Num(i as f64));
        if l.is_nil() {
            break;
        }
        let r = vm.call_value(l, &[key])?;
        match r.first().copied().unwrap_or(Value::Nil) {
            Value::Func(f) => {
                found = Some(Value::Func(f));
                break;
            }
            Value::Str(s) => msg.extend_from_slice(vm.str_bytes(s)),
            _ => {}
        }
    }
    let Some(loader) = found else {
        return Err(vm.error_str(&format!(
            "module '{}' not found:{}",
            String::from_utf8_lossy(&name),
            String::from_utf8_lossy(&msg)
        )));
    };
    vm.push(loader);
    vm.raw_set(loaded, key, SENTINEL)?;
    let r = vm.call_value(loader, &[key])?;
    if let Some(v) = r.first().copied().filter(|v| !v.is_nil()) {
        vm.raw_set(loaded, key, v)?;
    }
    if vm.raw_get(loaded, key) == SENTINEL {
        vm.raw_set(loaded, key, Value::Bool(true))?;
    }
    let v = vm.raw_get(loaded, key);
    vm.push(v);
    Ok(1)
}

/// `luaL_findtable` from the globals: walks/creates `a.b.c`; None on a
/// non-table in the way.
fn find_table(vm: &mut Vm, name: &[u8]) -> Result<Option<TableRef>, LuaError> {
    let mut t = vm.globals();
    for part in name.split(|&c| c == b'.') {
        let k = vm.new_str(part);
        match vm.raw_get(t, k) {
            Value::Nil => {
                let n = vm.new_table();
                vm.raw_set(t, k, Value::Table(n))?;
                t = n;
            }
            Value::Table(n) => t = n,
            _ => return Ok(None),
        }
    }
    Ok(Some(t))
}

fn p_module(vm: &mut Vm) -> Result<usize, LuaError> {
    let name_ref = vm.check_str(1)?;
    let name = vm.str_bytes(name_ref).to_vec();
    let loaded = loaded_table(vm);
    let m = match vm.raw_get(loaded, Value::Str(name_ref)) {
        Value::Table(t) => t,
        _ => {
            let Some(t) = find_table(vm, &name)? else {
                return Err(vm.error_str(&format!(
                    "name conflict for module '{}'",
                    String::from_utf8_lossy(&name)
                )));
            };
            vm.raw_set(loaded, Value::Str(name_ref), Value::Table(t))?;
            t
        }
    };
    if vm.raw_get_str(m, "_NAME").is_nil() {
        vm.raw_set_str(m, "_M", Value::Table(m));
        vm.raw_set_str(m, "_NAME", Value::Str(name_ref));
        let pkg_end = name.iter().rposition(|&c| c == b'.').map_or(0, |p| p + 1);
        let pkg = vm.new_str(&name[..pkg_end]);
        vm.raw_set_str(m, "_PACKAGE", pkg);
    }
    // The calling Lua function's environment becomes the module.
    let n = vm.frames.len();
    if n >= 2 {
        let caller = vm.frames[n - 2].closure;
        match vm.heap.funcs.get_mut(caller) {
            Function::Lua(c) => c.env = m,
            Function::Native(_) => {
                return Err(vm.error_str("'module' not called from a Lua function"))
            }
        }
        vm.heap.barrier(Value::Table(m));
    }
    let nargs = vm.arg_count();
    vm.push(Value::Table(m));
    for i in 2..=nargs {
        let f = vm.arg(i);
        vm.call_value(f, &[Value::Table(m)])?;
    }
    Ok(0)
}

fn p_seeall(vm: &mut Vm) -> Result<usize, LuaError> {
    let t = vm.check_table(1)?;
    let mt = match vm.get_metatable(Value::Table(t)) {
        Some(mt) => mt,
        None => {
            let mt = vm.new_table();
            vm.set_metatable(Value::Table(t), Some(mt));
            mt
        }
    };
    let g = vm.globals();
    vm.raw_set_str(mt, "__index", Value::Table(g));
    Ok(0)
}

/// `LUA_PATH`-style value: the variable with `;;` replaced by the default.
fn env_path(var: &str, def: &str) -> String {
    match std::env::var(var) {
        Ok(v) => v.replace(";;", &format!(";{};", def)),
        Err(_) => def.to_string(),
    }
}

/// Opens `require`, `module` and the `package` table; registers the libraries
/// already open in `package.loaded`.
pub fn open(vm: &mut Vm) {
    let pkg = vm.register_lib("package", &[("seeall", p_seeall), ("loadlib", p_loadlib)]);
    let loaders = vm.new_table();
    let fs: [(crate::lua::func::NativeFn, &'static str); 4] = [
        (loader_preload, "loader_preload"),
        (loader_lua, "loader_Lua"),
        (loader_c, "loader_C"),
        (loader_croot, "loader_Croot"),
    ];
    for (i, (f, n)) in fs.into_iter().enumerate() {
        let fv = vm.new_native_closure(f, n, vec![Value::Table(pkg)]);
        let _ = vm.raw_set(loaders, Value::Num((i + 1) as f64), fv);
    }
    vm.raw_set_str(pkg, "loaders", Value::Table(loaders));
    let path = env_path("LUA_PATH", DEFAULT_PATH);
    let p = vm.new_str(path.as_bytes());
    vm.raw_set_str(pkg, "path", p);
    let cpath = env_path("LUA_CPATH", DEFAULT_CPATH);
    let c = vm.new_str(cpath.as_bytes());
    vm.raw_set_str(pkg, "cpath", c);
    let conf = vm.new_str(b"/\n;\n?\n!\n-");
    vm.raw_set_str(pkg, "config", conf);
    let loaded = loaded_table(vm);
    vm.raw_set_str(pkg, "loaded", Value::Table(loaded));
    let preload = vm.new_table();
    vm.raw_set_str(pkg, "preload", Value::Table(preload));
    let g = vm.globals();
    for lib in [
        "string",
        "table",
        "math",
        "os",
        "io",
        "debug",
        "coroutine",
        "package",
    ] {
        let v = vm.raw_get_str(g, lib);
        if !v.is_nil() {
            vm.raw_set_str(loaded, lib, v);
        }
    }
    vm.raw_set_str(loaded, "_G", Value::Table(g));
    for (name, f) in [
        ("require", p_require as crate::lua::func::NativeFn),
        ("module", p_module),
    ] {
        let fv = vm.new_native_closure(f, name, vec![Value::Table(pkg)]);
        vm.set_global(name, fv);
    }
}
