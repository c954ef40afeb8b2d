//! Two or more source files laid out in columns, part by part, with the lines that
//! do the same thing on the same row: what `show` prints.
//!
//! Within a part, the columns are aligned the way a side-by-side diff aligns them,
//! except that the lines of two models are rarely equal: `stream.read(&mut buf)`
//! in may is `stream.try_read(&mut buf)` in tokio. So lines are matched by the
//! words they share (Jaccard similarity of their identifiers, `await`, `async`,
//! `mut` and `let` left out), and the best set of matches in order is found by the
//! Needleman-Wunsch recurrence: the alignment that maximises the total similarity
//! of the matched pairs. Columns after the second are aligned one at a time to the
//! rows built so far. Unmatched lines between two matches share rows, as in a
//! diff's change block.

use std::collections::BTreeSet;

/// Lines whose similarity is below this are never put on one row.
const MATCH_AT_LEAST: f64 = 0.34;

/// One column to lay out: its head (a model name), and its parts in order.
#[derive(Debug, Clone)]
pub struct Column<'a> {
    pub head: String,
    pub parts: Vec<(String, Vec<&'a str>)>,
}

/// How to lay the columns out.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// Total width in characters.
    pub width: usize,
    /// Leave out comment lines.
    pub no_comments: bool,
}

/// One row: a line (or nothing) per column.
type Row<'a> = Vec<Option<&'a str>>;

/// The columns side by side: a head row, then each part's rows under a rule with
/// its name. Parts are taken in the first column's order; a part another column
/// lacks is blank there.
pub fn render(columns: &[Column<'_>], layout: Layout) -> String {
    let k = columns.len().max(1);
    let sep = " │ ";
    let col_width = (layout.width.saturating_sub(sep.len() * (k - 1)) / k).max(12);
    let mut out = String::new();
    let heads: Vec<Option<&str>> = columns.iter().map(|c| Some(c.head.as_str())).collect();
    push_row(&mut out, &heads, col_width, sep);
    let full = col_width * k + (sep.chars().count()) * (k - 1);
    for name in part_names(columns) {
        out.push_str(&rule(&name, full));
        let texts: Vec<Vec<&str>> = columns
            .iter()
            .map(|c| {
                let lines = c
                    .parts
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, lines)| lines.as_slice())
                    .unwrap_or_default();
                lines
                    .iter()
                    .copied()
                    .filter(|l| !(layout.no_comments && is_comment(l)))
                    .collect()
            })
            .collect();
        for row in align(&texts) {
            push_row(&mut out, &row, col_width, sep);
        }
    }
    out
}

/// The part names of every column, in the first column's order, then any others.
fn part_names(columns: &[Column<'_>]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for column in columns {
        for (name, _) in &column.parts {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    names
}

fn rule(name: &str, width: usize) -> String {
    let head = format!("── {name} ");
    let rest = width.saturating_sub(head.chars().count());
    format!("{head}{}\n", "─".repeat(rest))
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

/// The rows that put each column's matching lines side by side.
pub fn align<'a>(columns: &[Vec<&'a str>]) -> Vec<Row<'a>> {
    let Some((first, rest)) = columns.split_first() else {
        return Vec::new();
    };
    let mut rows: Vec<Row<'a>> = first.iter().map(|l| vec![Some(*l)]).collect();
    for column in rest {
        rows = merge(rows, column);
    }
    rows
}

/// One alignment step: what to do at a point of the traceback.
enum Step {
    Both(usize, usize),
    Row(usize),
    Line(usize),
}

/// Aligns `lines` (a new column) to `rows`, returning rows one column wider.
fn merge<'a>(rows: Vec<Row<'a>>, lines: &[&'a str]) -> Vec<Row<'a>> {
    let (n, m) = (rows.len(), lines.len());
    let line_words: Vec<BTreeSet<String>> = lines.iter().map(|l| words(l)).collect();
    let row_words: Vec<Vec<(BTreeSet<String>, &str)>> = rows
        .iter()
        .map(|r| r.iter().flatten().map(|l| (words(l), *l)).collect())
        .collect();
    let sim = |i: usize, j: usize| -> f64 {
        row_words[i]
            .iter()
            .map(|(w, l)| similarity(w, l, &line_words[j], lines[j]))
            .fold(0.0, f64::max)
    };
    // score[i][j]: the best total over rows[..i] and lines[..j].
    let mut score = vec![vec![0.0f64; m + 1]; n + 1];
    for i in 1..=n {
        for j in 1..=m {
            let s = sim(i - 1, j - 1);
            let both = if s >= MATCH_AT_LEAST {
                score[i - 1][j - 1] + s
            } else {
                f64::MIN
            };
            score[i][j] = both.max(score[i - 1][j]).max(score[i][j - 1]);
        }
    }
    let mut steps = Vec::with_capacity(n + m);
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        if i > 0 && j > 0 {
            let s = sim(i - 1, j - 1);
            if s >= MATCH_AT_LEAST && (score[i][j] - (score[i - 1][j - 1] + s)).abs() < 1e-9 {
                steps.push(Step::Both(i - 1, j - 1));
                i -= 1;
                j -= 1;
                continue;
            }
        }
        if i > 0 && (j == 0 || score[i][j] == score[i - 1][j]) {
            steps.push(Step::Row(i - 1));
            i -= 1;
        } else {
            steps.push(Step::Line(j - 1));
            j -= 1;
        }
    }
    steps.reverse();
    let width = rows.first().map_or(0, Vec::len);
    let mut out = Vec::with_capacity(steps.len());
    // Unmatched rows and lines between two matches, zipped onto shared rows.
    let (mut only_rows, mut only_lines) = (Vec::new(), Vec::new());
    let flush =
        |out: &mut Vec<Row<'a>>, only_rows: &mut Vec<usize>, only_lines: &mut Vec<usize>| {
            for k in 0..only_rows.len().max(only_lines.len()) {
                let mut row = only_rows
                    .get(k)
                    .map_or_else(|| vec![None; width], |&i| rows[i].clone());
                row.push(only_lines.get(k).map(|&j| lines[j]));
                out.push(row);
            }
            only_rows.clear();
            only_lines.clear();
        };
    for step in steps {
        match step {
            Step::Both(i, j) => {
                flush(&mut out, &mut only_rows, &mut only_lines);
                let mut row = rows[i].clone();
                row.push(Some(lines[j]));
                out.push(row);
            }
            Step::Row(i) => only_rows.push(i),
            Step::Line(j) => only_lines.push(j),
        }
    }
    flush(&mut out, &mut only_rows, &mut only_lines);
    out
}

/// The words of a line that say what it does.
fn words(line: &str) -> BTreeSet<String> {
    line.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty() && !matches!(*w, "await" | "async" | "mut" | "let"))
        .map(str::to_lowercase)
        .collect()
}

/// How alike two lines are, 0 to 1: shared words over all words, or for lines
/// of punctuation only (`}`, `});`), whether they are the same.
fn similarity(a: &BTreeSet<String>, la: &str, b: &BTreeSet<String>, lb: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return if la.trim() == lb.trim() && !la.trim().is_empty() {
            0.5
        } else {
            0.0
        };
    }
    let shared = a.intersection(b).count() as f64;
    shared / ((a.len() + b.len()) as f64 - shared)
}

/// Appends one row, each cell wrapped to `width` and padded, as many lines as its
/// tallest cell needs.
fn push_row(out: &mut String, row: &[Option<&str>], width: usize, sep: &str) {
    let cells: Vec<Vec<String>> = row
        .iter()
        .map(|cell| cell.map_or_else(|| vec![String::new()], |text| wrap(text, width)))
        .collect();
    let height = cells.iter().map(Vec::len).max().unwrap_or(1);
    for k in 0..height {
        let mut line = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let text = cell.get(k).map_or("", String::as_str);
            if c + 1 < cells.len() {
                line.push_str(text);
                line.push_str(&" ".repeat(width.saturating_sub(text.chars().count())));
                line.push_str(sep);
            } else {
                line.push_str(text);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A source line with half its indentation, cut into pieces of at most `width`
/// characters (at a space where one is near), the pieces after the first indented
/// two more than the line.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    let body = line.trim_start();
    // Half the indentation, and never more than half the width.
    let indent = ((line.len() - body.len()) / 2).min(width / 2);
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = body.chars().collect();
    let mut pad = indent;
    loop {
        let room = width.saturating_sub(pad).max(1);
        if rest.len() <= room {
            pieces.push(format!(
                "{}{}",
                " ".repeat(pad),
                rest.iter().collect::<String>()
            ));
            return pieces;
        }
        let cut = (room / 2..room)
            .rev()
            .find(|&i| rest[i] == ' ')
            .map_or(room, |i| i + 1);
        let head: String = rest[..cut].iter().collect();
        pieces.push(format!("{}{}", " ".repeat(pad), head.trim_end()));
        rest.drain(..cut);
        pad = indent + 2;
    }
}
