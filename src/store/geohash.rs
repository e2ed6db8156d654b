//! Redis's geohash: positions on the earth as 52-bit integers that are the
//! scores of a sorted set, and the geometry of the GEO commands.
//!
//! - Encoding: longitude in [-180, 180] and latitude in [-85.05112878,
//!   85.05112878] (the Web Mercator limits) are each scaled to 26-bit cells;
//!   their bits are interleaved, latitude in the even positions and longitude
//!   in the odd ones, so nearby points share high bits and a square cell of
//!   `step` levels is a contiguous range of scores.
//! - Decoding gives the centre of the cell (so a position read back is
//!   within about half a metre of what was stored).
//! - Distances are great-circle (haversine) distances on a sphere of radius
//!   6372797.560856 m, computed with the same operations in the same order as
//!   Redis, so they agree to the last printed digit.
//! - A search (radius or box) looks at the cell that holds the centre plus
//!   its eight neighbours, at a level coarse enough for them to cover the
//!   search area, minus the neighbours that cannot matter; each cell is a
//!   score range of the sorted set. This is Redis's own choice of cells, so
//!   the members come out in the same order.
//!
//! Everything here is arithmetic on `f64` and `u64`; no input can make it
//! panic (scores that are not geohashes decode to some clamped position, as
//! they do in Redis).

pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.051_128_78;
pub const LAT_MAX: f64 = 85.051_128_78;
/// Levels of a full-precision hash (26 per coordinate, 52 bits).
pub const STEP_MAX: u32 = 26;
pub const EARTH_RADIUS_M: f64 = 6_372_797.560_856;
const MERCATOR_MAX: f64 = 20_037_726.37;
const D_R: f64 = std::f64::consts::PI / 180.0;

fn deg_rad(d: f64) -> f64 {
    d * D_R
}

fn rad_deg(r: f64) -> f64 {
    r / D_R
}

/// A cell: `bits` holds `2 * step` interleaved bits. (0, 0) is "no cell".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Cell {
    pub bits: u64,
    pub step: u32,
}

impl Cell {
    fn is_none(self) -> bool {
        self.bits == 0 && self.step == 0
    }

    /// The score range `[min, max)` of the 52-bit hashes inside the cell.
    pub fn score_range(self) -> (u64, u64) {
        let shift = 52u32.saturating_sub(self.step * 2);
        (self.bits << shift, (self.bits + 1) << shift)
    }
}

/// A closed interval of one coordinate.
#[derive(Debug, Clone, Copy)]
struct Span {
    min: f64,
    max: f64,
}

const LONGS: Span = Span {
    min: LONG_MIN,
    max: LONG_MAX,
};
const LATS: Span = Span {
    min: LAT_MIN,
    max: LAT_MAX,
};

/// Spreads the 32 bits of `v` to the even bit positions of a u64.
fn spread(v: u32) -> u64 {
    let mut x = u64::from(v);
    x = (x | (x << 16)) & 0x0000_ffff_0000_ffff;
    x = (x | (x << 8)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    (x | (x << 1)) & 0x5555_5555_5555_5555
}

/// The inverse of [`spread`]: the even bits of `x`, packed.
fn squash(x: u64) -> u32 {
    let mut x = x & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0f0f_0f0f_0f0f_0f0f;
    x = (x | (x >> 4)) & 0x00ff_00ff_00ff_00ff;
    x = (x | (x >> 8)) & 0x0000_ffff_0000_ffff;
    ((x | (x >> 16)) & 0x0000_0000_ffff_ffff) as u32
}

/// The cell of `step` levels holding (lon, lat) within the given spans;
/// `None` outside the Mercator limits or the spans.
fn encode_in(longs: Span, lats: Span, lon: f64, lat: f64, step: u32) -> Option<Cell> {
    if step == 0 || step > 32 {
        return None;
    }
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if !(lats.min..=lats.max).contains(&lat) || !(longs.min..=longs.max).contains(&lon) {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_cell = (lat - lats.min) / (lats.max - lats.min) * scale;
    let lon_cell = (lon - longs.min) / (longs.max - longs.min) * scale;
    Some(Cell {
        bits: spread(lat_cell as u32) | (spread(lon_cell as u32) << 1),
        step,
    })
}

/// The cell of `step` levels holding (lon, lat) in the global spans.
pub fn encode(lon: f64, lat: f64, step: u32) -> Option<Cell> {
    encode_in(LONGS, LATS, lon, lat, step)
}

/// The 52-bit score of a position (None outside the limits).
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    encode(lon, lat, STEP_MAX).map(|c| c.score_range().0)
}

/// The bounds of a cell: (longitude span, latitude span).
fn area(cell: Cell) -> (Span, Span) {
    let (lat_i, lon_i) = (squash(cell.bits), squash(cell.bits >> 1));
    let scale = (1u64 << cell.step.min(63)) as f64;
    let lat_w = LATS.max - LATS.min;
    let lon_w = LONGS.max - LONGS.min;
    // (the "+ 1" is 32-bit arithmetic in Redis: it wraps for odd scores)
    let at = |i: u32| f64::from(i) * 1.0 / scale;
    (
        Span {
            min: LONGS.min + at(lon_i) * lon_w,
            max: LONGS.min + at(lon_i.wrapping_add(1)) * lon_w,
        },
        Span {
            min: LATS.min + at(lat_i) * lat_w,
            max: LATS.min + at(lat_i.wrapping_add(1)) * lat_w,
        },
    )
}

/// C's `(uint64_t)` of a double as x86-64 compiles it: in-range values
/// truncate, values past 2^64 and below -2^63 give what the CPU gives.
fn c_to_u64(d: f64) -> u64 {
    const TWO63: f64 = 9_223_372_036_854_775_808.0;
    let cvtt = |x: f64| -> u64 {
        if x > -TWO63 - 1025.0 && x < TWO63 {
            x as i64 as u64
        } else {
            1 << 63
        }
    };
    if d >= TWO63 {
        cvtt(d - TWO63) ^ (1 << 63)
    } else {
        cvtt(d)
    }
}

/// The position (lon, lat) a score stands for: the centre of its cell,
/// clamped to the limits.
pub fn decode_score(score: f64) -> (f64, f64) {
    let (lon, lat) = area(Cell {
        bits: c_to_u64(score),
        step: STEP_MAX,
    });
    let x = ((lon.min + lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((lat.min + lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (x, y)
}

/// The standard 11-character geohash (latitude over [-90, 90]) of a score.
pub fn geohash_string(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (lon, lat) = decode_score(score);
    let world = Span {
        min: -90.0,
        max: 90.0,
    };
    let bits = encode_in(LONGS, world, lon, lat, STEP_MAX).map_or(0, |c| c.bits);
    let mut out = [b'0'; 11];
    for (i, o) in out.iter_mut().enumerate().take(10) {
        *o = ALPHABET[((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
    }
    out
}

/// Distance in metres along a meridian between two latitudes.
pub fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (deg_rad(lat2) - deg_rad(lat1)).abs()
}

/// Great-circle distance in metres.
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let lon1r = deg_rad(lon1);
    let lon2r = deg_rad(lon2);
    let v = ((lon2r - lon1r) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let lat1r = deg_rad(lat1);
    let lat2r = deg_rad(lat2);
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

/// The area a search covers, around a centre.
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Radius, in the unit.
    Circle(f64),
    /// Width and height, in the unit.
    Box(f64, f64),
}

/// A search: centre (lon, lat), shape, and metres per unit.
#[derive(Debug, Clone, Copy)]
pub struct Search {
    pub lon: f64,
    pub lat: f64,
    pub shape: Shape,
    pub to_m: f64,
}

impl Search {
    /// The distance in metres from the centre to (lon, lat) if the point is
    /// inside the shape.
    pub fn contains(&self, lon: f64, lat: f64) -> Option<f64> {
        match self.shape {
            Shape::Circle(r) => {
                let d = distance(self.lon, self.lat, lon, lat);
                (d <= r * self.to_m).then_some(d)
            }
            Shape::Box(w, h) => {
                if lat_distance(lat, self.lat) > h * self.to_m / 2.0 {
                    return None;
                }
                if distance(lon, lat, self.lon, lat) > w * self.to_m / 2.0 {
                    return None;
                }
                Some(distance(self.lon, self.lat, lon, lat))
            }
        }
    }

    /// (min lon, min lat, max lon, max lat) of the shape.
    fn bounding_box(&self) -> [f64; 4] {
        let (half_h, half_w) = match self.shape {
            Shape::Circle(r) => (r, r),
            Shape::Box(w, h) => (h / 2.0, w / 2.0),
        };
        let height = self.to_m * half_h;
        let width = self.to_m * half_w;
        let lat_delta = rad_deg(height / EARTH_RADIUS_M);
        let lon_top = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat + lat_delta).cos());
        let lon_bottom = rad_deg(width / EARTH_RADIUS_M / deg_rad(self.lat - lat_delta).cos());
        // Towards the pole the box is narrower: pick the wider edge.
        let lon_delta = if self.lat < 0.0 { lon_bottom } else { lon_top };
        [
            self.lon - lon_delta,
            self.lat - lat_delta,
            self.lon + lon_delta,
            self.lat + lat_delta,
        ]
    }

    /// The cells to scan, in Redis's order: the centre's, then north, south,
    /// east, west, north-east, north-west, south-east, south-west; cells the
    /// search cannot reach are "none".
    pub fn cells(&self) -> [Cell; 9] {
        let [min_lon, min_lat, max_lon, max_lat] = self.bounding_box();
        let radius_m = match self.shape {
            Shape::Circle(r) => r,
            Shape::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt(),
        } * self.to_m;
        let mut step = estimate_steps(radius_m, self.lat);
        let mut centre = encode(self.lon, self.lat, step).unwrap_or_default();
        let mut n = neighbours(centre);
        let reaches_past = |n: &[Cell; 8]| {
            let (_, north) = area(n[0]);
            let (_, south) = area(n[1]);
            let (east, _) = area(n[2]);
            let (west, _) = area(n[3]);
            north.max < max_lat || south.min > min_lat || east.max < max_lon || west.min > min_lon
        };
        if step > 1 && reaches_past(&n) {
            step -= 1;
            centre = encode(self.lon, self.lat, step).unwrap_or_default();
            n = neighbours(centre);
        }
        let [mut north, mut south, mut east, mut west, mut ne, mut nw, mut se, mut sw] = n;
        if step >= 2 {
            let (lons, lats) = area(centre);
            let none = Cell::default();
            if lats.min < min_lat {
                (south, sw, se) = (none, none, none);
            }
            if lats.max > max_lat {
                (north, ne, nw) = (none, none, none);
            }
            if lons.min < min_lon {
                (west, sw, nw) = (none, none, none);
            }
            if lons.max > max_lon {
                (east, se, ne) = (none, none, none);
            }
        }
        [centre, north, south, east, west, ne, nw, se, sw]
    }
}

/// The coarsest level whose cells still hold a search of `range_m` metres.
fn estimate_steps(range_m: f64, lat: f64) -> u32 {
    if range_m == 0.0 {
        return STEP_MAX;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, STEP_MAX as i32) as u32
}

/// Moves a cell `d` cells east (+1) or west (-1) in the odd (longitude) bits,
/// or north/south in the even (latitude) bits, wrapping around.
fn shift(cell: Cell, d: i8, odd: bool) -> Cell {
    if d == 0 {
        return cell;
    }
    let (mine_mask, other_mask) = if odd {
        (0xaaaa_aaaa_aaaa_aaaau64, 0x5555_5555_5555_5555u64)
    } else {
        (0x5555_5555_5555_5555, 0xaaaa_aaaa_aaaa_aaaa)
    };
    let mine = cell.bits & mine_mask;
    let other = cell.bits & other_mask;
    let width = 64u32.saturating_sub(cell.step * 2);
    let fill = other_mask.checked_shr(width).unwrap_or(0);
    let moved = if d > 0 {
        mine.wrapping_add(fill.wrapping_add(1))
    } else {
        (mine | fill).wrapping_sub(fill.wrapping_add(1))
    };
    Cell {
        bits: (moved & mine_mask.checked_shr(width).unwrap_or(0)) | other,
        step: cell.step,
    }
}

/// The eight neighbours: north, south, east, west, north-east, north-west,
/// south-east, south-west.
fn neighbours(c: Cell) -> [Cell; 8] {
    let at = |dx: i8, dy: i8| shift(shift(c, dx, true), dy, false);
    [
        at(0, 1),
        at(0, -1),
        at(1, 0),
        at(-1, 0),
        at(1, 1),
        at(-1, 1),
        at(1, -1),
        at(-1, -1),
    ]
}

/// Whether a cell is one to scan.
pub fn is_cell(c: Cell) -> bool {
    !c.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_and_positions_as_redis_has_them() {
        // From redis-server 7.0.15: GEOADD then ZSCORE / GEOPOS / GEOHASH.
        assert_eq!(score_of(13.361389, 38.115556), Some(3_479_099_956_230_698));
        assert_eq!(
            score_of(-73.9454966, 40.747533),
            Some(1_791_875_804_419_201)
        );
        let (lon, lat) = decode_score(3_479_099_956_230_698.0);
        assert_eq!(format!("{lon:.17}"), "13.36138933897018433");
        assert_eq!(format!("{lat:.17}"), "38.11555639549629859");
        let h = score_of(-5.6, 42.6).unwrap();
        assert_eq!(&geohash_string(h as f64), b"ezs42e44yx0");
    }

    #[test]
    fn bits_interleave_and_back() {
        for v in [0u32, 1, 0xdead_beef, u32::MAX, 1 << 26] {
            assert_eq!(squash(spread(v)), v);
            assert_eq!(squash(spread(v) << 1 >> 1), v);
        }
    }

    #[test]
    fn distances_as_redis_prints_them() {
        // GEODIST Palermo Catania on redis-server 7.0.15: 166274.1516.
        let (a, b) = (
            decode_score(3_479_099_956_230_698.0),
            decode_score(3_479_447_370_796_909.0),
        );
        assert_eq!(
            format!("{:.4}", distance(a.0, a.1, b.0, b.1)),
            "166274.1516"
        );
    }

    #[test]
    fn odd_scores_decode_without_panicking() {
        for s in [
            -1.0,
            -1e300,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            4.5e15,
            9.3e18,
        ] {
            let (lon, lat) = decode_score(s);
            assert!((LONG_MIN..=LONG_MAX).contains(&lon) && (LAT_MIN..=LAT_MAX).contains(&lat));
        }
    }
}
