//! The command line, as clap sees it. The parameter flags are shared by `run` and
//! `compare` and named after the spec fields (`--delay-ms` is `delay_ms`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use harness::params::{Param, Params};
use harness::target::CrawlTarget;

/// The same workloads, written once per concurrency model, measured side by side.
#[derive(Debug, Parser)]
#[command(name = "concurrency-models", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the registered models and the workloads with their parameters.
    List,
    /// Run one model on one workload once, verify the outcome, and say how it went.
    Run(RunArgs),
    /// Measure models on workloads, each run a child process; print and save reports.
    Compare(CompareArgs),
    /// Start the delay server that crawls fetch from.
    Serve(ServeArgs),
    /// Re-print and re-draw the reports of an earlier compare from its results.json
    /// (report.html too); given several, compare their runs side by side.
    Report(ReportArgs),
    /// Print two or more models' code for one workload side by side, part by part.
    Show(ShowArgs),
    /// Grade a model against the conformance suite: one line per case, a score.
    Grade(GradeArgs),
    /// Start a new model crate: every workload stubbed, registered, ready to grade.
    NewModel(NewModelArgs),
    /// The server workload's load generator, as the child process that `run` and
    /// `compare` start (internal: prints one line of JSON).
    #[command(hide = true)]
    Loadgen(LoadgenArgs),
}

/// Workload parameters; any not given take the workload's quick default.
#[derive(Debug, Args, Default)]
pub struct ParamArgs {
    /// Pages to crawl (crawl), tasks to spawn (spawn) or requests to cancel (cancel).
    #[arg(long)]
    pub n: Option<u64>,
    /// Server delay before each page is answered, in ms (crawl, server, cancel).
    #[arg(long)]
    pub delay_ms: Option<u64>,
    /// Most requests in flight at once (crawl; default: all of them).
    #[arg(long)]
    pub concurrency: Option<u64>,
    /// Limit on each whole request, in ms (crawl; server: from its intended send).
    #[arg(long)]
    pub timeout_ms: Option<u64>,
    /// Body size of each page (crawl, server).
    #[arg(long)]
    pub body_bytes: Option<u64>,
    /// Round trips (pingpong).
    #[arg(long)]
    pub rounds: Option<u64>,
    /// Tasks in the ring (ring).
    #[arg(long)]
    pub tasks: Option<u64>,
    /// Times the token is passed (ring).
    #[arg(long)]
    pub hops: Option<u64>,
    /// How long each spawned task sleeps, in ms (spawn).
    #[arg(long)]
    pub sleep_ms: Option<u64>,
    /// Work items (fanout).
    #[arg(long)]
    pub items: Option<u64>,
    /// Worker tasks (fanout).
    #[arg(long)]
    pub workers: Option<u64>,
    /// Items per job message (fanout; 1 measures the hand-over, a large batch
    /// throughput).
    #[arg(long)]
    pub batch: Option<u64>,
    /// Requests per second the load generator sends, whatever the server does
    /// (server).
    #[arg(long)]
    pub rate: Option<u64>,
    /// How long the load runs, in ms (server).
    #[arg(long)]
    pub duration_ms: Option<u64>,
    /// Connections the load generator opens first and holds (server).
    #[arg(long)]
    pub connections: Option<u64>,
    /// How long each of the ticker's sleeps asks for, in ms (fairness).
    #[arg(long)]
    pub tick_ms: Option<u64>,
    /// CPU hogs started beside the ticker (fairness).
    #[arg(long)]
    pub hogs: Option<u64>,
    /// Work per hog, in ms at the reference machine's speed (fairness).
    #[arg(long)]
    pub hog_ms: Option<u64>,
    /// Work items between two yields of a hog; 0: never yield (fairness).
    #[arg(long)]
    pub yield_every: Option<u64>,
    /// How long the requests run before they are cancelled, in ms (cancel).
    #[arg(long)]
    pub after_ms: Option<u64>,
    /// Worker threads, for the models that have them (default: the cores).
    #[arg(long)]
    pub threads: Option<u64>,
}

impl ParamArgs {
    /// The given flags as [`Params`], range-checked.
    pub fn to_params(&self) -> Result<Params, String> {
        let mut params = Params::new();
        let given = [
            (Param::N, self.n),
            (Param::DelayMs, self.delay_ms),
            (Param::Concurrency, self.concurrency),
            (Param::TimeoutMs, self.timeout_ms),
            (Param::BodyBytes, self.body_bytes),
            (Param::Rounds, self.rounds),
            (Param::Tasks, self.tasks),
            (Param::Hops, self.hops),
            (Param::SleepMs, self.sleep_ms),
            (Param::Items, self.items),
            (Param::Workers, self.workers),
            (Param::Batch, self.batch),
            (Param::Rate, self.rate),
            (Param::DurationMs, self.duration_ms),
            (Param::Connections, self.connections),
            (Param::TickMs, self.tick_ms),
            (Param::Hogs, self.hogs),
            (Param::HogMs, self.hog_ms),
            (Param::YieldEvery, self.yield_every),
            (Param::AfterMs, self.after_ms),
            (Param::Threads, self.threads),
        ];
        for (param, value) in given {
            if let Some(v) = value {
                params.set(param, v)?;
            }
        }
        Ok(params)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The model to run (see `list`).
    #[arg(long)]
    pub model: String,
    /// The workload: crawl, pingpong, ring, spawn, fanout, server, fairness or cancel.
    #[arg(long)]
    pub workload: String,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// A delay server already running, by address (crawl): the same as `--target
    /// http://ADDR`, and what `compare` passes its children.
    #[arg(long, conflicts_with_all = ["target", "urls"])]
    pub server: Option<SocketAddr>,
    /// Print one JSON object instead of a sentence (what `compare` reads).
    #[arg(long)]
    pub json: bool,
}

/// Where a crawl fetches from, when not from a delay server of this run's own.
#[derive(Debug, Args, Default)]
pub struct TargetArgs {
    /// A server that speaks the delay server's page protocol, such as another
    /// machine's `serve`: `http://host:port[/prefix]` (crawl). Bodies are checked
    /// by digest, as against our own.
    #[arg(long, value_name = "URL", conflicts_with = "urls")]
    pub target: Option<String>,
    /// A file of `http://` URLs on any HTTP/1.x server, one a line, all on one
    /// host:port; blank lines and `#` comments are skipped (crawl). Each URL is
    /// fetched once; bodies are verified by status and length, not by digest.
    #[arg(long, value_name = "FILE")]
    pub urls: Option<PathBuf>,
}

impl TargetArgs {
    /// The target the flags name, parsed, its host resolved and its file read;
    /// `None` where neither flag is given.
    pub fn to_target(&self) -> Result<Option<CrawlTarget>, String> {
        match (&self.target, &self.urls) {
            (Some(url), _) => CrawlTarget::pages(url).map(Some),
            (None, Some(file)) => CrawlTarget::urls(file.clone()).map(Some),
            (None, None) => Ok(None),
        }
    }
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// One workload (default: all five).
    #[arg(long)]
    pub workload: Option<String>,
    /// Comma-separated models (default: every registered model).
    #[arg(long, value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    #[command(flatten)]
    pub params: ParamArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Measured runs of each cell under a second; longer cells get as many as
    /// `--budget-s` allows, at least `--min-runs`. Medians are taken over them.
    #[arg(long, default_value_t = 10)]
    pub runs: u32,
    /// The fewest measured runs of any cell.
    #[arg(long, default_value_t = 3)]
    pub min_runs: u32,
    /// Seconds of measured runs a cell over a second may take.
    #[arg(long, default_value_t = 5.0)]
    pub budget_s: f64,
    /// Warm-up runs of each cell, discarded (they warm the page cache, the
    /// allocator's and the kernel's caches).
    #[arg(long, default_value_t = 1)]
    pub warmup: u32,
    /// Seed for the order of cells in each round and for the bootstrap; default:
    /// from the clock. Recorded in the results.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Sweep one parameter over sizes, e.g. `n=1000,10000,100000`.
    #[arg(long)]
    pub sweep: Option<String>,
    /// Also write the rows (results.json format) to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Where the `<stamp>/` folder of reports goes.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Kill a cell that runs longer than this many seconds.
    #[arg(long, default_value_t = 300)]
    pub cell_timeout_s: u64,
}

#[derive(Debug, Args)]
pub struct LoadgenArgs {
    /// The load, as `harness::load::LoadConfig` in JSON.
    #[arg(long)]
    pub config: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 5000)]
    pub port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Delay for pages whose path does not give `delay_ms`.
    #[arg(long, default_value_t = 1000)]
    pub delay_ms: u64,
    /// Body size for pages whose path does not give `bytes`.
    #[arg(long, default_value_t = 1024)]
    pub body_bytes: usize,
    /// Runtime worker threads (default: half the cores, at least one).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Log every request to stderr.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A results.json, or the folder that holds one. Two or more: lay their runs
    /// side by side (machines, commits, dates) in one new report.
    #[arg(required = true, num_args = 1..)]
    pub paths: Vec<PathBuf>,
    /// With two or more paths: the folder for the combined report.html (default:
    /// `multi-<stamp>/` beside the first path).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The workload: crawl, pingpong, ring, spawn, fanout, server, fairness or cancel.
    pub workload: String,
    /// Comma-separated models, one column each (default: tokio,may).
    #[arg(long, value_delimiter = ',')]
    pub models: Option<Vec<String>>,
    /// Total width in characters (default: the terminal's, or 120).
    #[arg(long)]
    pub width: Option<usize>,
    /// Leave out comment lines.
    #[arg(long)]
    pub no_comments: bool,
    /// Include each file's preamble: its module docs and `use` lines.
    #[arg(long)]
    pub full: bool,
}

#[derive(Debug, Args)]
pub struct GradeArgs {
    /// A registered model (see `list`), or a crate folder: each model whose sources
    /// are in it is graded in turn, each in a process of its own.
    #[arg(value_name = "MODEL|CRATE_DIR")]
    pub target: String,
    /// 0 for the reference cases; any other seed draws their sizes, the fault mix
    /// and the order of the paths.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object per model instead of lines (for a course's scripts).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NewModelArgs {
    /// The model's name, which is also its crate folder: lowercase letters, digits
    /// and '-', starting with a letter.
    pub name: String,
    /// The model's family: baseline, callbacks, stackless, stackful, csp or actors.
    #[arg(long)]
    pub family: String,
    /// The workspace root to write into (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}
