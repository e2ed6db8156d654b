//! Criterion benchmarks of the Lua engine: the dispatch loop (arithmetic and
//! calls), table get/set through the array and hash parts, and a GC-heavy
//! allocation workload. Each benchmark compiles its chunk once and times calls.

use criterion::{criterion_group, criterion_main, Criterion};
use ferrous::lua::{Value, Vm};

fn chunk(vm: &mut Vm, src: &str) -> Value {
    vm.load(src.as_bytes(), "=bench")
        .expect("bench chunk compiles")
}

fn dispatch(c: &mut Criterion) {
    let mut vm = Vm::new();
    let loop_f = chunk(
        &mut vm,
        "local s = 0 for i = 1, 100000 do s = s + i % 7 * 2 - 1 end return s",
    );
    c.bench_function("vm/arith_loop_100k", |b| {
        b.iter(|| vm.call(loop_f, &[]).expect("runs"))
    });
    let fib = chunk(
        &mut vm,
        "local function fib(n) if n < 2 then return n end return fib(n-1) + fib(n-2) end return fib(20)",
    );
    c.bench_function("vm/fib_20", |b| b.iter(|| vm.call(fib, &[]).expect("runs")));
}

fn tables(c: &mut Criterion) {
    let mut vm = Vm::new();
    let arr = chunk(
        &mut vm,
        "local t = {} for i = 1, 10000 do t[i] = i end local s = 0 for i = 1, 10000 do s = s + t[i] end return s",
    );
    c.bench_function("table/array_set_get_10k", |b| {
        b.iter(|| vm.call(arr, &[]).expect("runs"))
    });
    let hash = chunk(
        &mut vm,
        "local t = {} local keys = {'alpha', 'beta', 'gamma', 'delta', 'epsilon'}
         for i = 1, 2000 do for j = 1, 5 do local k = keys[j] t[k] = (t[k] or 0) + i end end
         return t.alpha",
    );
    c.bench_function("table/string_keys_10k", |b| {
        b.iter(|| vm.call(hash, &[]).expect("runs"))
    });
}

fn gc_heavy(c: &mut Criterion) {
    let mut vm = Vm::new();
    let trees = chunk(
        &mut vm,
        "local function make(d) if d == 0 then return {} end d = d - 1 return {make(d), make(d)} end
         local n = 0 for i = 1, 20 do local t = make(8) n = n + #t end return n",
    );
    c.bench_function("gc/binary_trees_depth8_x20", |b| {
        b.iter(|| vm.call(trees, &[]).expect("runs"))
    });
}

criterion_group!(benches, dispatch, tables, gc_heavy);
criterion_main!(benches);
