//! The math library (Lua 5.1's lmathlib.c): `abs ceil floor sqrt sin cos tan
//! asin acos atan atan2 sinh cosh tanh exp log log10 pow fmod modf frexp ldexp
//! deg rad min max random randomseed`, the constants `pi` and `huge`, and the
//! 5.1 compatibility alias `mod` (= `fmod`).
//!
//! Numbers are `f64`, as `lua_Number` is `double`; the elementary functions are
//! Rust's, which call the platform's libm, so results agree bit for bit with a
//! `lua5.1` built against the same libm.
//!
//! `random` owns its generator ([`Rng`]): the additive lagged-Fibonacci
//! generator (degree 31, lags 31 and 3) of the C library's `rand()` on glibc,
//! written here from its published description, so `math.randomseed(n)`
//! produces the same sequence as `lua5.1` on Linux. Its state lives in a
//! userdata shared as an upvalue by `random` and `randomseed` (one state per
//! `Vm`, nothing global).

use crate::lua::state::{LuaError, Vm};
use crate::lua::value::Value;

/// `RAND_MAX` of the C library being imitated.
pub const RAND_MAX: u32 = 2_147_483_647;

/// The generator behind `math.random`: 34 words of lagged-Fibonacci state
/// (`x[i] = x[i-31] + x[i-3]` modulo 2^32), output is the sum shifted right once.
#[derive(Clone, Debug)]
pub struct Rng {
    /// Circular buffer of the last 31 values.
    r: [u32; 31],
    /// Index of the value 31 steps back (the next to be replaced).
    pos: usize,
}

impl Rng {
    /// A generator seeded as `srand(seed)` seeds it (seed 0 behaves as 1).
    pub fn new(seed: u32) -> Rng {
        let mut r = [0u32; 31];
        r[0] = if seed == 0 { 1 } else { seed };
        for i in 1..31 {
            // r[i] = 16807 * r[i-1] mod (2^31 - 1), on signed 32-bit words
            // (Schrage's method, as the published algorithm does it).
            let prev = r[i - 1] as i32 as i64;
            let hi = prev / 127_773;
            let lo = prev % 127_773;
            let mut word = 16_807 * lo - 2_836 * hi;
            if word < 0 {
                word += 2_147_483_647;
            }
            r[i] = word as u32;
        }
        let mut g = Rng { r, pos: 3 };
        // The first 310 outputs are discarded.
        for _ in 0..310 {
            g.step();
        }
        g
    }

    /// One raw 32-bit step.
    fn step(&mut self) -> u32 {
        // Value 3 steps back = position pos + 28 in the circular buffer.
        let back3 = self.r[(self.pos + 28) % 31];
        let v = self.r[self.pos].wrapping_add(back3);
        self.r[self.pos] = v;
        self.pos = (self.pos + 1) % 31;
        v
    }

    /// The next `rand()` value, in `0..=RAND_MAX`.
    pub fn next_rand(&mut self) -> u32 {
        self.step() >> 1
    }

    /// The next float in `[0, 1)`, computed as 5.1 does: `(rand() % RAND_MAX) / RAND_MAX`.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_rand() % RAND_MAX) as f64 / RAND_MAX as f64
    }
}

fn push1(vm: &mut Vm, n: f64) -> Result<usize, LuaError> {
    vm.push(Value::Num(n));
    Ok(1)
}

/// Defines a native wrapping a one-argument `f64` function.
macro_rules! unary {
    ($($name:ident => $f:expr;)*) => {
        $(
            fn $name(vm: &mut Vm) -> Result<usize, LuaError> {
                let x = vm.check_number(1)?;
                let f: fn(f64) -> f64 = $f;
                push1(vm, f(x))
            }
        )*
    };
}

unary! {
    m_abs => f64::abs;
    m_ceil => f64::ceil;
    m_floor => f64::floor;
    m_sqrt => f64::sqrt;
    m_sin => f64::sin;
    m_cos => f64::cos;
    m_tan => f64::tan;
    m_asin => f64::asin;
    m_acos => f64::acos;
    m_atan => f64::atan;
    m_sinh => f64::sinh;
    m_cosh => f64::cosh;
    m_tanh => f64::tanh;
    m_exp => f64::exp;
    m_log => f64::ln;
    m_log10 => f64::log10;
    m_deg => |x| x / (std::f64::consts::PI / 180.0);
    m_rad => |x| x * (std::f64::consts::PI / 180.0);
}

fn m_atan2(vm: &mut Vm) -> Result<usize, LuaError> {
    let y = vm.check_number(1)?;
    let x = vm.check_number(2)?;
    push1(vm, y.atan2(x))
}

fn m_pow(vm: &mut Vm) -> Result<usize, LuaError> {
    let x = vm.check_number(1)?;
    let y = vm.check_number(2)?;
    push1(vm, x.powf(y))
}

fn m_fmod(vm: &mut Vm) -> Result<usize, LuaError> {
    let x = vm.check_number(1)?;
    let y = vm.check_number(2)?;
    // Rust's `%` on floats is C's fmod: the result has the dividend's sign.
    push1(vm, x % y)
}

/// C's `modf`: integral part (toward zero) and fractional part, both with x's sign.
pub fn modf(x: f64) -> (f64, f64) {
    let ip = x.trunc();
    let fp = if x.is_infinite() {
        0.0f64.copysign(x)
    } else if x.is_nan() {
        x
    } else {
        (x - ip).copysign(x)
    };
    (ip, fp)
}

fn m_modf(vm: &mut Vm) -> Result<usize, LuaError> {
    let x = vm.check_number(1)?;
    let (ip, fp) = modf(x);
    vm.push(Value::Num(ip));
    vm.push(Value::Num(fp));
    Ok(2)
}

/// 2^k for k in the normal exponent range -1022..=1023, exactly.
fn pow2(k: i32) -> f64 {
    f64::from_bits(((k + 1023) as u64) << 52)
}

/// C's `frexp`: `x = m * 2^e` with `0.5 <= |m| < 1` (zero, infinities and NaN
/// come back unchanged with exponent 0).
pub fn frexp(x: f64) -> (f64, i32) {
    if x == 0.0 || !x.is_finite() {
        return (x, 0);
    }
    let (x, adjust) = if x.abs() < f64::MIN_POSITIVE {
        (x * pow2(64), -64) // make a subnormal normal first
    } else {
        (x, 0)
    };
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    let m = f64::from_bits((bits & !(0x7ffu64 << 52)) | (1022u64 << 52));
    (m, exp - 1022 + adjust)
}

/// C's `ldexp`: `m * 2^e`, rounded once (to nearest even) when the result is
/// subnormal, overflowing to infinity.
pub fn ldexp(m: f64, e: i64) -> f64 {
    if m == 0.0 || !m.is_finite() {
        return m;
    }
    let (fm, fe) = frexp(m);
    let total = fe as i64 + e; // result = fm * 2^total, 0.5 <= |fm| < 1
    if total > 1024 {
        return f64::INFINITY.copysign(m);
    }
    if total >= -1021 {
        // Normal: exact.
        return fm * 2.0 * pow2((total - 1) as i32);
    }
    if total < -1075 {
        return 0.0f64.copysign(m);
    }
    // Subnormal: fm * 2^(total + 1074) is the value in units of the smallest
    // subnormal; round it to an integer, then scale exactly.
    let units = (fm * pow2((total + 1074) as i32)).round_ties_even();
    units * pow2(-1022) * pow2(-52)
}

fn m_frexp(vm: &mut Vm) -> Result<usize, LuaError> {
    let x = vm.check_number(1)?;
    let (m, e) = frexp(x);
    vm.push(Value::Num(m));
    vm.push(Value::Num(e as f64));
    Ok(2)
}

/// `luaL_checkint`: the argument converted to `lua_Integer`, then to C `int`.
fn check_cint(vm: &mut Vm, i: usize) -> Result<i32, LuaError> {
    Ok(vm.check_int(i)? as i32)
}

fn m_ldexp(vm: &mut Vm) -> Result<usize, LuaError> {
    let m = vm.check_number(1)?;
    let e = check_cint(vm, 2)?;
    push1(vm, ldexp(m, e as i64))
}

fn m_min(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = vm.arg_count();
    let mut best = vm.check_number(1)?;
    for i in 2..=n {
        let d = vm.check_number(i)?;
        if d < best {
            best = d;
        }
    }
    push1(vm, best)
}

fn m_max(vm: &mut Vm) -> Result<usize, LuaError> {
    let n = vm.arg_count();
    let mut best = vm.check_number(1)?;
    for i in 2..=n {
        let d = vm.check_number(i)?;
        if d > best {
            best = d;
        }
    }
    push1(vm, best)
}

/// Runs `f` on the generator kept in upvalue 0 of the running native.
fn with_rng<T>(vm: &mut Vm, f: impl FnOnce(&mut Rng) -> T) -> Option<T> {
    let Value::UserData(u) = vm.upvalue(0) else {
        return None;
    };
    let data = vm.heap.userdata.get_mut(u).data.as_mut()?;
    data.downcast_mut::<Rng>().map(f)
}

fn m_random(vm: &mut Vm) -> Result<usize, LuaError> {
    let r = with_rng(vm, |g| g.next_f64()).unwrap_or(0.0);
    match vm.arg_count() {
        0 => push1(vm, r),
        1 => {
            let u = check_cint(vm, 1)?;
            if u < 1 {
                return Err(vm.arg_error(1, "interval is empty"));
            }
            push1(vm, (r * u as f64).floor() + 1.0)
        }
        2 => {
            let l = check_cint(vm, 1)?;
            let u = check_cint(vm, 2)?;
            if l > u {
                return Err(vm.arg_error(2, "interval is empty"));
            }
            // 5.1 computes u-l+1 in C int arithmetic.
            let span = u.wrapping_sub(l).wrapping_add(1);
            push1(vm, (r * span as f64).floor() + l as f64)
        }
        _ => Err(vm.error_str("wrong number of arguments")),
    }
}

fn m_randomseed(vm: &mut Vm) -> Result<usize, LuaError> {
    let seed = check_cint(vm, 1)?;
    with_rng(vm, |g| *g = Rng::new(seed as u32));
    Ok(0)
}

/// Opens the math library as the global `math`.
pub fn open(vm: &mut Vm) {
    let funcs: &[(&'static str, crate::lua::func::NativeFn)] = &[
        ("abs", m_abs),
        ("acos", m_acos),
        ("asin", m_asin),
        ("atan2", m_atan2),
        ("atan", m_atan),
        ("ceil", m_ceil),
        ("cosh", m_cosh),
        ("cos", m_cos),
        ("deg", m_deg),
        ("exp", m_exp),
        ("floor", m_floor),
        ("fmod", m_fmod),
        ("frexp", m_frexp),
        ("ldexp", m_ldexp),
        ("log10", m_log10),
        ("log", m_log),
        ("max", m_max),
        ("min", m_min),
        ("modf", m_modf),
        ("pow", m_pow),
        ("rad", m_rad),
        ("sinh", m_sinh),
        ("sin", m_sin),
        ("sqrt", m_sqrt),
        ("tanh", m_tanh),
        ("tan", m_tan),
        ("mod", m_fmod),
    ];
    let t = vm.register_lib("math", funcs);
    vm.raw_set_str(t, "pi", Value::Num(std::f64::consts::PI));
    vm.raw_set_str(t, "huge", Value::Num(f64::INFINITY));
    let state = vm.heap.new_userdata(None, Some(Box::new(Rng::new(1))));
    let ups = vec![Value::UserData(state)];
    let random = vm.new_native_closure(m_random, "random", ups.clone());
    vm.raw_set_str(t, "random", random);
    let seed = vm.new_native_closure(m_randomseed, "randomseed", ups);
    vm.raw_set_str(t, "randomseed", seed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generator_matches_glibc_rand() {
        // srand(1) / first rand() values on glibc (as lua5.1 on Linux shows them).
        let mut g = Rng::new(1);
        assert_eq!(g.next_rand(), 1_804_289_383);
        assert_eq!(g.next_rand(), 846_930_886);
        assert_eq!(g.next_rand(), 1_681_692_777);
        // seed 0 behaves as seed 1
        let mut z = Rng::new(0);
        assert_eq!(z.next_rand(), 1_804_289_383);
    }

    #[test]
    fn floats_stay_in_unit_interval() {
        let mut g = Rng::new(12345);
        for _ in 0..100_000 {
            let r = g.next_f64();
            assert!((0.0..1.0).contains(&r));
        }
    }

    #[test]
    fn frexp_ldexp_edges() {
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(frexp(-3.0), (-0.75, 2));
        assert_eq!(frexp(5e-324), (0.5, -1073));
        assert_eq!(frexp(0.0), (0.0, 0));
        assert_eq!(ldexp(1.0, 1024), f64::INFINITY);
        assert_eq!(ldexp(1.0, -1074), 5e-324);
        assert_eq!(ldexp(3.0, -1075), 1e-323);
        assert_eq!(ldexp(0.75, -1073), 1e-323); // 1.5 units rounds to 2
        assert_eq!(ldexp(0.5, 4), 8.0);
    }

    #[test]
    fn modf_signs() {
        assert_eq!(modf(-3.5), (-3.0, -0.5));
        assert_eq!(modf(f64::NEG_INFINITY), (f64::NEG_INFINITY, -0.0));
        assert_eq!(modf(3.75), (3.0, 0.75));
    }
}
