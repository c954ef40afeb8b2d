//! The command-line contract, end to end: what users, docs and `compare` rely on.
//! Sizes are tiny; nothing here depends on how fast the machine is.

mod common;

use std::net::TcpListener;
use std::process::Command;

use common::{assert_usage_error, bin, results_folder, rows, run, stderr, temp_path};

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    assert_usage_error(
        &["run", "--model", "nosuch", "--workload", "crawl"],
        "unknown model 'nosuch'; known models: sequential, threads",
    );
    assert_usage_error(
        &["run", "--model", "threads", "--workload", "crawwl"],
        "unknown workload 'crawwl'",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "crawl",
            "--rounds",
            "5",
        ],
        "--rounds does not apply to workload crawl",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "spawn",
            "--n",
            "0",
        ],
        "--n must be between 1",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "ring",
            "--hops",
            "ten",
        ],
        "invalid value 'ten'",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "sequential",
            "--workload",
            "ring",
            "--threads",
            "2",
        ],
        "model sequential has no worker threads",
    );
    assert_usage_error(&["run", "--model", "threads"], "--workload");
    assert_usage_error(
        &["compare", "--workload", "ring", "--sweep", "n=1,2"],
        "--sweep n: the chosen workload does not take --n",
    );
    assert_usage_error(
        &["compare", "--runs", "0"],
        "--runs must be between 1 and 1000",
    );
    assert_usage_error(&["serve", "--body-bytes", "99999999999"], "bytes");
    assert_usage_error(
        &["compare", "--budget-s", "0"],
        "--budget-s must be a positive number of seconds",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "fanout",
            "--batch",
            "0",
        ],
        "--batch must be between 1 and",
    );
    assert_usage_error(
        &[
            "run",
            "--model",
            "threads",
            "--workload",
            "crawl",
            "--n",
            "10000000",
        ],
        "open files",
    );
    assert_usage_error(
        &["report", "/nonexistent/results.json"],
        "/nonexistent/results.json",
    );
}

#[test]
fn grade_and_new_model_refuse_bad_input_in_one_line() {
    assert_usage_error(
        &["grade", "nosuch"],
        "unknown model 'nosuch'; known models: ",
    );
    assert_usage_error(
        &["grade", "crates/harness"],
        "crates/harness holds no registered model: register it in src/lib.rs",
    );
    assert_usage_error(
        &["grade", "src"],
        "src is neither a registered model nor a crate folder",
    );
    assert_usage_error(&["grade", "tokio", "--seed", "x"], "invalid value 'x'");
    // Each refused before anything is written: this is the real workspace.
    assert_usage_error(
        &["new-model", "Mpsc", "--family", "csp"],
        "model name 'Mpsc' is not lowercase ascii letters",
    );
    assert_usage_error(
        &["new-model", "tokio", "--family", "csp"],
        "there is already a model called 'tokio'",
    );
    assert_usage_error(
        &["new-model", "baseline", "--family", "csp"],
        "crates/baseline already exists",
    );
    assert_usage_error(
        &["new-model", "mpsc", "--family", "goroutines"],
        "unknown family 'goroutines'; families: baseline, callbacks",
    );
    assert_usage_error(
        &[
            "new-model",
            "mpsc",
            "--family",
            "csp",
            "--root",
            "/nonexistent",
        ],
        "--root /nonexistent is not the concurrency-models workspace root",
    );
    assert_usage_error(&["new-model", "mpsc"], "--family");
    // Anywhere but the workspace root, without --root: said in one line.
    let elsewhere = bin()
        .args(["new-model", "mpsc", "--family", "csp"])
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run the CLI");
    let err = stderr(&elsewhere);
    assert_eq!(elsewhere.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("new-model must run from the workspace root"),
        "{err}"
    );
}

#[test]
fn grade_scores_each_model_of_a_crate_folder() {
    let out = run(&["grade", "crates/stackless", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let reports: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object a line"))
        .collect();
    let models: Vec<_> = reports.iter().map(|r| r["model"].clone()).collect();
    assert_eq!(models, ["tokio", "tokio-current"]);
    let cases = harness::conformance::plan(&Default::default()).len();
    for r in &reports {
        assert_eq!(
            (&r["passed"], &r["total"], &r["seed"]),
            (&cases.into(), &cases.into(), &0.into())
        );
        for case in r["cases"].as_array().expect("cases") {
            assert!(case["passed"].as_bool().expect("passed"), "{case}");
            assert!(
                !case["expected"].as_str().expect("expected").is_empty(),
                "{case}"
            );
        }
    }
}

#[test]
fn a_port_in_use_is_a_usage_error() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    assert_usage_error(
        &["serve", "--port", &port],
        &format!("port {port} is in use"),
    );
}

#[test]
fn list_names_every_model_and_workload() {
    let out = run(&["list"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for name in concurrency_models::names() {
        assert!(text.contains(name), "{name} missing from list");
    }
    for w in ["crawl", "pingpong", "ring", "spawn", "fanout"] {
        assert!(text.contains(w), "{w} missing from list");
    }
}

#[test]
fn run_verifies_and_reports_json() {
    let out = run(&[
        "run",
        "--model",
        "threads",
        "--workload",
        "ring",
        "--tasks",
        "7",
        "--hops",
        "100",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], true);
    assert_eq!(v["params"]["tasks"], 7);
    // 100 hops in a ring of 7 end at task 100 % 7 + 1 = 3.
    assert_eq!(v["summary"], "task 3 holds the token");
}

#[test]
fn run_crawl_starts_its_own_server() {
    let out = run(&[
        "run",
        "--model",
        "threads",
        "--workload",
        "crawl",
        "--n",
        "5",
        "--delay-ms",
        "10",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("threads crawl: verified (5 of 5 pages)"),
        "{text}"
    );
}

#[test]
fn unsupported_is_said_not_faked() {
    let out = run(&[
        "run",
        "--model",
        "sequential",
        "--workload",
        "spawn",
        "--n",
        "100000",
        "--sleep-ms",
        "100",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert!(
        v["error"].as_str().unwrap().starts_with("unsupported: "),
        "{v}"
    );
}

#[test]
fn fanout_batches_are_the_protocol() {
    // One job message per item with --batch 1, ceil(items / batch) otherwise, and
    // one result message per worker either way.
    for (batch, jobs) in [("1", 100), ("32", 4)] {
        let out = run(&[
            "run",
            "--model",
            "threads",
            "--workload",
            "fanout",
            "--items",
            "100",
            "--workers",
            "2",
            "--batch",
            batch,
        ]);
        assert!(out.status.success(), "{}", stderr(&out));
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            said.contains(&format!("{jobs} job and 2 result messages")),
            "{said}"
        );
    }
}

#[test]
fn compare_writes_verified_rows_and_every_report() {
    let dir = temp_path("compare");
    let json = dir.with_extension("json");
    let out = run(&[
        "compare",
        "--workload",
        "crawl",
        "--models",
        "sequential,threads",
        "--n",
        "4",
        "--delay-ms",
        "20",
        "--runs",
        "2",
        "--seed",
        "7",
        "--out",
        dir.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("ideal 20 ms"), "{table}");
    let rows = rows(&json);
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["verified"], true, "{row}");
        assert_eq!(row["runs"].as_array().unwrap().len(), 2);
        for key in ["wall_ns", "user_ns", "sys_ns", "peak_rss_bytes", "work_ns"] {
            assert!(row["runs"][0][key].as_u64().is_some(), "{key} missing");
        }
        assert!(row["median_wall_ns"].as_u64().unwrap() > 0);
        // The measured phase sits inside the wall time; the rest is start-up.
        let (wall, work, startup) = (
            row["median_wall_ns"].as_u64().unwrap(),
            row["median_work_ns"].as_u64().unwrap(),
            row["median_startup_ns"].as_u64().unwrap(),
        );
        assert!(work > 0 && work < wall && startup > 0, "{row}");
        assert!(!row["primitive"].as_str().unwrap().is_empty(), "{row}");
        assert!(row["os_threads"].as_u64().unwrap() >= 1, "{row}");
        // The fingerprint says what the run depended on.
        let context = &row["machine"]["context"];
        assert_eq!(context["seed"], "7", "{context}");
        for key in [
            "commit",
            "tree dirty",
            "load before",
            "delay server threads",
        ] {
            assert!(context[key].is_string(), "{key} missing: {context}");
        }
        assert!(
            row["machine"]["rustc"]
                .as_str()
                .unwrap()
                .starts_with("rustc")
        );
    }
    // Sequential waits out every page in turn; threads waits about once.
    let median = |i: usize| rows[i]["median_wall_ns"].as_u64().unwrap();
    assert!(
        median(0) >= 4 * 20_000_000,
        "sequential cannot beat 4 delays"
    );
    let stamp = results_folder(&dir);
    for file in ["results.json", "results.csv", "report.md", "crawl.svg"] {
        assert!(stamp.join(file).is_file(), "{file} missing");
    }
    // `report` re-renders from results.json.
    let again = run(&["report", stamp.to_str().unwrap()]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("sequential"));
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&json).unwrap();
}

#[test]
fn compare_sweeps_draw_one_chart() {
    let dir = temp_path("sweep");
    let out = run(&[
        "compare",
        "--workload",
        "spawn",
        "--models",
        "threads",
        "--sweep",
        "n=2,8",
        "--sleep-ms",
        "50",
        "--runs",
        "1",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let stamp = results_folder(&dir);
    assert!(stamp.join("spawn-sweep-n.svg").is_file());
    let rows = rows(&stamp.join("results.json"));
    let groups: Vec<&str> = rows.iter().map(|r| r["group"].as_str().unwrap()).collect();
    assert_eq!(groups, ["spawn n=2", "spawn n=8"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn killing_compare_leaves_no_child_behind() {
    let dir = temp_path("killed");
    let mut compare = bin()
        .args([
            "compare",
            "--workload",
            "spawn",
            "--models",
            "threads",
            "--n",
            "2",
            "--sleep-ms",
            "60000",
            "--runs",
            "1",
            "--out",
            dir.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let parent = compare.id().to_string();
    // Wait for the cell's child process to appear, then kill compare alone.
    let child_pid = (0..200)
        .find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(25));
            let out = Command::new("pgrep").args(["-P", &parent]).output().ok()?;
            let pid = String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()?
                .trim()
                .to_owned();
            (!pid.is_empty()).then_some(pid)
        })
        .expect("compare started its cell");
    compare.kill().unwrap();
    compare.wait().unwrap();
    // Gone, or a zombie waiting for init to reap it: `ps` prints nothing, or a
    // state that starts with Z (on Linux and macOS alike).
    let gone = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(25));
        Command::new("ps")
            .args(["-o", "stat=", "-p", &child_pid])
            .output()
            .is_ok_and(|o| {
                let state = String::from_utf8_lossy(&o.stdout);
                state.trim().is_empty() || state.trim_start().starts_with('Z')
            })
    });
    assert!(gone, "the cell {child_pid} outlived its compare");
    // The killed compare could not remove its run's memory cgroup; the next compare
    // does. (Linux with cgroup v1 only: elsewhere the folder is not there and
    // nothing is left.)
    let cgroups = std::path::Path::new("/sys/fs/cgroup/memory");
    let left = || {
        std::fs::read_dir(cgroups).map_or(0, |d| {
            d.flatten()
                .filter(|e| {
                    e.file_name()
                        .to_string_lossy()
                        .starts_with(&format!("cm-{parent}-"))
                })
                .count()
        })
    };
    if left() > 0 {
        let next = run(&[
            "compare",
            "--workload",
            "ring",
            "--models",
            "sequential",
            "--hops",
            "1",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(next.status.success(), "{}", stderr(&next));
        assert_eq!(left(), 0, "the killed compare's cgroup is still there");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
