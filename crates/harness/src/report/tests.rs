//! The report's tests: rows, ranking, every file of a results folder, the flags.

use std::collections::BTreeMap;
use std::fs;

use super::*;
use crate::measure::Sample;
use crate::report::html::HTML_FILE;

fn machine() -> Machine {
    Machine::detect("rustc test", "debug")
}

fn row(model: &str, walls: &[u64], error: Option<&str>, group: &str, n: u64) -> Row {
    let runs = walls
        .iter()
        .map(|&w| Sample {
            wall_ns: w,
            user_ns: w / 2,
            sys_ns: w / 4,
            peak_rss_bytes: 4 << 20,
            vm_hwm_bytes: None,
            base_rss_bytes: Some(1 << 20),
            // A fixed 1 ms start-up: the measured phase is the rest.
            work_ns: w.saturating_sub(1_000_000).max(1),
            work_cpu_ns: w / 2,
            cgroup_base_bytes: Some(2 << 20),
            cgroup_peak: Some(crate::cgroup::CgroupPeak {
                total_bytes: 6 << 20,
                kernel_bytes: None,
                tcp_bytes: None,
            }),
            os_threads: Some(3),
            server_cpu_ns: None,
            machine_idle: None,
            // The measured phase's CPU: two thirds user, one third kernel.
            work_user_ns: Some(w / 3),
            work_sys_ns: Some(w / 6),
            others_share: Some(0.02),
            headline_ns: None,
            extra: None,
        })
        .collect();
    // Groups named "spawn ..." are spawn rows; the rest are pingpong rows.
    let (workload, params) = if group.starts_with("spawn") {
        let p = BTreeMap::from([("n".to_owned(), n), ("sleep_ms".to_owned(), 10)]);
        (Workload::Spawn, p)
    } else {
        (
            Workload::PingPong,
            BTreeMap::from([("rounds".to_owned(), n)]),
        )
    };
    Row::new(RowInput {
        workload,
        group: group.into(),
        model: model.into(),
        family: "Baseline".into(),
        primitive: "std::thread::sleep".into(),
        params,
        sweep: Some("n".into()),
        runs,
        unranked: None,
        error: error.map(str::to_owned),
        machine: machine(),
        server_threads: None,
    })
}

#[test]
fn ratios_rank_by_the_marginal_cost_and_skip_failures() {
    let ms = 1_000_000;
    let mut rows = vec![
        // Wall 3-5 ms with a 1 ms start-up: the cost is (wall - 1 ms) / 100.
        row("a", &[5 * ms, 3 * ms, 4 * ms], None, "g1", 100),
        row("b", &[7 * ms, 7 * ms, 7 * ms], None, "g1", 100),
        row("c", &[ms, ms, ms], Some("unsupported: no"), "g1", 100),
        row("a", &[5 * ms], None, "g2", 1000),
    ];
    rank(&mut rows, 1);
    assert_eq!(rows[0].median_wall_ns, Some(4 * ms));
    assert_eq!(rows[0].median_startup_ns, Some(ms));
    assert_eq!(rows[0].headline, Some(30_000.0));
    assert_eq!(rows[0].ratio_to_best, Some(1.0));
    assert_eq!(rows[1].ratio_to_best, Some(2.0));
    assert!(!rows[1].tie, "b is slower in every run");
    assert_eq!(rows[2].ratio_to_best, None);
    assert!(!rows[2].verified);
    assert_eq!(rows[3].ratio_to_best, Some(1.0));
    assert_eq!(rows[0].os_threads, Some(3));
    assert_eq!(rows[1].tie_with, None, "b is slower than a in every run");
}

#[test]
fn neighbours_that_cannot_be_told_apart_are_ties() {
    let ms = 1_000_000;
    let mut rows = vec![
        row(
            "a",
            &[3 * ms, 4 * ms, 5 * ms, 3 * ms, 4 * ms],
            None,
            "g",
            100,
        ),
        row(
            "b",
            &[4 * ms, 3 * ms, 5 * ms, 4 * ms, 3 * ms],
            None,
            "g",
            100,
        ),
        row(
            "c",
            &[9 * ms, 9 * ms, 9 * ms, 9 * ms, 9 * ms],
            None,
            "g",
            100,
        ),
    ];
    rank(&mut rows, 3);
    // a and b overlap run for run; c is slower than both every time.
    let tied: Vec<_> = rows.iter().map(|r| r.tie_with.as_deref()).collect();
    assert!(tied[0] == Some("b") || tied[1] == Some("a"), "{tied:?}");
    assert_eq!(tied[2], None);
    let table = terminal_tables(&rows);
    assert!(table.contains("ties (the interval"), "{table}");
}

#[test]
fn spawn_memory_counts_from_the_probes_begin() {
    let rows = [row("a", &[3_000_000], None, "spawn n=100", 100)];
    // VmHWM unknown, so ru_maxrss (4 MiB) less the RSS at begin (1 MiB).
    assert_eq!(rows[0].headline, Some((3u64 << 20) as f64 / 100.0));
    // The cgroup: 6 MiB peak less 2 MiB at begin.
    assert_eq!(
        rows[0].cgroup_bytes_per_task,
        Some((4u64 << 20) as f64 / 100.0)
    );
}

#[test]
fn readings_a_system_lacks_say_not_measured() {
    // A system without the RSS at begin, thread counts or cgroups (macOS has
    // no cgroups; other systems lack the rest): no figure may become a 0.
    let mut r = row("a", &[3_000_000], None, "spawn n=100", 100);
    for s in &mut r.runs {
        s.base_rss_bytes = None;
        s.os_threads = None;
        s.cgroup_base_bytes = None;
        s.cgroup_peak = None;
    }
    let r = Row::new(RowInput {
        workload: r.workload,
        group: r.group,
        model: r.model,
        family: r.family,
        primitive: r.primitive,
        params: r.params,
        sweep: r.sweep,
        runs: r.runs,
        unranked: None,
        error: None,
        machine: r.machine,
        server_threads: None,
    });
    assert!(r.verified);
    assert_eq!(r.headline, None, "RSS per task needs the RSS at begin");
    assert_eq!((r.os_threads, r.cgroup_bytes_per_task), (None, None));
    let table = terminal_tables(std::slice::from_ref(&r));
    let line = table.lines().find(|l| l.contains(" a ")).unwrap();
    assert_eq!(line.matches("not measured").count(), 3, "{table}");
    assert!(!line.contains(" 0 B"), "{table}");
}

#[test]
fn everything_is_written_and_reads_back() {
    let dir = std::env::temp_dir().join(format!("cm-report-{}", std::process::id()));
    let mut rows = vec![
        row("a", &[3_000_000, 1_000_000], None, "spawn n=100", 100),
        row(
            "b",
            &[9_000_000],
            Some("verification failed: 1 of 2, \"x\""),
            "spawn n=100",
            100,
        ),
        row("a", &[5_000_000], None, "spawn n=1000", 1000),
    ];
    rank(&mut rows, 1);
    let files = write_all(&dir, &rows, "compare --sweep n=100,1000").unwrap();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "results.json",
            "results.csv",
            "spawn-sweep-n.svg",
            "spawn-sweep-n-cgroup.svg",
            "spawn-sweep-n-wall.svg",
            "report.md",
            HTML_FILE,
        ]
    );
    assert_eq!(load(&dir).unwrap(), rows);
    let csv = fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let first: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let col = |name: &str| first[header.iter().position(|h| *h == name).unwrap()];
    // Runs of 3 and 1 ms: user w/2, kernel w/4, medians of the two.
    assert_eq!(col("median_user_ns"), "1000000");
    assert_eq!(col("median_sys_ns"), "500000");
    assert!(
        csv.contains("\"verification failed: 1 of 2, \"\"x\"\"\""),
        "{csv}"
    );
    let svg = fs::read_to_string(dir.join("spawn-sweep-n.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("\na\n"),
        "legend names the model"
    );
    let html = fs::read_to_string(dir.join(HTML_FILE)).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
    // Self-contained: nothing to fetch (the SVGs' xmlns is a name, not a fetch).
    assert!(!html.contains("href=\"http") && !html.contains("src=") && !html.contains("<script"));
    // The sweep's three charts inline, the table of each size, the legend.
    assert_eq!(html.matches("<svg").count(), 3, "{html}");
    assert_eq!(html.matches("<table class=\"results\">").count(), 2);
    assert!(html.contains("data-model=\"a\" data-colour=\"#"));
    let md = fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| a | 30.7 KiB | "), "{md}");
    assert!(md.contains("![spawn n=100](spawn-sweep-n.svg)"), "{md}");
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bar_charts_name_each_model() {
    let mut rows = vec![
        row("fast", &[1_000_000], None, "g", 10),
        row("slow", &[4_000_000], None, "g", 10),
    ];
    rows.iter_mut().for_each(|r| r.sweep = None);
    rank(&mut rows, 1);
    let refs: Vec<&Row> = rows.iter().collect();
    let palette = charts::Palette::new(refs.iter().map(|r| (r.model.as_str(), r.family.as_str())));
    let figs = figures::group_figures("g", &refs, &palette).unwrap();
    let files: Vec<&str> = figs.iter().map(|f| f.file.as_str()).collect();
    assert_eq!(files, ["g.svg", "g-wall.svg"]);
    for f in &figs {
        // plotters writes each label as a text element on a line of its own.
        assert!(
            f.svg.contains("\nfast\n") && f.svg.contains("\nslow\n"),
            "{}",
            f.svg
        );
        assert!(
            f.caption.to_lowercase().contains("whisker"),
            "{}",
            f.caption
        );
    }
    rows[1].error = Some(format!("unsupported: {}", "x".repeat(100)));
    rows[1].verified = false;
    rank(&mut rows, 1);
    let table = terminal_tables(&rows);
    assert!(table.contains("1.00×"), "{table}");
    // The long reason is cut in the table and printed whole below it.
    assert!(table.contains("xxx…"), "{table}");
    assert!(table.contains(&format!("  slow: unsupported: {}", "x".repeat(100))));
}

/// A row whose runs saw other processes take `share` of the machine.
fn busy_row(model: &str, shares: &[f64]) -> Row {
    let mut r = row(model, &vec![3_000_000; shares.len()], None, "pingpong", 100);
    r.sweep = None;
    for (s, share) in r.runs.iter_mut().zip(shares) {
        s.others_share = Some(*share);
    }
    rebuild(r)
}

fn rebuild(r: Row) -> Row {
    Row::new(RowInput {
        workload: r.workload,
        group: r.group,
        model: r.model,
        family: r.family,
        primitive: r.primitive,
        params: r.params,
        sweep: r.sweep,
        runs: r.runs,
        unranked: None,
        error: r.error,
        machine: r.machine,
        server_threads: None,
    })
}

#[test]
fn a_busy_machine_flags_the_row_everywhere() {
    // The median decides: one noisy run does not flag a row, most runs do.
    let quiet = busy_row("quiet", &[0.02, 0.9, 0.03]);
    let busy = busy_row("busy", &[0.6, 0.1, 0.7]);
    let edge = busy_row("edge", &[BUSY_OTHERS, BUSY_OTHERS, BUSY_OTHERS]);
    assert_eq!(quiet.busy, None);
    assert_eq!(edge.busy, None, "the bound itself is not busy");
    assert_eq!(
        busy.busy.as_deref(),
        Some("busy machine: others used 60 % of the CPU")
    );
    let mut rows = vec![quiet, busy, edge];
    rank(&mut rows, 1);
    let table = terminal_tables(&rows);
    let line = |t: &str, m: &str| {
        t.lines()
            .find(|l| l.contains(&format!(" {m} ")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        line(&table, "busy").contains(&format!(" {FLAG_MARK} ")),
        "{table}"
    );
    assert!(!line(&table, "quiet").contains(FLAG_MARK), "{table}");
    assert!(
        table.contains("busy: busy machine: others used 60 % of the CPU"),
        "{table}"
    );
    let md = markdown(&rows, "compare", &[]);
    let md_line = md
        .lines()
        .find(|l| l.starts_with("| busy |"))
        .unwrap_or_default();
    assert!(md_line.contains(&format!(" {FLAG_MARK} |")), "{md}");
    assert!(
        md.contains("busy machine: others used 60 % of the CPU"),
        "{md}"
    );
    let figures = files::all_figures(&rows).unwrap();
    let html = html::page(&rows, "compare", &figures);
    assert!(
        html.contains("<tr data-model=\"busy\" class=\"flagged\">"),
        "{html}"
    );
    assert!(html.contains("<tr data-model=\"quiet\">"));
    assert!(html.contains("class=\"banner busy\""));
    // The chart labels the flagged bar too.
    assert!(html.contains(&format!("\nbusy {FLAG_MARK}\n")), "{html}");
}

#[test]
fn cpu_is_split_into_user_and_kernel() {
    let r = row(
        "a",
        &[3_000_000, 6_000_000, 9_000_000],
        None,
        "pingpong",
        100,
    );
    assert_eq!(
        (r.median_user_ns, r.median_sys_ns),
        (Some(3_000_000), Some(1_500_000))
    );
    let table = terminal_tables(std::slice::from_ref(&r));
    assert!(
        table.contains("CPU user") && table.contains("CPU kernel"),
        "{table}"
    );
    assert!(
        table.contains("3.00 ms") && table.contains("1.50 ms"),
        "{table}"
    );
    // Crawl shows the measured phase's split per request: 2 ms / 50 and 1 ms / 50.
    let mut c = r.clone();
    c.workload = Workload::Crawl;
    c.params = BTreeMap::from([("n".to_owned(), 50)]);
    let c = rebuild(c);
    assert_eq!(c.median_work_user_ns, Some(2_000_000));
    let table = terminal_tables(std::slice::from_ref(&c));
    assert!(
        table.contains("user/request") && table.contains("kernel/request"),
        "{table}"
    );
    assert!(
        table.contains("40.0 µs") && table.contains("20.0 µs"),
        "{table}"
    );
}

#[test]
fn units() {
    assert_eq!(fmt_ns(999.0), "999 ns");
    assert_eq!(fmt_ns(1_500.0), "1.5 µs");
    assert_eq!(fmt_ns(2_500_000.0), "2.50 ms");
    assert_eq!(fmt_bytes(8.7 * 1024.0), "8.7 KiB");
}
