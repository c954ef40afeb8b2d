//! `report.html` opened in a real browser: headless Chromium loads the page made by
//! `report` from a tiny `compare`, and the test fails on any console message (the
//! page has no script, so any is an error: a parse error, a blocked load), on a
//! missing part (a workload's section, the legend, a chart), or on a model whose
//! colour differs between charts. It saves a screenshot under `target/`.
//!
//! Without a browser (none on PATH, no `CM_BROWSER`), it says so in one line and
//! passes: `.ci/run` installs Debian's `chromium` first, so CI always runs it.

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{bin, results_folder, run, stderr, stdout, temp_path};

/// The browser, or `None` after saying in one line that the test is skipped.
/// The line goes to stderr itself, not through `println!`, which the test
/// harness would swallow for a passing test.
fn browser_or_skip() -> Option<PathBuf> {
    // Said once for the whole file, however many of its tests skip.
    static SAID: std::sync::Once = std::sync::Once::new();
    let found = browser();
    if found.is_none() {
        SAID.call_once(|| {
            let _ = writeln!(
                std::io::stderr(),
                "report_html: skipped, no browser: install chromium (apt-get install chromium) or set CM_BROWSER"
            );
        });
    }
    found
}

/// The browser to use: `CM_BROWSER`, else the first Chromium on PATH.
fn browser() -> Option<PathBuf> {
    if let Some(b) = std::env::var_os("CM_BROWSER") {
        return Some(PathBuf::from(b));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
    .find(|p| p.is_file())
}

/// Runs the browser headless on `page` with `args`; returns stdout and stderr.
/// Killed after two minutes: a hung browser must fail the test, not stall CI.
fn open(browser: &Path, page: &Path, profile: &Path, args: &[&str]) -> (String, String) {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--disable-gpu",
            "--no-sandbox",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the browser");
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut out, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut err, &mut s).ok();
        s
    });
    let start = Instant::now();
    while child.try_wait().expect("wait for the browser").is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().ok();
            panic!("the browser did not finish within two minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    (out.join().unwrap(), err.join().unwrap())
}

/// Lines of the browser's log that are about the page: Chromium logs every
/// console message (`console.error` and uncaught exceptions alike) as
/// `INFO:CONSOLE`, and a failed load of the page or its parts as `ERROR:` with
/// the page's file in it. Its own chatter (no D-Bus in a container) is not.
fn page_errors(log: &str, page: &Path) -> Vec<String> {
    let file = page.display().to_string();
    log.lines()
        .filter(|l| {
            l.contains(":CONSOLE")
                || l.contains("Uncaught")
                || (l.contains("ERROR:") && l.contains(&file))
        })
        .map(str::to_owned)
        .collect()
}

/// An element's attributes, from the text after its name up to `>`.
fn attrs(tag: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let after = &rest[eq + 2..];
        let Some(end) = after.find('"') else { break };
        out.insert(name.to_owned(), after[..end].to_owned());
        rest = &after[end + 1..];
    }
    out
}

fn num(a: &BTreeMap<String, String>, k: &str) -> f64 {
    a.get(k).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// In one chart: for each text that names a model, the fill of the rectangle
/// beside it (the nearest one whose height spans the text's baseline: its bar, or
/// its legend swatch).
fn colours_in_chart(svg: &str, models: &[&str]) -> Vec<(String, String)> {
    let mut rects = Vec::new();
    for part in svg.split("<rect").skip(1) {
        let a = attrs(&part[..part.find('>').unwrap_or(part.len())]);
        let fill = a.get("fill").cloned().unwrap_or_default().to_uppercase();
        if fill.starts_with('#') && fill != "#FFFFFF" {
            rects.push((
                num(&a, "x"),
                num(&a, "y"),
                num(&a, "width"),
                num(&a, "height"),
                fill,
            ));
        }
    }
    let mut out = Vec::new();
    for part in svg.split("<text").skip(1) {
        let Some(close) = part.find('>') else {
            continue;
        };
        let a = attrs(&part[..close]);
        let body = &part[close + 1..part.find("</text>").unwrap_or(part.len())];
        // A flagged row's label ends in " !"; a multi-run chart's in " · run k".
        let name = body.trim().trim_end_matches(" !");
        let name = name.split(" · run ").next().unwrap_or(name);
        if !models.contains(&name) {
            continue;
        }
        let (tx, ty) = (num(&a, "x"), num(&a, "y"));
        let beside = rects
            .iter()
            .filter(|r| r.1 <= ty + 1.0 && ty <= r.1 + r.3 + 1.0)
            .min_by(|p, q| {
                let gap = |r: &&(f64, f64, f64, f64, String)| {
                    (r.0 - tx).abs().min((r.0 + r.2 - tx).abs())
                };
                gap(p).total_cmp(&gap(q))
            });
        if let Some(r) = beside {
            out.push((name.to_owned(), r.4.clone()));
        }
    }
    out
}

/// The legend's colour of each model (`data-model` / `data-colour` on the page).
fn legend(dom: &str) -> BTreeMap<String, String> {
    let start = dom
        .find("id=\"legend\"")
        .expect("the page has a colour legend");
    let end = start + dom[start..].find("</section>").expect("the legend ends");
    dom[start..end]
        .split("<span class=\"model\"")
        .skip(1)
        .map(|s| {
            let a = attrs(&s[..s.find('>').unwrap()]);
            (a["data-model"].clone(), a["data-colour"].to_uppercase())
        })
        .collect()
}

/// Opens `page` and checks it; returns the DOM as the browser built it.
fn check_page(browser: &Path, page: &Path, name: &str, workloads: &[&str]) -> String {
    let profile = temp_path(&format!("chromium-{name}"));
    let (dom, log) = open(browser, page, &profile, &["--dump-dom"]);
    let errors = page_errors(&log, page);
    assert!(
        errors.is_empty(),
        "{}: the browser reported:\n{}",
        page.display(),
        errors.join("\n")
    );
    assert!(dom.contains("</html>"), "no DOM came back: {log}");
    assert!(
        dom.contains("class=\"machine\""),
        "the fingerprint is missing"
    );
    assert!(
        dom.contains("id=\"busy\""),
        "the busy-machine line is missing"
    );
    for w in workloads {
        assert!(
            dom.contains(&format!("data-workload=\"{w}\"")),
            "no section for {w}"
        );
    }
    let legend = legend(&dom);
    let models: Vec<&str> = legend.keys().map(String::as_str).collect();
    assert!(models.len() >= 2, "{legend:?}");
    let mut charts_per_model: BTreeMap<&str, usize> = BTreeMap::new();
    let svgs: Vec<&str> = dom.split("<svg").skip(1).collect();
    assert!(svgs.len() >= workloads.len(), "{} charts", svgs.len());
    for (i, svg) in svgs.iter().enumerate() {
        let svg = &svg[..svg.find("</svg>").expect("every chart closes")];
        for (model, fill) in colours_in_chart(svg, &models) {
            assert_eq!(
                fill, legend[&model],
                "chart {i}: {model} is drawn {fill}, the legend says {}",
                legend[&model]
            );
            *charts_per_model
                .entry(models.iter().find(|m| **m == model).unwrap())
                .or_default() += 1;
        }
    }
    for m in &models {
        assert!(
            charts_per_model.get(m).copied().unwrap_or(0) >= 2,
            "{m} is in fewer than two charts: {charts_per_model:?}"
        );
    }
    // The screenshot, for a person to look at.
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/report-html");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join(format!("{name}.png"));
    let _ = std::fs::remove_file(&shot);
    let (_, log) = open(
        browser,
        page,
        &profile,
        &[
            &format!("--screenshot={}", shot.display()),
            "--window-size=1400,3000",
        ],
    );
    let errors = page_errors(&log, page);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
    let png = std::fs::read(&shot).unwrap_or_default();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{}: no screenshot",
        shot.display()
    );
    println!("screenshot: {}", shot.display());
    let _ = std::fs::remove_dir_all(&profile);
    dom
}

/// A tiny `compare`, then `report` on its folder: the page under test is the one
/// `report` rewrote from results.json.
fn fixture(name: &str, args: &[&str]) -> PathBuf {
    let out = temp_path(name);
    let mut all = vec![
        "compare",
        "--runs",
        "2",
        "--min-runs",
        "1",
        "--warmup",
        "0",
        "--seed",
        "7",
    ];
    all.extend_from_slice(args);
    let o_arg = out.display().to_string();
    all.extend_from_slice(&["--out", &o_arg]);
    let o = run(&all);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let dir = results_folder(&out);
    let last = stdout(&o).lines().last().unwrap_or_default().to_owned();
    assert_eq!(
        last,
        format!("report: {}", dir.join("report.html").display())
    );
    std::fs::remove_file(dir.join("report.html")).unwrap();
    let o = bin().arg("report").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    dir.join("report.html")
}

#[test]
fn report_html_opens_in_a_browser_with_one_colour_per_model() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let page = fixture(
        "html-all",
        &[
            "--models",
            "threads,tokio,minirt",
            "--tasks",
            "3",
            "--hops",
            "10",
            "--rounds",
            "10",
            "--n",
            "5",
            "--delay-ms",
            "1",
            "--sleep-ms",
            "100",
            "--items",
            "20",
            "--workers",
            "2",
            "--rate",
            "100",
            "--duration-ms",
            "200",
            "--connections",
            "4",
            "--hog-ms",
            "5",
            "--after-ms",
            "100",
        ],
    );
    let dom = check_page(
        &browser,
        &page,
        "report-all",
        &[
            "crawl", "pingpong", "ring", "spawn", "fanout", "server", "fairness", "cancel",
        ],
    );
    // The workloads with figures of their own show them.
    assert!(dom.contains(">p99.9</th>") && dom.contains(">p99 late</th>"));
    assert!(dom.contains(">left: tasks/threads/sockets</th>"));
    // Every table's CPU is split, and every row has its cost column.
    assert!(dom.contains(">CPU user</th>") && dom.contains(">kernel/request</th>"));
    assert!(dom.contains(">cost</th>"));
    let _ = std::fs::remove_dir_all(page.parent().unwrap().parent().unwrap());
}

#[test]
fn a_sweep_draws_lines_in_the_same_colours() {
    let Some(browser) = browser_or_skip() else {
        return;
    };
    let page = fixture(
        "html-sweep",
        &[
            "--workload",
            "spawn",
            "--models",
            "tokio,minirt",
            "--sleep-ms",
            "50",
            "--sweep",
            "n=10,40",
        ],
    );
    let dom = check_page(&browser, &page, "report-sweep", &["spawn"]);
    assert!(
        dom.contains("spawn: wall time against n"),
        "the wall-time sweep is missing"
    );
    let _ = std::fs::remove_dir_all(page.parent().unwrap().parent().unwrap());
}
