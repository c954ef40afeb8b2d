//! The flags on figures that measured the machine rather than the model: a crawl
//! against a saturated delay server or machine, and any run on a machine that
//! other processes kept busy. A flagged row keeps its figures; every table marks
//! its headline with [`FLAG_MARK`] and says why under it.

/// A delay server busier than this share of its threads, or a machine idler than
/// this share, marks a crawl cell as measuring the machine. The bounds err towards
/// flagging; `docs/measuring.md` has the runs they were checked against.
pub const SATURATED_SERVER: f64 = 0.70;
pub const SATURATED_IDLE: f64 = 0.10;

/// A row whose runs, in the median, found other processes using more than this
/// share of the machine's CPU (all cores, over the run's wall time; see
/// [`crate::measure::others_share`]) is flagged "busy machine". On a quiet 2-core
/// machine the share stays under 0.05; a `cargo build` beside the run, which
/// spread crossbeam's pingpong from 30 ms to 1 s, takes one core or more (0.5 and
/// up). A quarter is a whole core of four, or half of two: enough to take cores a
/// model's threads wanted.
pub const BUSY_OTHERS: f64 = 0.25;

/// What the tables put after a flagged figure.
pub const FLAG_MARK: &str = "!";

/// Why a crawl cell measured the machine rather than the client, if it did.
pub(super) fn saturation(
    server_share: Option<f64>,
    server_threads: Option<usize>,
    idle: Option<f64>,
) -> Option<String> {
    if let (Some(share), Some(threads)) = (server_share, server_threads) {
        if share >= SATURATED_SERVER * threads as f64 {
            return Some(format!(
                "server saturated: it used {:.0} % of its {threads} thread(s)",
                100.0 * share / threads as f64
            ));
        }
    }
    match idle {
        Some(idle) if idle < SATURATED_IDLE => Some(format!(
            "machine saturated: {:.1} % idle during the run",
            100.0 * idle
        )),
        _ => None,
    }
}

/// Why a row's figures were taken on a busy machine, if they were: the median over
/// its runs of the CPU share other processes used.
pub(super) fn busy(others_share: Option<f64>) -> Option<String> {
    let share = others_share.filter(|s| *s > BUSY_OTHERS)?;
    Some(format!(
        "busy machine: others used {:.0} % of the CPU",
        100.0 * share
    ))
}

impl super::Row {
    /// Every reason this row's figures measured the machine rather than the model.
    pub fn flags(&self) -> Vec<&str> {
        [self.busy.as_deref(), self.saturated.as_deref()]
            .into_iter()
            .flatten()
            .collect()
    }
}
