//! (tests only) A checker for the incremental collector's promise.
//!
//! At the end of the atomic step every object the sweep will keep must be
//! marked, or the sweep frees something the program can still reach (a stale
//! handle later). Put in tri-colour words: no root is white, and no marked
//! object refers to a white one. The mark phase keeps that true while the
//! program runs between its steps only if every store into a marked object
//! went through a barrier, so this check, run after every atomic step of a
//! stress test whose steps are tiny, catches a missing barrier the moment
//! its cycle ends instead of as a rare crash much later.

use super::super::func::{Function, LProto, UpVal};
use super::super::state::Vm;
use super::super::value::Value;
use super::Heap;

impl Heap {
    /// True when `v` is not an object, or a marked one.
    fn reached(&self, v: &Value) -> bool {
        match *v {
            Value::Str(s) => self.strings.is_marked(s),
            Value::Table(t) => self.tables.is_marked(t),
            Value::Func(f) => self.funcs.is_marked(f),
            Value::UserData(u) => self.userdata.is_marked(u),
            Value::Thread(t) => self.threads.is_marked(t),
            _ => true,
        }
    }
}

impl Vm {
    fn check_reached(&self, v: &Value, what: &str) {
        assert!(
            self.heap.reached(v),
            "GC invariant: {what} refers to an unmarked {v:?}"
        );
    }

    fn check_proto(&self, p: &LProto) {
        for k in &p.k {
            self.check_reached(k, "a marked function's constant");
        }
        for q in &p.protos {
            self.check_proto(q);
        }
    }

    /// Panics naming the first reference from a root or a marked object to
    /// an unmarked object (see the module docs).
    pub(crate) fn verify_marks(&self) {
        for v in &self.stack[..self.top.min(self.stack.len())] {
            self.check_reached(v, "the running stack");
        }
        for &u in &self.open_upvals {
            assert!(
                self.heap.upvals.is_marked(u),
                "GC invariant: open upvalue unmarked"
            );
        }
        let mut roots = vec![
            Value::Table(self.globals),
            Value::Table(self.registry),
            Value::Thread(self.main_thread),
            Value::Thread(self.cur_thread),
            self.dhook.func,
        ];
        roots.extend(self.co_chain.iter().map(|&t| Value::Thread(t)));
        roots.extend(self.type_meta.iter().flatten().map(|&t| Value::Table(t)));
        roots.extend(self.tm_names.iter().map(|&s| Value::Str(s)));
        roots.extend_from_slice(&self.roots);
        roots.extend(self.interrupt);
        for v in &roots {
            self.check_reached(v, "a root");
        }
        let h = &self.heap;
        for t in h.tables.handles().filter(|&t| h.tables.is_marked(t)) {
            let tb = h.table(t);
            if let Some(mt) = tb.meta {
                self.check_reached(&Value::Table(mt), "a marked table's metatable");
            }
            tb.for_each(|k, v| {
                self.check_reached(k, "a marked table's key");
                self.check_reached(v, "a marked table's value");
            });
        }
        for f in h.funcs.handles().filter(|&f| h.funcs.is_marked(f)) {
            match h.funcs.get(f) {
                Function::Lua(c) => {
                    self.check_reached(&Value::Table(c.env), "a marked function's environment");
                    for &u in &c.upvals {
                        assert!(
                            h.upvals.is_marked(u),
                            "GC invariant: marked function, unmarked upvalue"
                        );
                    }
                    self.check_proto(&c.proto);
                }
                Function::Native(n) => {
                    self.check_reached(&Value::Table(n.env), "a marked function's environment");
                    for v in &n.upvals {
                        self.check_reached(v, "a marked native function's upvalue");
                    }
                }
            }
        }
        for u in h.upvals.handles().filter(|&u| h.upvals.is_marked(u)) {
            match *h.upvals.get(u) {
                UpVal::Closed(v) => self.check_reached(&v, "a marked closed upvalue"),
                UpVal::Open { thread, .. } => {
                    self.check_reached(&Value::Thread(thread), "a marked open upvalue")
                }
            }
        }
        for u in h.userdata.handles().filter(|&u| h.userdata.is_marked(u)) {
            if let Some(mt) = h.userdata.get(u).meta {
                self.check_reached(&Value::Table(mt), "a marked userdata's metatable");
            }
        }
        for t in h.threads.handles().filter(|&t| h.threads.is_marked(t)) {
            if t == self.cur_thread {
                continue;
            }
            let th = h.threads.get(t);
            for v in th.stack.iter() {
                self.check_reached(v, "a marked coroutine's stack");
            }
            if let Some(env) = th.env {
                self.check_reached(&Value::Table(env), "a marked coroutine's environment");
            }
            self.check_reached(&th.hook.func, "a marked coroutine's hook");
            for &u in &th.open_upvals {
                assert!(
                    h.upvals.is_marked(u),
                    "GC invariant: coroutine's open upvalue unmarked"
                );
            }
        }
    }
}
