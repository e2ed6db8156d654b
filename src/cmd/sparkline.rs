//! ASCII sparklines, as LATENCY GRAPH draws them in redis-server 7.0.
//!
//! A sequence of samples, each a value and an optional label, is drawn in
//! blocks of at most `columns` samples. Each block is `rows` text rows tall:
//! a sample's height, scaled between the sequence's minimum and maximum, is
//! a number of *steps* (3 per row); the row where the top falls shows `_`,
//! `o` or `#` for the step within it, and the rows below it `|` (the filled
//! style LATENCY uses). Under the block, after one blank row, each label is
//! written downwards, one character per row, under its sample.
//!
//! Invariant: every text row of a block is exactly as long as the block has
//! samples, and ends with a newline.

/// One sample: its value and its label (may be empty: none).
pub struct Sample {
    pub value: f64,
    pub label: String,
}

/// The characters for the three steps within a row.
const FILL: [u8; 3] = [b'_', b'o', b'#'];

/// Renders `samples` in blocks of `columns`, each `rows` rows tall.
pub fn render(samples: &[Sample], columns: usize, rows: usize) -> String {
    let (min, max) = samples
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), s| {
            (lo.min(s.value), hi.max(s.value))
        });
    let labeled = samples.iter().any(|s| !s.label.is_empty());
    let mut out = String::new();
    for (n, block) in samples.chunks(columns.max(1)).enumerate() {
        if n > 0 {
            out.push('\n');
        }
        block_rows(&mut out, block, (min, max), rows, labeled);
    }
    out
}

/// One block: its bar rows, then (when any sample of the whole sequence has
/// a label) a blank row and the label rows.
fn block_rows(
    out: &mut String,
    block: &[Sample],
    (min, max): (f64, f64),
    rows: usize,
    labeled: bool,
) {
    let range = if max - min == 0.0 { 1.0 } else { max - min };
    let steps = (FILL.len() * rows) as i64;
    let step_of = |v: f64| (((v - min) * steps as f64 / range) as i64).clamp(0, steps - 1);
    for row in 0..rows {
        let line: Vec<u8> = block
            .iter()
            .map(|s| {
                let idx = step_of(s.value) - ((rows - row - 1) * FILL.len()) as i64;
                match usize::try_from(idx) {
                    Ok(i) if i < FILL.len() => FILL[i],
                    Ok(_) => b'|',
                    Err(_) => b' ',
                }
            })
            .collect();
        out.push_str(&String::from_utf8_lossy(&line));
        out.push('\n');
    }
    if !labeled {
        return;
    }
    out.push_str(&" ".repeat(block.len()));
    out.push('\n');
    let longest = block.iter().map(|s| s.label.len()).max().unwrap_or(0);
    for i in 0..longest {
        let line: String = block
            .iter()
            .map(|s| s.label.as_bytes().get(i).map_or(' ', |&b| char::from(b)))
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(values: &[(f64, &str)]) -> Vec<Sample> {
        values
            .iter()
            .map(|&(value, l)| Sample {
                value,
                label: l.to_string(),
            })
            .collect()
    }

    #[test]
    fn bars_fill_below_their_top_and_labels_run_downwards() {
        // As redis-server 7.0.15 drew LATENCY GRAPH for samples of 101, 200,
        // 350, 500 and 150 ms taken 6, 5, 4, 2 and 1 seconds before.
        let s = seq(&[
            (101.0, "6s"),
            (200.0, "5s"),
            (350.0, "4s"),
            (500.0, "2s"),
            (150.0, "1s"),
        ]);
        assert_eq!(
            render(&s, 80, 4),
            "   # \n  o| \n  || \n_#||o\n     \n65421\nsssss\n"
        );
    }

    #[test]
    fn equal_values_sit_on_the_floor_and_long_sequences_wrap() {
        let s = seq(&[(7.0, ""), (7.0, ""), (7.0, "")]);
        assert_eq!(render(&s, 2, 2), "  \n__\n\n \n_\n");
    }
}
