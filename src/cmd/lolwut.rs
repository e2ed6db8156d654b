//! LOLWUT [VERSION version] [arguments...]: a piece of computer art and the
//! server's version, as redis-server 7.0 draws it.
//!
//! - With `VERSION 5`: Georg Nees's *Schotter* (1968), a grid of squares that
//!   are rotated and shifted more and more at random row after row. Arguments:
//!   terminal columns (default 66), squares per row (8) and per column (12).
//!   It is drawn on a canvas of 2×4 pixels per character and written with the
//!   Braille characters U+2800–U+28FF, one dot per pixel.
//! - With `VERSION 6`: a city skyline in three grays on a white sky, the
//!   front buildings with lit and unlit windows, written as ANSI colour
//!   escapes, one space per pixel. Arguments: columns (default 80) and rows (20).
//! - Otherwise: only the version line.
//!
//! Every size is clamped (columns and rows to 1..=1000, squares to 1..=200) so
//! the drawing stays cheap whatever the client asks. The reply is a verbatim
//! string (`txt`) in RESP3 and a bulk string in RESP2. The drawings are random:
//! two calls (and two servers) draw different pictures of the same shape.
use super::{flags::*, CommandSpec, Ctx};
use crate::store::Rng;

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "lolwut",
    arity: -1,
    flags: READONLY | FAST,
    handler: lolwut,
    ..CommandSpec::DEFAULT
}];

fn lolwut(ctx: &mut Ctx<'_>, args: &[Vec<u8>]) {
    let mut rest = &args[1..];
    let mut version = None;
    if args.len() >= 3 && args[1].eq_ignore_ascii_case(b"version") {
        let Some(v) = crate::num::string2ll(&args[2]) else {
            return ctx.out.error(super::errors::NOT_INTEGER);
        };
        version = Some(v);
        rest = &args[3..];
    }
    // Only the drawings read arguments; the version line ignores them.
    let drawn = matches!(version, Some(5 | 6));
    let mut numbers = Vec::new();
    for a in rest.iter().take(if drawn { 3 } else { 0 }) {
        let Some(n) = crate::num::string2ll(a) else {
            return ctx.out.error(super::errors::NOT_INTEGER);
        };
        numbers.push(n);
    }
    let arg = |i: usize, default: i64, max: i64| -> usize {
        numbers.get(i).copied().unwrap_or(default).clamp(1, max) as usize
    };
    let mut rng = Rng::seeded();
    let mut text = match version {
        Some(5) => {
            let canvas = schotter(&mut rng, arg(0, 66, 1000), arg(1, 8, 200), arg(2, 12, 200));
            let mut t = braille(&canvas);
            t.extend_from_slice(b"\nGeorg Nees - schotter, plotter on paper, 1968. ");
            t
        }
        Some(6) => {
            let mut canvas = Canvas::new(arg(0, 80, 1000), arg(1, 20, 1000), WHITE);
            skyline(&mut rng, &mut canvas);
            let mut t = ansi(&canvas);
            t.extend_from_slice(
                b"\nDedicated to the 8 bit game developers of past and present.\n\
                  Original 8 bit image from Plaguemon by hikikomori. ",
            );
            t
        }
        _ => Vec::new(),
    };
    text.extend_from_slice(b"Redis ver. ");
    text.extend_from_slice(super::REDIS_VERSION.as_bytes());
    text.push(b'\n');
    ctx.out.verbatim("txt", &text);
}

/// A grid of pixels, each a small colour number, row after row.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize, color: u8) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![color; width * height],
        }
    }

    /// The pixel at (x, y); outside the canvas, 0.
    fn get(&self, x: i64, y: i64) -> u8 {
        self.index(x, y).map_or(0, |i| self.pixels[i])
    }

    /// Sets (x, y); a point outside the canvas is ignored.
    fn set(&mut self, x: i64, y: i64, color: u8) {
        if let Some(i) = self.index(x, y) {
            self.pixels[i] = color;
        }
    }

    fn index(&self, x: i64, y: i64) -> Option<usize> {
        let (x, y) = (usize::try_from(x).ok()?, usize::try_from(y).ok()?);
        (x < self.width && y < self.height).then(|| x + y * self.width)
    }

    /// A straight line from (x1, y1) to (x2, y2), both ends included
    /// (Bresenham's integer walk).
    fn line(&mut self, (mut x, mut y): (i64, i64), (x2, y2): (i64, i64), color: u8) {
        let (dx, dy) = ((x2 - x).abs(), (y2 - y).abs());
        let (sx, sy) = (if x < x2 { 1 } else { -1 }, if y < y2 { 1 } else { -1 });
        let mut err = dx - dy;
        loop {
            self.set(x, y, color);
            if x == x2 && y == y2 {
                break;
            }
            let e2 = err * 2;
            if e2 > -dy {
                err -= dy;
                x += sx;
            }
            if e2 < dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// The outline of a square of side `side` centred on (x, y), turned by
    /// `angle` radians.
    fn square(&mut self, (x, y): (i64, i64), side: f64, angle: f64) {
        // The corners lie on a circle whose radius is half the diagonal.
        let r = (side / std::f64::consts::SQRT_2).round();
        let corner = |j: usize| {
            let k = std::f64::consts::FRAC_PI_4 + angle + j as f64 * std::f64::consts::FRAC_PI_2;
            (
                (k.sin() * r + x as f64).round() as i64,
                (k.cos() * r + y as f64).round() as i64,
            )
        };
        for j in 0..4 {
            self.line(corner(j), corner((j + 1) % 4), 1);
        }
    }
}

/// A random number in [0, 1).
fn unit(rng: &mut Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// *Schotter*: `rows`×`cols` squares on a canvas `columns` characters wide;
/// from the third row on, each square is turned and shifted by random amounts
/// that grow with its row.
fn schotter(rng: &mut Rng, columns: usize, per_row: usize, per_col: usize) -> Canvas {
    let width = columns * 2;
    let padding = if width > 4 { 2 } else { 0 };
    let side = (width - padding * 2) as f64 / per_row as f64;
    let height = (side * per_col as f64) as usize + padding * 2;
    let mut canvas = Canvas::new(width, height, 0);
    for y in 0..per_col {
        for x in 0..per_row {
            let mut cx = (x as f64 * side + side / 2.0) as i64 + padding as i64;
            let mut cy = (y as f64 * side + side / 2.0) as i64 + padding as i64;
            let mut angle = 0.0;
            if y > 1 {
                let mut disorder = || {
                    let v = unit(rng) / per_col as f64 * y as f64;
                    if rng.next_u64() & 1 == 1 {
                        -v
                    } else {
                        v
                    }
                };
                angle = disorder();
                cx += (disorder() * side / 3.0) as i64;
                cy += (disorder() * side / 3.0) as i64;
            }
            canvas.square((cx, cy), side, angle);
        }
    }
    canvas
}

/// The canvas as Braille text: each character shows a block of 2×4 pixels
/// (dots 1–3 and 7 down the left column, 4–6 and 8 down the right).
fn braille(canvas: &Canvas) -> Vec<u8> {
    const DOTS: [(i64, i64); 8] = [
        (0, 0),
        (0, 1),
        (0, 2),
        (1, 0),
        (1, 1),
        (1, 2),
        (0, 3),
        (1, 3),
    ];
    let mut text = Vec::new();
    for y in (0..canvas.height).step_by(4) {
        for x in (0..canvas.width).step_by(2) {
            let mut bits = 0u32;
            for (bit, (dx, dy)) in DOTS.iter().enumerate() {
                if canvas.get(x as i64 + dx, y as i64 + dy) != 0 {
                    bits |= 1 << bit;
                }
            }
            let c = char::from_u32(0x2800 + bits).unwrap_or(' ');
            let mut buf = [0u8; 4];
            text.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        if y != canvas.height - 1 {
            text.push(b'\n');
        }
    }
    text
}

/// Colours of the skyline: black, two grays, white.
const BLACK: u8 = 0;
const WHITE: u8 = 3;

/// The canvas as ANSI escapes, one space per pixel with its colour as both
/// foreground and background.
fn ansi(canvas: &Canvas) -> Vec<u8> {
    let mut text = Vec::new();
    for y in 0..canvas.height {
        for x in 0..canvas.width {
            let code: &[u8] = match canvas.get(x as i64, y as i64) {
                1 => b"0;90;100m",
                2 => b"0;37;47m",
                3 => b"0;97;107m",
                _ => b"0;30;40m",
            };
            text.extend_from_slice(b"\x1b[");
            text.extend_from_slice(code);
            text.extend_from_slice(b" \x1b[0m");
        }
        if y != canvas.height - 1 {
            text.push(b'\n');
        }
    }
    text
}

/// One building of the skyline, standing on the canvas's bottom row.
struct Building {
    left: i64,
    width: i64,
    height: i64,
    color: u8,
    windows: bool,
}

/// Draws `b`: its roof two pixels narrower on each side; with windows, the
/// inner part gets two-pixel-wide windows on every other row, each lit in a
/// random gray different from the wall.
fn building(rng: &mut Rng, canvas: &mut Canvas, b: &Building) {
    let bottom = canvas.height as i64 - 1;
    let top = bottom - b.height + 1;
    let right = b.left + b.width;
    for y in (top..=bottom).rev() {
        for x in b.left..right {
            if y == top && (x <= b.left + 1 || x >= right - 2) {
                continue;
            }
            let mut color = b.color;
            let inner = x > b.left + 1 && x < right - 2 && y > top + 1 && y < bottom - 1;
            if b.windows && inner {
                let (rx, ry) = (x - (b.left + 1), y - (top + 1));
                if (rx / 2) % 2 == 1 && ry % 2 == 1 {
                    color = if rx % 2 == 1 {
                        // The window's second pixel matches its first.
                        canvas.get(x - 1, y)
                    } else {
                        loop {
                            let c = 1 + (rng.next_u64() % 2) as u8;
                            if c != b.color {
                                break c;
                            }
                        }
                    };
                }
            }
            canvas.set(x, y, color);
        }
    }
}

/// Two rows of gray buildings (the lighter behind), then black ones with
/// windows in front.
fn skyline(rng: &mut Rng, canvas: &mut Canvas) {
    let (w, h) = (canvas.width as i64, canvas.height as i64);
    let mut r = |n: i64| (rng.next_u64() % n.max(1) as u64) as i64;
    let mut plan = Vec::new();
    for color in [2u8, 1] {
        let mut left = -10;
        while left < w {
            left += r(8);
            let width = 10 + r(9);
            let height = if color == 2 {
                h / 2 + r(h) / 2
            } else {
                h / 2 + r(h) / 3
            };
            plan.push(Building {
                left,
                width,
                height,
                color,
                windows: false,
            });
            left += if color == 2 { width / 2 } else { width + 1 };
        }
    }
    let mut left = -10;
    while left < w {
        left += r(8);
        let mut width = 5 + r(14);
        if width % 4 != 0 {
            width += width % 3;
        }
        let height = h / 3 + r(h) / 2;
        plan.push(Building {
            left,
            width,
            height,
            color: BLACK,
            windows: true,
        });
        left += width + 5;
    }
    for b in &plan {
        building(rng, canvas, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_is_a_closed_outline_of_its_side() {
        let mut c = Canvas::new(20, 20, 0);
        c.square((10, 10), 8.0, 0.0);
        // Unturned, its corners sit on the diagonals: 8 pixels from side to side.
        let lit: Vec<(usize, usize)> = (0..20)
            .flat_map(|y| (0..20).map(move |x| (x, y)))
            .filter(|&(x, y)| c.get(x as i64, y as i64) == 1)
            .collect();
        let xs = lit.iter().map(|p| p.0);
        let ys = lit.iter().map(|p| p.1);
        assert_eq!((xs.clone().min(), xs.max()), (Some(6), Some(14)));
        assert_eq!((ys.clone().min(), ys.max()), (Some(6), Some(14)));
        assert_eq!(lit.len(), 32);
    }

    #[test]
    fn braille_maps_each_pixel_to_its_dot() {
        // A line ends with a newline unless it holds the canvas's last pixel
        // row, as in 7.0 (so a height that is a multiple of 4 leaves one).
        let mut c = Canvas::new(2, 4, 0);
        c.set(0, 0, 1);
        assert_eq!(
            String::from_utf8(braille(&c)).unwrap_or_default(),
            "\u{2801}\n"
        );
        c.set(1, 3, 1);
        assert_eq!(
            String::from_utf8(braille(&c)).unwrap_or_default(),
            "\u{2881}\n"
        );
        let c = Canvas::new(4, 5, 1);
        assert_eq!(
            String::from_utf8(braille(&c)).unwrap_or_default(),
            "\u{28ff}\u{28ff}\n\u{2809}\u{2809}"
        );
    }

    #[test]
    fn drawings_have_the_asked_shape_and_stay_on_the_canvas() {
        let mut rng = Rng::seeded();
        // As redis-server 7.0.15 sizes them: `LOLWUT VERSION 5 4 2 2` is two
        // lines of four characters, each ending with a newline.
        let c = schotter(&mut rng, 4, 2, 2);
        assert_eq!((c.width, c.height), (8, 8));
        let text = String::from_utf8(braille(&c)).unwrap_or_default();
        let lines: Vec<usize> = text.split('\n').map(|l| l.chars().count()).collect();
        assert_eq!(lines, [4, 4, 0]);
        let mut sky = Canvas::new(4, 2, WHITE);
        skyline(&mut rng, &mut sky);
        assert_eq!(ansi(&sky).split(|b| *b == b'\n').count(), 2);
        for (cols, rows) in [(1, 1), (1000, 3), (7, 1000)] {
            let mut sky = Canvas::new(cols, rows, WHITE);
            skyline(&mut rng, &mut sky);
            assert!(sky.pixels.iter().all(|p| *p <= WHITE));
        }
        let big = schotter(&mut rng, 1000, 1, 200);
        assert!(big.pixels.contains(&1));
    }
}
