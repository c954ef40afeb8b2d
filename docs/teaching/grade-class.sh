#!/usr/bin/env bash
# Grades a class's submissions with `concurrency-models grade --json`, one after
# another, and writes two CSV files in the current folder: scores.csv (one line per
# model graded) and cases.csv (one line per case, with what the grader said).
#
# usage: grade-class.sh ROSTER SEED
#   ROSTER  a CSV file of `student,checkout,target` lines: the student's name, the
#           path to their checkout of the repository, and what to grade there (a
#           registered model's name, or a crate folder such as crates/flume).
#           Blank lines and lines starting with # are skipped.
#   SEED    the seed to grade with: pick one and do not tell the class.
#
# Needs cargo and jq. Runs the students' code: do it in a container or a VM.
set -uo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 ROSTER SEED" >&2
    exit 2
fi
roster=$1
seed=$2
mkdir -p logs
echo "student,model,seed,passed,total,note" > scores.csv
echo "student,model,case,passed,detail" > cases.csv

while IFS=, read -r student checkout target; do
    [[ -z "$student" || "$student" == \#* ]] && continue
    json="logs/$student.json"
    # stdin from /dev/null: cargo and the grader must not read the roster.
    (cd "$checkout" && cargo run --quiet -- grade "$target" --seed "$seed" --json) \
        < /dev/null > "$json" 2> "logs/$student.err"
    if ! jq -e . "$json" > /dev/null 2>&1 || [[ ! -s "$json" ]]; then
        # No report at all: it did not build, or the target is unknown.
        why=$(tail -n 1 "logs/$student.err" | tr -d '"' | tr ',' ';')
        echo "\"$student\",\"$target\",$seed,0,,\"no report: $why\"" >> scores.csv
        continue
    fi
    jq -r --arg s "$student" '[$s, .model, .seed, .passed, .total, ""] | @csv' "$json" >> scores.csv
    jq -r --arg s "$student" \
        '.model as $m | .cases[] | [$s, $m, .case, .passed, .detail] | @csv' "$json" >> cases.csv
done < "$roster"

tr -d '"' < scores.csv | column -s, -t
