//! A bytecode listing of a [`Proto`] in the format of `luac5.1 -l -l`: a header
//! per function, one line per instruction with its operands and a `; comment`
//! column (constants, upvalue names, jump targets), then the constants, locals and
//! upvalues, then the nested functions, depth first.
//!
//! The only difference from `luac` is the function "addresses": `luac` prints C
//! pointers; this prints a made-up address per function (`0x` and its position in
//! depth-first order), so a listing is reproducible.

use super::numfmt::fmt_number;
use super::opcode::*;
use super::proto::{Constant, Proto};
use std::fmt::Write;

/// The full listing (`luac -l -l`) of `p` and its nested functions.
pub fn listing(p: &Proto) -> String {
    let mut out = String::new();
    let mut counter = 0;
    print_function(p, true, &mut out, &mut counter);
    out
}

/// The listing without the constants/locals/upvalues sections (`luac -l`).
pub fn listing_short(p: &Proto) -> String {
    let mut out = String::new();
    let mut counter = 0;
    print_function(p, false, &mut out, &mut counter);
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Formats a number as C's `%.14g` (Lua 5.1's `LUA_NUMBER_FMT`).
pub fn fmt_g14(x: f64) -> String {
    let mut v = Vec::new();
    fmt_number(x, &mut v);
    String::from_utf8_lossy(&v).into_owned()
}

/// A string constant as `luac` quotes it.
fn quote(s: &[u8], out: &mut String) {
    out.push('"');
    for &c in s {
        match c {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            7 => out.push_str("\\a"),
            8 => out.push_str("\\b"),
            12 => out.push_str("\\f"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            11 => out.push_str("\\v"),
            32..=126 => out.push(c as char),
            _ => {
                let _ = write!(out, "\\{c:03}");
            }
        }
    }
    out.push('"');
}

fn constant(p: &Proto, i: usize, out: &mut String) {
    match p.constants.get(i) {
        Some(Constant::Nil) => out.push_str("nil"),
        Some(Constant::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        Some(Constant::Number(n)) => out.push_str(&fmt_g14(*n)),
        Some(Constant::Str(s)) => quote(s, out),
        None => out.push('?'),
    }
}

/// How an operand is used, for printing (`OpArgMask`): not used, or used.
fn uses_b(op: OpCode) -> bool {
    !matches!(op, OpCode::TForLoop | OpCode::Close)
}
fn uses_c(op: OpCode) -> bool {
    matches!(
        op,
        OpCode::LoadBool
            | OpCode::GetTable
            | OpCode::SetTable
            | OpCode::NewTable
            | OpCode::OpSelf
            | OpCode::Add
            | OpCode::Sub
            | OpCode::Mul
            | OpCode::Div
            | OpCode::Mod
            | OpCode::Pow
            | OpCode::Concat
            | OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
            | OpCode::Test
            | OpCode::TestSet
            | OpCode::Call
            | OpCode::TailCall
            | OpCode::TForLoop
            | OpCode::SetList
    )
}

fn rk(x: u32) -> i64 {
    if is_k(x) {
        -1 - index_k(x) as i64
    } else {
        x as i64
    }
}

fn print_function(p: &Proto, full: bool, out: &mut String, counter: &mut usize) {
    *counter += 1;
    let addr = format!("0x{:08x}", *counter);
    let src = &p.source;
    let name = if src.first() == Some(&b'@') || src.first() == Some(&b'=') {
        String::from_utf8_lossy(&src[1..]).into_owned()
    } else if src.first() == Some(&27) {
        "(bstring)".to_string()
    } else {
        "(string)".to_string()
    };
    let n = p.code.len();
    let _ = writeln!(
        out,
        "\n{} <{}:{},{}> ({} instruction{}, {} bytes at {})",
        if p.line_defined == 0 {
            "main"
        } else {
            "function"
        },
        name,
        p.line_defined,
        p.last_line_defined,
        n,
        plural(n),
        n * 4,
        addr
    );
    let _ = write!(
        out,
        "{}{} param{}, {} slot{}, {} upvalue{}, ",
        p.num_params,
        if p.is_vararg != 0 { "+" } else { "" },
        plural(p.num_params as usize),
        p.max_stack_size,
        plural(p.max_stack_size as usize),
        p.num_upvalues,
        plural(p.num_upvalues as usize)
    );
    let _ = writeln!(
        out,
        "{} local{}, {} constant{}, {} function{}",
        p.loc_vars.len(),
        plural(p.loc_vars.len()),
        p.constants.len(),
        plural(p.constants.len()),
        p.protos.len(),
        plural(p.protos.len())
    );
    let mut pc = 0;
    let mut child = *counter;
    let mut child_addrs = Vec::new();
    for sub in &p.protos {
        child_addrs.push(format!("0x{:08x}", child + 1));
        child += count_protos(sub);
    }
    while pc < n {
        let i = p.code[pc];
        let _ = write!(out, "\t{}\t", pc + 1);
        match p.line_info.get(pc) {
            Some(&l) if l > 0 => {
                let _ = write!(out, "[{l}]\t");
            }
            _ => out.push_str("[-]\t"),
        }
        let Some(op) = OpCode::of(i) else {
            out.push_str("???\n");
            pc += 1;
            continue;
        };
        let (a, b, c, bx, sbx) = (get_a(i), get_b(i), get_c(i), get_bx(i), get_sbx(i));
        let _ = write!(out, "{:<9}\t", op.name());
        match op.mode() {
            OpMode::ABC => {
                let _ = write!(out, "{a}");
                if uses_b(op) {
                    let _ = write!(out, " {}", rk(b));
                }
                if uses_c(op) {
                    let _ = write!(out, " {}", rk(c));
                }
            }
            OpMode::ABx => {
                if matches!(op, OpCode::LoadK | OpCode::GetGlobal | OpCode::SetGlobal) {
                    let _ = write!(out, "{} {}", a, -1 - bx as i64);
                } else {
                    let _ = write!(out, "{a} {bx}");
                }
            }
            OpMode::AsBx => {
                if op == OpCode::Jmp {
                    let _ = write!(out, "{sbx}");
                } else {
                    let _ = write!(out, "{a} {sbx}");
                }
            }
        }
        match op {
            OpCode::LoadK => {
                out.push_str("\t; ");
                constant(p, bx as usize, out);
            }
            OpCode::GetUpval | OpCode::SetUpval => {
                out.push_str("\t; ");
                match p.upvalue_names.get(b as usize) {
                    Some(nm) if !p.upvalue_names.is_empty() => {
                        out.push_str(&String::from_utf8_lossy(nm))
                    }
                    _ => out.push('-'),
                }
            }
            OpCode::GetGlobal | OpCode::SetGlobal => {
                out.push_str("\t; ");
                if let Some(Constant::Str(s)) = p.constants.get(bx as usize) {
                    out.push_str(&String::from_utf8_lossy(s));
                }
            }
            OpCode::GetTable | OpCode::OpSelf if is_k(c) => {
                out.push_str("\t; ");
                constant(p, index_k(c) as usize, out);
            }
            OpCode::SetTable
            | OpCode::Add
            | OpCode::Sub
            | OpCode::Mul
            | OpCode::Div
            | OpCode::Pow
            | OpCode::Eq
            | OpCode::Lt
            | OpCode::Le
                if is_k(b) || is_k(c) =>
            {
                out.push_str("\t; ");
                if is_k(b) {
                    constant(p, index_k(b) as usize, out);
                } else {
                    out.push('-');
                }
                out.push(' ');
                if is_k(c) {
                    constant(p, index_k(c) as usize, out);
                } else {
                    out.push('-');
                }
            }
            OpCode::Jmp | OpCode::ForLoop | OpCode::ForPrep => {
                let _ = write!(out, "\t; to {}", sbx + pc as i32 + 2);
            }
            OpCode::Closure => {
                let _ = write!(
                    out,
                    "\t; {}",
                    child_addrs.get(bx as usize).map_or("?", |s| s.as_str())
                );
            }
            OpCode::SetList => {
                if c == 0 {
                    pc += 1;
                    let _ = write!(out, "\t; {}", p.code.get(pc).copied().unwrap_or(0));
                } else {
                    let _ = write!(out, "\t; {c}");
                }
            }
            _ => {}
        }
        out.push('\n');
        pc += 1;
    }
    if full {
        let _ = writeln!(out, "constants ({}) for {}:", p.constants.len(), addr);
        for i in 0..p.constants.len() {
            let _ = write!(out, "\t{}\t", i + 1);
            constant(p, i, out);
            out.push('\n');
        }
        let _ = writeln!(out, "locals ({}) for {}:", p.loc_vars.len(), addr);
        for (i, v) in p.loc_vars.iter().enumerate() {
            let _ = writeln!(
                out,
                "\t{}\t{}\t{}\t{}",
                i,
                String::from_utf8_lossy(&v.name),
                v.start_pc + 1,
                v.end_pc + 1
            );
        }
        let _ = writeln!(out, "upvalues ({}) for {}:", p.upvalue_names.len(), addr);
        for (i, u) in p.upvalue_names.iter().enumerate() {
            let _ = writeln!(out, "\t{}\t{}", i, String::from_utf8_lossy(u));
        }
    }
    for sub in &p.protos {
        print_function(sub, full, out, counter);
    }
}

fn count_protos(p: &Proto) -> usize {
    1 + p.protos.iter().map(count_protos).sum::<usize>()
}

#[cfg(test)]
mod tests {
    use super::fmt_g14;

    #[test]
    fn g14_like_c() {
        // values as lua5.1's print shows them
        assert_eq!(fmt_g14(1.0), "1");
        assert_eq!(fmt_g14(0.1), "0.1");
        assert_eq!(fmt_g14(1e100), "1e+100");
        assert_eq!(fmt_g14(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(fmt_g14(12345678901234.0), "12345678901234");
        assert_eq!(fmt_g14(0.0001), "0.0001");
        assert_eq!(fmt_g14(0.00001), "1e-05");
        assert_eq!(fmt_g14(-2.5), "-2.5");
        assert_eq!(fmt_g14(1.234_567_890_123_456_7), "1.2345678901235");
        assert_eq!(fmt_g14(2f64.powi(53)), "9.007199254741e+15");
    }
}
