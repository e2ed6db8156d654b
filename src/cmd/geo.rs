//! Geo commands: GEOADD, GEOPOS, GEODIST, GEOHASH, GEOSEARCH,
//! GEOSEARCHSTORE, GEORADIUS, GEORADIUSBYMEMBER and their `_RO` forms.
//!
//! A geo set is an ordinary sorted set whose scores are 52-bit geohashes
//! (`store::geohash`): GEOADD is ZADD with computed scores (same options,
//! replies and `zadd` event), and the other sorted-set commands work on it.
//!
//! Invariants, as in Redis 7.0:
//! - positions print as `%.17Lf` with the trailing zeros cut ("human"
//!   doubles), distances as `%.4f` in the unit asked for;
//! - a search scans Redis's nine cells in Redis's order, each cell in score
//!   order, so unsorted results come in the same order; ASC/DESC is a stable
//!   sort by distance when every match is returned, and Redis's partial
//!   quicksort (`pqsort.rs`) when COUNT cuts the list, so ties come out as
//!   in Redis; COUNT without ANY implies ASC; COUNT ANY stops scanning at
//!   COUNT matches;
//! - arguments are checked in Redis's order (the source key's type first,
//!   then the centre, the options left to right, the incompatibilities), and
//!   a missing source answers before the search: an empty array, or 0 (and
//!   the destination deleted) for the storing forms.
use super::lookup::read;
use super::notify::{notify, GENERIC};
use super::pqsort::pqsort;
use super::zset_range::store_result;
use super::{errors, flags, CommandSpec, Ctx, Keys};
use crate::num::string2d as parse_score;
use crate::resp::Reply;
use crate::store::geohash::{self, Search, Shape};
use crate::store::zset::range::ScoreRange;
use crate::store::zset::ZSet;
use std::cmp::Ordering;

const W: u32 = flags::WRITE | flags::DENYOOM;
const R: u32 = flags::READONLY;

pub static COMMANDS: &[CommandSpec] = &[
    // GEOADD key [NX|XX] [CH] longitude latitude member [...]
    CommandSpec {
        name: "geoadd",
        arity: -5,
        flags: W,
        keys: Keys::ONE,
        handler: geoadd,
        ..CommandSpec::DEFAULT
    },
    // GEORADIUS key longitude latitude radius M|KM|FT|MI [options]
    CommandSpec {
        name: "georadius",
        arity: -6,
        flags: W,
        keys: Keys::ONE,
        handler: georadius,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "georadius_ro",
        arity: -6,
        flags: R,
        keys: Keys::ONE,
        handler: georadius_ro,
        ..CommandSpec::DEFAULT
    },
    // GEORADIUSBYMEMBER key member radius M|KM|FT|MI [options]
    CommandSpec {
        name: "georadiusbymember",
        arity: -5,
        flags: W,
        keys: Keys::ONE,
        handler: georadiusbymember,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "georadiusbymember_ro",
        arity: -5,
        flags: R,
        keys: Keys::ONE,
        handler: georadiusbymember_ro,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "geohash",
        arity: -2,
        flags: R,
        keys: Keys::ONE,
        handler: geohash,
        ..CommandSpec::DEFAULT
    },
    CommandSpec {
        name: "geopos",
        arity: -2,
        flags: R,
        keys: Keys::ONE,
        handler: geopos,
        ..CommandSpec::DEFAULT
    },
    // GEODIST key member1 member2 [M|KM|FT|MI]
    CommandSpec {
        name: "geodist",
        arity: -4,
        flags: R,
        keys: Keys::ONE,
        handler: geodist,
        ..CommandSpec::DEFAULT
    },
    // GEOSEARCH key FROMMEMBER m|FROMLONLAT lon lat BYRADIUS r unit|BYBOX w h unit [options]
    CommandSpec {
        name: "geosearch",
        arity: -7,
        flags: R,
        keys: Keys::ONE,
        handler: geosearch,
        ..CommandSpec::DEFAULT
    },
    // GEOSEARCHSTORE dest src ... [STOREDIST]
    CommandSpec {
        name: "geosearchstore",
        arity: -8,
        flags: W,
        keys: Keys::range(1, 2, 1),
        handler: geosearchstore,
        ..CommandSpec::DEFAULT
    },
];

/// Which command is searching, as Redis's flags for `georadiusGeneric`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Radius { by_member: bool, store_ok: bool },
    Search { store: bool },
}

/// `%.17Lf` with the trailing zeros (and a bare point) cut, `-0` as `0`.
fn human(d: f64) -> String {
    let mut s = format!("{d:.17}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

fn reply_position(out: &mut Reply, lon: f64, lat: f64) {
    out.array(2);
    out.double_text(human(lon).as_bytes());
    out.double_text(human(lat).as_bytes());
}

fn reply_distance(out: &mut Reply, d: f64) {
    out.bulk(format!("{d:.4}").as_bytes());
}

/// Metres per unit, or the error text.
fn unit(arg: &[u8]) -> Result<f64, &'static str> {
    match arg.to_ascii_lowercase().as_slice() {
        b"m" => Ok(1.0),
        b"km" => Ok(1000.0),
        b"ft" => Ok(0.3048),
        b"mi" => Ok(1609.34),
        _ => Err("ERR unsupported unit provided. please use M, KM, FT, MI"),
    }
}

/// A longitude and a latitude within the limits, or the error text.
fn lon_lat(lon: &[u8], lat: &[u8]) -> Result<(f64, f64), String> {
    let (Some(x), Some(y)) = (parse_score(lon), parse_score(lat)) else {
        return Err(errors::NOT_FLOAT.to_string());
    };
    if !(geohash::LONG_MIN..=geohash::LONG_MAX).contains(&x)
        || !(geohash::LAT_MIN..=geohash::LAT_MAX).contains(&y)
    {
        return Err(format!("ERR invalid longitude,latitude pair {x:.6},{y:.6}"));
    }
    Ok((x, y))
}

/// A number argument with Redis's message for it.
fn number(arg: &[u8], what: &str) -> Result<f64, String> {
    parse_score(arg).ok_or_else(|| format!("ERR need numeric {what}"))
}

/// GEOADD: parses the options, turns each triple into a score, and runs ZADD.
fn geoadd(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut at = 2;
    let (mut nx, mut xx) = (false, false);
    while let Some(a) = args.get(at) {
        match a.to_ascii_lowercase().as_slice() {
            b"nx" => nx = true,
            b"xx" => xx = true,
            b"ch" => {}
            _ => break,
        }
        at += 1;
    }
    if !(args.len() - at).is_multiple_of(3) || (nx && xx) {
        return ctx.out.error(errors::SYNTAX);
    }
    let mut zadd_args: Vec<Vec<u8>> = Vec::with_capacity(at + (args.len() - at) / 3 * 2);
    zadd_args.push(b"zadd".to_vec());
    zadd_args.extend_from_slice(&args[1..at]);
    for triple in args[at..].chunks(3) {
        let (lon, lat) = match lon_lat(&triple[0], &triple[1]) {
            Ok(p) => p,
            Err(e) => return ctx.out.error(&e),
        };
        let score = geohash::score_of(lon, lat).unwrap_or(0);
        zadd_args.push(score.to_string().into_bytes());
        zadd_args.push(triple[2].clone());
    }
    super::zset::zadd(ctx, &zadd_args);
}

/// The position of `member` in `z`, if present.
fn position(z: &ZSet, member: &[u8]) -> Option<(f64, f64)> {
    z.score(member).map(geohash::decode_score)
}

fn geopos(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(z) = read::<ZSet>(db, ctx.shared, ctx.out, &args[1]) else {
        return;
    };
    ctx.out.array(args.len() - 2);
    for m in &args[2..] {
        match z.and_then(|z| position(z, m)) {
            Some((lon, lat)) => reply_position(ctx.out, lon, lat),
            None => ctx.out.null_array(),
        }
    }
}

fn geohash(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(z) = read::<ZSet>(db, ctx.shared, ctx.out, &args[1]) else {
        return;
    };
    ctx.out.array(args.len() - 2);
    for m in &args[2..] {
        match z.and_then(|z| z.score(m)) {
            Some(s) => ctx.out.bulk(&geohash::geohash_string(s)),
            None => ctx.out.null(),
        }
    }
}

fn geodist(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let to_m = match args.len() {
        4 => 1.0,
        5 => match unit(&args[4]) {
            Ok(u) => u,
            Err(e) => return ctx.out.error(e),
        },
        _ => return ctx.out.error(errors::SYNTAX),
    };
    let db = ctx.store.db(ctx.client.db);
    let Ok(z) = read::<ZSet>(db, ctx.shared, ctx.out, &args[1]) else {
        return;
    };
    match z.and_then(|z| Some((position(z, &args[2])?, position(z, &args[3])?))) {
        Some(((x1, y1), (x2, y2))) => {
            reply_distance(ctx.out, geohash::distance(x1, y1, x2, y2) / to_m)
        }
        None => ctx.out.null(),
    }
}

const RADIUS: Form = Form::Radius {
    by_member: false,
    store_ok: true,
};
const RADIUS_RO: Form = Form::Radius {
    by_member: false,
    store_ok: false,
};
const BY_MEMBER: Form = Form::Radius {
    by_member: true,
    store_ok: true,
};
const BY_MEMBER_RO: Form = Form::Radius {
    by_member: true,
    store_ok: false,
};

fn georadius(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 1, RADIUS);
}

fn georadius_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 1, RADIUS_RO);
}

fn georadiusbymember(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 1, BY_MEMBER);
}

fn georadiusbymember_ro(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 1, BY_MEMBER_RO);
}

fn geosearch(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 1, Form::Search { store: false });
}

fn geosearchstore(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    search(ctx, args, 2, Form::Search { store: true });
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sort {
    None,
    Asc,
    Desc,
}

/// Everything a search request says.
struct Request {
    centre: Option<(f64, f64)>,
    shape: Option<Shape>,
    to_m: f64,
    with_dist: bool,
    with_hash: bool,
    with_coord: bool,
    any: bool,
    sort: Sort,
    count: usize,
    store: Option<Vec<u8>>,
    store_dist: bool,
}

/// One match.
struct Found {
    member: Vec<u8>,
    score: f64,
    lon: f64,
    lat: f64,
    dist: f64,
}

/// Parses a search request (Redis's `georadiusGeneric`), with `z` the source
/// set if it exists; the error is Redis's text.
fn parse(args: &[Vec<u8>], src: usize, form: Form, z: Option<&ZSet>) -> Result<Request, String> {
    let mut req = Request {
        centre: None,
        shape: None,
        to_m: 1.0,
        with_dist: false,
        with_hash: false,
        with_coord: false,
        any: false,
        sort: Sort::None,
        count: 0,
        store: None,
        store_dist: false,
    };
    let missing_member = || "ERR could not decode requested zset member".to_string();
    let radius = |r: &[u8], u: &[u8]| -> Result<(f64, f64), String> {
        let r = number(r, "radius")?;
        if r < 0.0 {
            return Err("ERR radius cannot be negative".into());
        }
        Ok((r, unit(u)?))
    };
    let base = match form {
        Form::Radius { by_member, .. } => {
            let (centre_args, rest) = if by_member { (1, 3) } else { (2, 4) };
            if by_member {
                if let Some(z) = z {
                    req.centre = Some(position(z, &args[2]).ok_or_else(missing_member)?);
                }
            } else {
                req.centre = Some(lon_lat(&args[2], &args[3])?);
            }
            if !by_member || z.is_some() {
                let at = 2 + centre_args;
                let (r, to_m) = radius(&args[at], &args[at + 1])?;
                req.shape = Some(Shape::Circle(r));
                req.to_m = to_m;
            }
            rest + 2
        }
        Form::Search { store } => {
            if store {
                req.store = Some(args[1].clone());
            }
            src + 1
        }
    };
    let searching = matches!(form, Form::Search { .. });
    let (store_ok, search_store) = match form {
        Form::Radius { store_ok, .. } => (store_ok, false),
        Form::Search { store } => (false, store),
    };
    let (mut from_member, mut from_lonlat, mut by_radius, mut by_box) =
        (false, false, false, false);
    let mut i = base;
    while i < args.len() {
        let left = args.len() - i - 1;
        let arg = args[i].to_ascii_lowercase();
        match arg.as_slice() {
            b"withdist" => req.with_dist = true,
            b"withhash" => req.with_hash = true,
            b"withcoord" => req.with_coord = true,
            b"any" => req.any = true,
            b"asc" => req.sort = Sort::Asc,
            b"desc" => req.sort = Sort::Desc,
            b"count" if left >= 1 => {
                let n = crate::num::string2ll(&args[i + 1])
                    .ok_or_else(|| errors::NOT_INTEGER.to_string())?;
                if n <= 0 {
                    return Err("ERR COUNT must be > 0".into());
                }
                req.count = usize::try_from(n).unwrap_or(usize::MAX);
                i += 1;
            }
            b"store" | b"storedist" if left >= 1 && store_ok => {
                req.store = Some(args[i + 1].clone());
                req.store_dist = arg == b"storedist";
                i += 1;
            }
            b"storedist" if search_store => req.store_dist = true,
            b"frommember" if left >= 1 && searching && !from_lonlat => {
                if let Some(z) = z {
                    req.centre = Some(position(z, &args[i + 1]).ok_or_else(missing_member)?);
                }
                from_member = true;
                i += 1;
            }
            b"fromlonlat" if left >= 2 && searching && !from_member => {
                req.centre = Some(lon_lat(&args[i + 1], &args[i + 2])?);
                from_lonlat = true;
                i += 2;
            }
            b"byradius" if left >= 2 && searching && !by_box => {
                let (r, to_m) = radius(&args[i + 1], &args[i + 2])?;
                req.shape = Some(Shape::Circle(r));
                req.to_m = to_m;
                by_radius = true;
                i += 2;
            }
            b"bybox" if left >= 3 && searching && !by_radius => {
                let w = number(&args[i + 1], "width")?;
                let h = number(&args[i + 2], "height")?;
                if h < 0.0 || w < 0.0 {
                    return Err("ERR height or width cannot be negative".into());
                }
                req.to_m = unit(&args[i + 3])?;
                req.shape = Some(Shape::Box(w, h));
                by_box = true;
                i += 3;
            }
            _ => return Err(errors::SYNTAX.into()),
        }
        i += 1;
    }
    if req.store.is_some() && (req.with_dist || req.with_hash || req.with_coord) {
        let who = if search_store {
            "GEOSEARCHSTORE"
        } else {
            "STORE option in GEORADIUS"
        };
        return Err(format!(
            "ERR {who} is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
        ));
    }
    let name = String::from_utf8_lossy(&args[0]);
    if searching && !(from_member || from_lonlat) {
        return Err(format!(
            "ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {name}"
        ));
    }
    if searching && !(by_radius || by_box) {
        return Err(format!(
            "ERR exactly one of BYRADIUS and BYBOX can be specified for {name}"
        ));
    }
    if req.any && req.count == 0 {
        return Err("ERR the ANY argument requires COUNT argument".into());
    }
    Ok(req)
}

/// The members of `z` inside the search, in Redis's scan order; with
/// `limit` > 0, stops once that many were found.
fn scan(z: &ZSet, s: &Search, limit: usize) -> Vec<Found> {
    let cells = s.cells();
    let mut found = Vec::new();
    let mut last: Option<usize> = None;
    for (i, &cell) in cells.iter().enumerate() {
        if !geohash::is_cell(cell) {
            continue;
        }
        // Huge searches can make neighbours the same cell as the one just
        // scanned (Redis compares with the last scanned cell, never the first).
        if last.is_some_and(|l| l > 0 && cells[l] == cell) {
            continue;
        }
        if limit > 0 && found.len() >= limit {
            break;
        }
        let (min, max) = cell.score_range();
        let range = ScoreRange {
            min: min as f64,
            max: max as f64,
            min_ex: false,
            max_ex: true,
        };
        let (lo, hi) = z.score_ranks(&range);
        for (member, score) in z.iter_from(lo).take(hi - lo) {
            let (lon, lat) = geohash::decode_score(score);
            if let Some(dist) = s.contains(lon, lat) {
                found.push(Found {
                    member: member.to_vec(),
                    score,
                    lon,
                    lat,
                    dist,
                });
            }
            if limit > 0 && found.len() >= limit {
                break;
            }
        }
        last = Some(i);
    }
    found
}

/// GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH, GEOSEARCHSTORE and the `_RO`
/// forms; the source key is `args[src]`.
fn search(ctx: &mut Ctx<'_>, args: &[Vec<u8>], src: usize, form: Form) {
    let db = ctx.store.db(ctx.client.db);
    let Ok(z) = read::<ZSet>(db, ctx.shared, ctx.out, &args[src]) else {
        return;
    };
    let req = match parse(args, src, form, z) {
        Ok(r) => r,
        Err(e) => return ctx.out.error(&e),
    };
    let found = match (z, req.centre, req.shape) {
        (Some(z), Some((lon, lat)), Some(shape)) => {
            let s = Search {
                lon,
                lat,
                shape,
                to_m: req.to_m,
            };
            let limit = if req.any { req.count } else { 0 };
            Some(scan(z, &s, limit))
        }
        _ => None,
    };
    let Some(mut found) = found else {
        return reply_missing_source(ctx, req.store.as_deref());
    };
    if found.is_empty() && req.store.is_none() {
        return ctx.out.array(0);
    }
    let mut sort = req.sort;
    if req.count != 0 && sort == Sort::None && !req.any {
        sort = Sort::Asc;
    }
    let returned = if req.count == 0 {
        found.len()
    } else {
        found.len().min(req.count)
    };
    if sort != Sort::None {
        let by_dist = |a: &Found, b: &Found| {
            let o = a.dist.partial_cmp(&b.dist).unwrap_or(Ordering::Less);
            if sort == Sort::Desc {
                o.reverse()
            } else {
                o
            }
        };
        if returned == found.len() {
            found.sort_by(by_dist);
        } else if returned > 0 {
            pqsort(&mut found, &by_dist, 0, returned - 1);
        }
    }
    found.truncate(returned);
    for f in &mut found {
        f.dist /= req.to_m;
    }
    match req.store {
        Some(dst) => {
            let pairs = found
                .into_iter()
                .map(|f| (f.member, if req.store_dist { f.dist } else { f.score }))
                .collect();
            let event = match form {
                Form::Search { .. } => "geosearchstore",
                Form::Radius { .. } => "georadiusstore",
            };
            store_result(ctx, &dst, pairs, event);
        }
        None => reply_found(ctx.out, &found, &req),
    }
}

/// A search of a missing key: an empty array, or for the storing forms 0,
/// with the destination deleted.
fn reply_missing_source(ctx: &mut Ctx<'_>, store: Option<&[u8]>) {
    let Some(dst) = store else {
        return ctx.out.array(0);
    };
    if ctx.store.db(ctx.client.db).remove(dst).is_some() {
        ctx.store.dirty += 1;
        notify(ctx, GENERIC, "del", dst);
    }
    ctx.out.integer(0);
}

fn reply_found(out: &mut Reply, found: &[Found], req: &Request) {
    let extras =
        usize::from(req.with_dist) + usize::from(req.with_hash) + usize::from(req.with_coord);
    out.array(found.len());
    for f in found {
        if extras > 0 {
            out.array(extras + 1);
        }
        out.bulk(&f.member);
        if req.with_dist {
            reply_distance(out, f.dist);
        }
        if req.with_hash {
            out.integer(f.score as i64);
        }
        if req.with_coord {
            reply_position(out, f.lon, f.lat);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn human_doubles_as_redis_prints_them() {
        assert_eq!(human(13.361389338970184), "13.36138933897018433");
        assert_eq!(human(-0.0), "0");
        assert_eq!(human(2.5), "2.5");
        assert_eq!(human(180.0), "180");
    }
}
