//! Runs each self-checking script of `lua-tests/` through the `ferrous-lua` binary,
//! one `#[test]` per script so a failure names its file.
//!
//! Each script asserts its own expectations (taken from `lua5.1`) and prints `OK` as
//! its last line when everything held. A test passes when the process exits with
//! status 0 and its final output line is `OK`; on failure the message shows the
//! script's stdout tail and its stderr (the Lua error and traceback).
//! Scripts run with the working directory set to `lua-tests/`, as `ferrous-lua name.lua`.
//! Setting `LUA_TESTS_INTERP=lua5.1` runs them through another interpreter instead
//! (how the scripts themselves are checked against the reference).

use std::path::PathBuf;
use std::process::Command;

/// Runs `lua-tests/<name>` and checks exit status and last line.
fn run_script(name: &str) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lua-tests");
    let interp = std::env::var_os("LUA_TESTS_INTERP")
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_ferrous-lua").into());
    let out = Command::new(interp)
        .arg(name)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot start ferrous-lua for {name}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stdout.lines().last().unwrap_or("");
    let tail: Vec<&str> = stdout.lines().rev().take(10).collect();
    assert!(
        out.status.success() && last == "OK",
        "lua-tests/{name} failed: status {:?}, last line {last:?}\n--- stdout (tail) ---\n{}\n--- stderr ---\n{stderr}",
        out.status.code(),
        tail.into_iter().rev().collect::<Vec<_>>().join("\n"),
    );
}

macro_rules! script_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_script($file);
            }
        )*
    };
}

script_tests! {
    lua_closures => "closures.lua",
    lua_coercion => "coercion.lua",
    lua_constructs => "constructs.lua",
    lua_coroutines => "coroutines.lua",
    lua_errors => "errors.lua",
    lua_forloops => "forloops.lua",
    lua_gc => "gc.lua",
    lua_metatables => "metatables.lua",
    lua_recursion => "recursion.lua",
    lua_tables => "tables.lua",
    lua_tailcalls => "tailcalls.lua",
    lua_varargs => "varargs.lua",
    lua_lib_string => "lib_string.lua",
    lua_lib_table => "lib_table.lua",
    lua_lib_math => "lib_math.lua",
    lua_lib_math_edges => "lib_math_edges.lua",
    lua_lib_os => "lib_os.lua",
    lua_lib_io => "lib_io.lua",
    lua_lib_debug => "lib_debug.lua",
    lua_debug_hooks => "debug_hooks.lua",
    lua_lib_base => "lib_base.lua",
    lua_lib_io_os => "lib_io_os.lua",
    lua_lib_string2 => "lib_string2.lua",
    lua_lib_table2 => "lib_table2.lua",
    lua_lib_table_sort => "lib_table_sort.lua",
    lua_lib_pattern_fuzz => "lib_pattern_fuzz.lua",
}

/// Every script in `lua-tests/` has a test above (so a new script is not forgotten).
#[test]
fn lua_scripts_all_listed() {
    let listed = [
        "closures.lua",
        "coercion.lua",
        "constructs.lua",
        "coroutines.lua",
        "errors.lua",
        "forloops.lua",
        "gc.lua",
        "metatables.lua",
        "recursion.lua",
        "tables.lua",
        "tailcalls.lua",
        "varargs.lua",
        "lib_string.lua",
        "lib_table.lua",
        "lib_math.lua",
        "lib_math_edges.lua",
        "lib_os.lua",
        "lib_io.lua",
        "lib_debug.lua",
        "debug_hooks.lua",
        "lib_base.lua",
        "lib_io_os.lua",
        "lib_string2.lua",
        "lib_table2.lua",
        "lib_table_sort.lua",
        "lib_pattern_fuzz.lua",
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("lua-tests");
    let mut found: Vec<String> = std::fs::read_dir(&dir)
        .expect("lua-tests directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lua"))
        .collect();
    found.sort();
    let mut want: Vec<String> = listed.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(
        found, want,
        "lua-tests/*.lua and the tests in lua_scripts.rs differ"
    );
}
