//! A results folder: `results.json`, `results.csv`, `report.md` and the charts,
//! written together; and `results.json` read back for `report`.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::{Row, bar_chart, csv, describe, groups, markdown, sweep_chart};
use crate::spec::Workload;

/// Writes results.json, results.csv, one SVG per group (or per sweep) and report.md
/// into `dir`; returns the files written.
pub fn write_all(dir: &Path, rows: &[Row], command: &str) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    let json = dir.join("results.json");
    fs::write(
        &json,
        serde_json::to_string_pretty(rows).map_err(io::Error::other)?,
    )?;
    written.push(json);
    let csv_path = dir.join("results.csv");
    fs::write(&csv_path, csv(rows))?;
    written.push(csv_path);
    let mut charts = Vec::new();
    // A sweep is one chart per workload with every size on it.
    let mut swept: Vec<(Workload, String)> = Vec::new();
    for r in rows {
        if let Some(p) = &r.sweep {
            if !swept.contains(&(r.workload, p.clone())) {
                swept.push((r.workload, p.clone()));
            }
        }
    }
    for (workload, param) in &swept {
        let these: Vec<&Row> = rows
            .iter()
            .filter(|r| r.workload == *workload && r.sweep.as_deref() == Some(param))
            .collect();
        let path = dir.join(format!("{workload}-sweep-{param}.svg"));
        sweep_chart(
            &path,
            &format!("{workload}: cost against {param}"),
            param,
            &these,
        )?;
        for r in &these {
            if !charts.iter().any(|(g, _)| g == &r.group) {
                charts.push((r.group.clone(), path.clone()));
            }
        }
        written.push(path);
    }
    for (name, group) in groups(rows) {
        if group[0].sweep.is_some() {
            continue;
        }
        let file: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = dir.join(format!("{file}.svg"));
        bar_chart(&path, &describe(&group), &group)?;
        charts.push((name.to_owned(), path.clone()));
        written.push(path);
    }
    let md = dir.join("report.md");
    fs::write(&md, markdown(rows, command, &charts))?;
    written.push(md);
    Ok(written)
}

/// Reads rows back from a results.json (or the directory holding one).
pub fn load(path: &Path) -> io::Result<Vec<Row>> {
    let file = if path.is_dir() {
        path.join("results.json")
    } else {
        path.to_owned()
    };
    let text = fs::read_to_string(&file)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", file.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not a results.json: {e}", file.display()),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::Sample;
    use crate::report::{Machine, RowInput, fmt_bytes, fmt_ns, rank, terminal_tables};
    use std::collections::BTreeMap;

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
                "report.md"
            ]
        );
        assert_eq!(load(&dir).unwrap(), rows);
        let csv = fs::read_to_string(dir.join("results.csv")).unwrap();
        assert_eq!(csv.lines().count(), 4);
        assert!(
            csv.contains("\"verification failed: 1 of 2, \"\"x\"\"\""),
            "{csv}"
        );
        let svg = fs::read_to_string(dir.join("spawn-sweep-n.svg")).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains("\na\n"),
            "legend names the model"
        );
        let md = fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("| a | 30.7 KiB | "), "{md}");
        assert!(md.contains("![spawn n=100](spawn-sweep-n.svg)"), "{md}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bar_charts_name_each_model() {
        let dir = std::env::temp_dir().join(format!("cm-bars-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut rows = vec![
            row("fast", &[1_000_000], None, "g", 10),
            row("slow", &[4_000_000], None, "g", 10),
        ];
        rows.iter_mut().for_each(|r| r.sweep = None);
        rank(&mut rows, 1);
        let refs: Vec<&Row> = rows.iter().collect();
        let path = dir.join("g.svg");
        bar_chart(&path, "title", &refs).unwrap();
        let svg = fs::read_to_string(&path).unwrap();
        // plotters writes each label as a text element on a line of its own.
        assert!(
            svg.contains("\nfast\n") && svg.contains("\nslow\n"),
            "{svg}"
        );
        rows[1].error = Some(format!("unsupported: {}", "x".repeat(100)));
        rows[1].verified = false;
        rank(&mut rows, 1);
        let table = terminal_tables(&rows);
        assert!(table.contains("1.00×"), "{table}");
        // The long reason is cut in the table and printed whole below it.
        assert!(table.contains("xxx…"), "{table}");
        assert!(table.contains(&format!("  slow: unsupported: {}", "x".repeat(100))));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn units() {
        assert_eq!(fmt_ns(999.0), "999 ns");
        assert_eq!(fmt_ns(1_500.0), "1.5 µs");
        assert_eq!(fmt_ns(2_500_000.0), "2.50 ms");
        assert_eq!(fmt_bytes(8.7 * 1024.0), "8.7 KiB");
    }
}
