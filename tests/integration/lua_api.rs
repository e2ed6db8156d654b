//! The Lua engine's embedding API (`ferrous::lua::Vm`): loading, calling,
//! native functions and their argument errors, globals, budgets, memory limit,
//! GC safety of values held by Rust. Expected texts are lua5.1's.

use ferrous::lua::{LuaError, Value, Vm};

fn msg(vm: &mut Vm, r: Result<Vec<Value>, LuaError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {} values", v.len()),
        Err(e) => vm.error_message(&e),
    }
}

fn add2(vm: &mut Vm) -> Result<usize, LuaError> {
    let a = vm.check_number(1)?;
    let b = vm.opt_number(2, 2.0)?;
    vm.push(Value::Num(a + b));
    Ok(1)
}

fn concat_all(vm: &mut Vm) -> Result<usize, LuaError> {
    let mut out = Vec::new();
    for i in 1..=vm.arg_count() {
        out.extend_from_slice(&vm.check_bytes(i)?);
    }
    let s = vm.new_str(&out);
    vm.push(s);
    Ok(1)
}

/// Calls its first argument with the rest (re-entry from native code).
fn apply(vm: &mut Vm) -> Result<usize, LuaError> {
    let f = vm.arg(1);
    let args: Vec<Value> = (2..=vm.arg_count()).map(|i| vm.arg(i)).collect();
    let r = vm.call_value(f, &args)?;
    for v in &r {
        vm.push(*v);
    }
    Ok(r.len())
}

#[test]
fn load_call_and_results() {
    let mut vm = Vm::new();
    let f = vm
        .load(b"local a, b = ... return b, a, a + b", "=t")
        .unwrap();
    let r = vm.call(f, &[Value::Num(1.0), Value::Num(2.0)]).unwrap();
    assert_eq!(r, vec![Value::Num(2.0), Value::Num(1.0), Value::Num(3.0)]);
    let r = vm.eval("return").unwrap();
    assert!(r.is_empty());
    let r = vm.eval("return nil, false").unwrap();
    assert_eq!(r, vec![Value::Nil, Value::Bool(false)]);
}

#[test]
fn syntax_and_runtime_errors_use_5_1_words() {
    let mut vm = Vm::new();
    let e = vm.load(b"x = = 1", "=chunk").unwrap_err();
    assert_eq!(vm.error_message(&e), "chunk:1: unexpected symbol near '='");
    let r = vm.eval("local t = {} return t.a.b");
    assert_eq!(
        msg(&mut vm, r),
        "[string \"local t = {} return t.a.b\"]:1: attempt to index field 'a' (a nil value)"
    );
    let f = vm.load(b"\n\nreturn nofunc()", "@script.lua").unwrap();
    let r = vm.call(f, &[]);
    assert_eq!(
        msg(&mut vm, r),
        "script.lua:3: attempt to call global 'nofunc' (a nil value)"
    );
    let f = vm.load(b"local s = 'x' return s:nomethod()", "=m").unwrap();
    let r = vm.call(f, &[]);
    // strings index the string library (as in lua5.1): the method is nil
    assert_eq!(
        msg(&mut vm, r),
        "m:1: attempt to call method 'nomethod' (a nil value)"
    );
    // error values of any type pass through untouched
    let r = vm.eval("error({code = 7})");
    let Err(LuaError::Error(Value::Table(t))) = r else {
        panic!("table error expected")
    };
    assert_eq!(vm.raw_get_str(t, "code"), Value::Num(7.0));
}

#[test]
fn native_functions_and_argument_errors() {
    let mut vm = Vm::new();
    vm.register_global("add2", add2);
    vm.register_global("concat_all", concat_all);
    let r = vm.eval("return add2(40), add2(1, 1), add2('3')").unwrap();
    assert_eq!(r, vec![Value::Num(42.0), Value::Num(2.0), Value::Num(5.0)]);
    let r = vm.eval("return add2()");
    assert_eq!(
        msg(&mut vm, r),
        "[string \"return add2()\"]:1: bad argument #1 to 'add2' (number expected, got no value)"
    );
    let r = vm.eval("local f = add2 return f(1, {})");
    assert_eq!(
        msg(&mut vm, r),
        "[string \"local f = add2 return f(1, {})\"]:1: bad argument #2 to 'f' (number expected, got table)"
    );
    let r = vm.eval("local t = {m = add2} return t:m()");
    assert_eq!(
        msg(&mut vm, r),
        "[string \"local t = {m = add2} return t:m()\"]:1: calling 'm' on bad self (number expected, got table)"
    );
    let r = vm.eval("return concat_all('a', 1, 'b', 2.5)").unwrap();
    assert_eq!(vm.to_bytes(r[0]).unwrap(), b"a1b2.5");
    let r = vm.eval("return setmetatable(1, {})");
    assert_eq!(
        msg(&mut vm, r),
        "[string \"return setmetatable(1, {})\"]:1: bad argument #1 to 'setmetatable' (table expected, got number)"
    );
}

/// Runs `f` on a thread with a large Rust stack: 200 nested native->Lua calls
/// need more than the 2 MB test threads get in unoptimised builds.
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn native_reentry_is_capped() {
    with_big_stack(native_reentry_body);
}

fn native_reentry_body() {
    let mut vm = Vm::new();
    vm.register_global("apply", apply);
    let r = vm
        .eval("return apply(function(a, b) return a * b, 'x' end, 6, 7)")
        .unwrap();
    assert_eq!(r[0], Value::Num(42.0));
    let r = vm.eval("local function f() return apply(f) end return f()");
    assert!(msg(&mut vm, r).ends_with("C stack overflow"));
    // the state is still usable
    assert_eq!(vm.eval("return 1 + 1").unwrap(), vec![Value::Num(2.0)]);
}

#[test]
fn globals_read_and_write() {
    let mut vm = Vm::new();
    vm.set_global("answer", Value::Num(41.0));
    vm.eval("answer = answer + 1; greeting = 'hi'").unwrap();
    assert_eq!(vm.get_global("answer"), Value::Num(42.0));
    let g = vm.get_global("greeting");
    assert_eq!(vm.to_string_lossy(g), "hi");
    assert_eq!(vm.get_global("nothing"), Value::Nil);
    let v = vm.get_global("_VERSION");
    assert_eq!(vm.to_string_lossy(v), "Lua 5.1");
}

#[test]
fn instruction_budget_interrupts_busy_loops() {
    let mut vm = Vm::new();
    vm.set_instruction_limit(Some(50_000));
    let r = vm.eval("local n = 0 while true do n = n + 1 end");
    assert!(msg(&mut vm, r).ends_with("instruction budget exhausted"));
    vm.set_instruction_limit(Some(50_000));
    let r = vm.eval("local function f() return f() end return f()");
    assert!(msg(&mut vm, r).ends_with("instruction budget exhausted"));
    vm.set_instruction_limit(None);
    let r = vm
        .eval("local n = 0 for i = 1, 100000 do n = n + i end return n")
        .unwrap();
    assert_eq!(r, vec![Value::Num(5000050000.0)]);
    // a hook that counts and then kills, as SCRIPT KILL does
    let mut calls = 0;
    vm.set_hook(
        1000,
        Box::new(move |vm: &mut Vm| {
            calls += 1;
            if calls == 3 {
                let v = vm.new_str(b"killed");
                return Err(LuaError::Error(v));
            }
            Ok(())
        }),
    );
    let r = vm.eval("while true do end");
    assert_eq!(msg(&mut vm, r), "killed");
    vm.clear_hook();
}

#[test]
fn memory_limit_gives_not_enough_memory() {
    let mut vm = Vm::new();
    vm.set_memory_limit(Some(4 << 20));
    let r = vm.eval("local t = {} local i = 1 while true do t[i] = {i} i = i + 1 end");
    assert_eq!(msg(&mut vm, r), "not enough memory");
    let r = vm.eval("local s = 'x' while true do s = s .. s end");
    assert_eq!(msg(&mut vm, r), "not enough memory");
    // the garbage is reclaimed and the state keeps working
    vm.collect_garbage();
    assert!(vm.memory_used() < 1 << 20);
    assert_eq!(vm.eval("return #{1, 2, 3}").unwrap(), vec![Value::Num(3.0)]);
}

#[test]
fn garbage_loops_run_in_bounded_memory() {
    let mut vm = Vm::new();
    let r = vm
        .eval(
            "local peak = 0
             for i = 1, 200000 do
               local t = {i, {i}, tostring(i) .. 'x'}
               if i % 1000 == 0 then
                 local c = collectgarbage('count')
                 if c > peak then peak = c end
               end
             end
             return peak",
        )
        .unwrap();
    let Value::Num(peak_kb) = r[0] else { panic!() };
    assert!(peak_kb < 8.0 * 1024.0, "peak {peak_kb} KB");
}

#[test]
fn pinned_values_survive_collections() {
    let mut vm = Vm::new();
    let r = vm.eval("return {name = 'kept'}").unwrap();
    let key = vm.pin(r[0]);
    vm.eval("for i = 1, 20000 do local x = {i} end collectgarbage()")
        .unwrap();
    vm.collect_garbage();
    let Value::Table(t) = vm.pinned(key) else {
        panic!()
    };
    let name = vm.raw_get_str(t, "name");
    assert_eq!(vm.to_string_lossy(name), "kept");
    vm.unpin(key);
}

#[test]
fn deep_recursion_is_a_catchable_stack_overflow() {
    let mut vm = Vm::new();
    let r = vm
        .eval("local function r(n) return 1 + r(n + 1) end local ok, e = pcall(r, 1) return ok, e")
        .unwrap();
    assert_eq!(r[0], Value::Bool(false));
    let m = vm.to_string_lossy(r[1]);
    assert!(m.ends_with(": stack overflow"), "{m}");
    // tail calls do not grow the stack
    let r = vm
        .eval("local function l(n) if n == 0 then return 'ok' end return l(n - 1) end return l(300000)")
        .unwrap();
    assert_eq!(vm.to_string_lossy(r[0]), "ok");
}

#[test]
fn coroutines_through_the_api() {
    let mut vm = Vm::new();
    let r = vm
        .eval(
            "local co = coroutine.create(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
             local _, x = coroutine.resume(co, 1)
             local _, y = coroutine.resume(co, 10)
             return x, y, coroutine.status(co), coroutine.resume(co)",
        )
        .unwrap();
    assert_eq!(r[0], Value::Num(2.0));
    assert_eq!(r[1], Value::Num(20.0));
    assert_eq!(vm.to_string_lossy(r[2]), "dead");
    assert_eq!(r[3], Value::Bool(false));
    assert_eq!(vm.to_string_lossy(r[4]), "cannot resume dead coroutine");
}
