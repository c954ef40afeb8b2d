#!/usr/bin/env python3
"""Line similarity of the model files of each workload, as issue #15 measures it.

For every pair of model files of a workload: Python's difflib ratio of their
non-blank, non-comment lines (each stripped of indentation), test modules left
out. Prints the median per workload and, with -v, every pair.

    python3 scripts/similarity.py [-v] [workload ...]
"""
import difflib
import itertools
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = {
    "sequential": "crates/baseline/src/sequential",
    "threads": "crates/baseline/src/threads",
    "callbacks": "crates/callbacks/src",
    "tokio": "crates/stackless/src",
    "minirt": "crates/minirt/src",
    "may": "crates/stackful/src",
    "crossbeam": "crates/csp/src",
    "actix": "crates/actors/src",
}
WORKLOADS = ["crawl", "pingpong", "ring", "spawn", "fanout"]


def code_lines(path):
    lines = []
    for line in path.read_text().splitlines():
        s = line.strip()
        if s.startswith("#[cfg(test)]"):
            break
        if not s or s.startswith("//"):
            continue
        lines.append(s)
    return lines


def main(argv):
    verbose = "-v" in argv
    wanted = [a for a in argv if not a.startswith("-")] or WORKLOADS
    for w in wanted:
        files = {m: ROOT / d / f"{w}.rs" for m, d in MODELS.items()}
        files = {m: code_lines(p) for m, p in files.items() if p.exists()}
        ratios = []
        for (a, la), (b, lb) in itertools.combinations(files.items(), 2):
            r = difflib.SequenceMatcher(None, la, lb, autojunk=False).ratio()
            ratios.append(r)
            if verbose:
                print(f"  {w:9} {a:>10} ~ {b:<10} {r:.2f}")
        print(f"{w:9} median {statistics.median(ratios):.2f}  "
              f"min {min(ratios):.2f}  max {max(ratios):.2f}  ({len(ratios)} pairs)")


if __name__ == "__main__":
    main(sys.argv[1:])
