//! Tests of the budget hook and of interrupts (see [`Vm::interrupt`] and
//! [`Vm::charge`]): a hook that interrupts must stop a script within bounded
//! time whatever it is doing, and no `pcall`, `xpcall`, coroutine or message
//! handler in the script may catch the interrupt.
//!
//! Each case runs on its own thread with a deadline, so a regression fails
//! the test instead of hanging it. The hook counts only once the script has
//! set the global `armed` (so building a big input does not use the budget),
//! then interrupts at its `FIRE`-th run.

use super::{LuaError, Value, Vm};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Hook runs after `armed` is set before the hook interrupts.
const FIRE: u32 = 20;
/// Events between two runs of the hook (the server uses 1000).
const INTERVAL: u32 = 1000;
/// How long any case may take, setup included.
const DEADLINE: Duration = Duration::from_secs(20);

/// Runs `src` under an interrupting hook; returns (the error message or the
/// results joined, seconds from arming to the end).
fn run_interrupted(src: &'static str) -> (String, f64) {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(super::LUA_THREAD_STACK)
        .spawn(move || {
            let mut vm = Vm::new();
            let mut runs = 0u32;
            let armed_at: std::sync::Arc<std::sync::Mutex<Option<Instant>>> = Default::default();
            let armed_at2 = armed_at.clone();
            vm.set_hook(
                INTERVAL,
                Box::new(move |vm: &mut Vm| {
                    if !vm.get_global("armed").truthy() {
                        return Ok(());
                    }
                    if let Ok(mut a) = armed_at2.lock() {
                        a.get_or_insert_with(Instant::now);
                    }
                    runs += 1;
                    if runs >= FIRE {
                        return Err(vm.interrupt_str("killed"));
                    }
                    Ok(())
                }),
            );
            let r = vm.eval(src);
            let secs = armed_at
                .lock()
                .ok()
                .and_then(|a| *a)
                .map_or(0.0, |t| t.elapsed().as_secs_f64());
            let text = match r {
                Ok(vals) => {
                    let parts: Vec<String> = vals.iter().map(|v| vm.to_string_lossy(*v)).collect();
                    format!("returned {}", parts.join(" "))
                }
                Err(e) => vm.error_message(&e),
            };
            // the state is usable again and the interrupt is over
            vm.clear_hook();
            let after = vm.eval("local ok = pcall(error, 'x') return ok");
            assert_eq!(after, Ok(vec![Value::Bool(false)]));
            assert!(!vm.is_interrupted());
            let _ = tx.send((text, secs));
        })
        .expect("spawn");
    rx.recv_timeout(DEADLINE)
        .unwrap_or_else(|_| panic!("not interrupted within {DEADLINE:?}: {src}"))
}

fn assert_killed(src: &'static str) {
    let (msg, secs) = run_interrupted(src);
    assert_eq!(msg, "killed", "{src}");
    assert!(secs < 2.0, "{secs}s to stop: {src}");
}

#[test]
fn pcall_cannot_catch_an_interrupt() {
    assert_killed("armed = true while true do pcall(function() while true do end end) end");
    assert_killed(
        "armed = true while true do xpcall(function() while true do end end, \
         function(e) return e end) end",
    );
    // a handler that loops is interrupted too
    assert_killed("armed = true xpcall(error, function() while true do end end) return 'caught'");
    assert_killed(
        "armed = true while true do coroutine.resume(coroutine.create(function() \
         while true do end end)) end",
    );
    assert_killed(
        "armed = true while true do pcall(coroutine.wrap(function() \
         while true do end end)) end",
    );
    // caught and retried in a loop that makes no calls of its own
    assert_killed(
        "armed = true local n = 0 repeat local ok = pcall(function() \
         for i = 1, 1e9 do end end) n = n + 1 until false",
    );
}

#[test]
fn tail_call_loops_are_interrupted() {
    // a frame that replaces itself forever (the TAILCALL fast path) still
    // charges the budget, alone, in a pair, and under pcall
    assert_killed("armed = true local function f() return f() end return f()");
    assert_killed(
        "armed = true local a, b function a(n) return b(n + 1) end \
         function b(n) return a(n + 1) end return pcall(a, 0)",
    );
}

#[test]
fn long_natives_charge_the_budget() {
    // the pattern bomb of issue 13: exponential backtracking in one call
    assert_killed(
        "armed = true local ok = pcall(string.find, ('a'):rep(40), \
         ('a?'):rep(40) .. ('a'):rep(40) .. 'b') return 'caught'",
    );
    assert_killed(
        "armed = true local ok = pcall(string.match, ('a'):rep(40), \
         ('a?'):rep(40) .. ('a'):rep(40) .. 'b') return 'caught'",
    );
    assert_killed(
        "armed = true local ok = pcall(string.gsub, ('a'):rep(40), \
         ('a?'):rep(40) .. ('a'):rep(40) .. 'b', '') return 'caught'",
    );
    assert_killed(
        "armed = true local ok = pcall(function() for m in ('a'):rep(40):gmatch(\
         ('a?'):rep(40) .. ('a'):rep(40) .. 'b') do end end) return 'caught'",
    );
    // sorting, without and with a comparator
    assert_killed(
        "local t = {} for i = 1, 2e6 do t[i] = (i * 7919) % 2e6 end \
         armed = true pcall(table.sort, t) pcall(table.sort, t) return 'caught'",
    );
    assert_killed(
        "local t = {} for i = 1, 2e6 do t[i] = (i * 7919) % 2e6 end \
         armed = true pcall(table.sort, t, function(a, b) return a > b end) return 'caught'",
    );
    // building big strings
    assert_killed("armed = true pcall(string.rep, 'x', 2^30) return 'caught'");
    assert_killed("armed = true pcall(string.rep, 'xy', 2^29) return 'caught'");
    assert_killed(
        "local t = {} for i = 1, 3e6 do t[i] = 'x' end \
         armed = true for i = 1, 1e9 do pcall(table.concat, t, ',') end",
    );
    assert_killed(
        "local s = ('x'):rep(2^20) \
         armed = true pcall(string.gsub, s, 'x', ('y'):rep(1000)) return 'caught'",
    );
    // shifting a huge stretch of a table
    assert_killed("local t = {} armed = true pcall(table.insert, t, -2^31 + 2, 1) return 'caught'");
    // many native calls and nothing else
    assert_killed("armed = true while true do pcall(tostring, 1) end");
}

#[test]
fn an_ordinary_hook_error_stays_catchable() {
    let mut vm = Vm::new();
    let mut n = 0;
    vm.set_hook(
        10,
        Box::new(move |vm: &mut Vm| {
            n += 1;
            if n == 3 {
                let v = vm.new_str(b"soft");
                return Err(LuaError::Error(v));
            }
            Ok(())
        }),
    );
    let r = vm
        .eval("local ok, e = pcall(function() for i = 1, 1e6 do end end) return ok, e")
        .unwrap();
    assert_eq!(r[0], Value::Bool(false));
    assert_eq!(vm.to_string_lossy(r[1]), "soft");
}

#[test]
fn the_instruction_limit_is_an_interrupt() {
    let mut vm = Vm::new();
    vm.set_instruction_limit(Some(10_000));
    let e = vm
        .eval("while true do pcall(function() while true do end end) end")
        .unwrap_err();
    assert!(vm
        .error_message(&e)
        .ends_with("instruction budget exhausted"));
}

/// A memory error stays catchable by pcall, as in 5.1.
#[test]
fn memory_errors_stay_catchable() {
    let mut vm = Vm::new();
    vm.set_memory_limit(Some(8 << 20));
    let r = vm
        .eval("local ok, e = pcall(string.rep, 'x', 2^24) return ok, e")
        .unwrap();
    assert_eq!(r[0], Value::Bool(false));
    assert_eq!(vm.to_string_lossy(r[1]), "not enough memory");
}

/// The embedder's own message handler (of the outermost call) still runs on
/// an interrupt: the server adds the script's name and line there.
#[test]
fn the_outermost_handler_sees_the_interrupt() {
    let mut vm = Vm::new();
    let h = vm
        .eval("return function(e) return 'handled: ' .. tostring(e) .. ' ' .. type(debug) end")
        .unwrap()[0];
    vm.set_hook(100, Box::new(|vm: &mut Vm| Err(vm.interrupt_str("stop"))));
    let f = vm
        .load(
            b"while true do pcall(function() while true do end end) end",
            "=s",
        )
        .unwrap();
    let e = vm.call_protected(f, &[], Some(h)).unwrap_err();
    assert_eq!(vm.error_message(&e), "handled: stop nil");
}
