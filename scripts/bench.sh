#!/usr/bin/env bash
# Reproduce BENCHMARKS.md: whole-process throughput of `supplyrisk run` on the
# realistic-size benchmark scenario (1,000,000 trials, 1..N threads, 5 runs
# each, median and spread, peak memory), the criterion suite, and the charts.
# Usage: scripts/bench.sh [TRIALS] [RUNS]   (defaults 1000000 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-1000000}
runs=${2:-5}
cargo build --release --quiet
mkdir -p target/bench
rm -rf target/bench/out   # this script's own results folder, started afresh
csv=target/bench/whole_process.csv
echo "threads,run,seconds,peak_kb" > "$csv"
cores=$(nproc)
threads_list="1"
t=2; while [ "$t" -le "$cores" ]; do threads_list="$threads_list $t"; t=$((t * 2)); done
[ "$cores" -gt 1 ] && [[ " $threads_list " != *" $cores "* ]] && threads_list="$threads_list $cores"
# Thread counts alternate within each round, so that the machine's drift
# (several percent over minutes on shared machines) falls on all of them
# alike rather than on whichever ran last.
for run in $(seq 1 "$runs"); do
    for threads in $threads_list; do
        start=$(date +%s.%N)
        if [ -x /usr/bin/time ]; then
            peak=$( { /usr/bin/time -f "%M" target/release/supplyrisk run benches/scenarios/realistic.toml \
                --no-plots --quiet --trials "$trials" --threads "$threads" --out target/bench/out >/dev/null; } 2>&1 | tail -1)
        else
            target/release/supplyrisk run benches/scenarios/realistic.toml --no-plots --quiet \
                --trials "$trials" --threads "$threads" --out target/bench/out >/dev/null
            peak=0
        fi
        end=$(date +%s.%N)
        secs=$(awk "BEGIN { printf \"%.3f\", $end - $start }")
        echo "$threads,$run,$secs,$peak" >> "$csv"
        echo "threads=$threads run=$run ${secs}s peak=${peak}KB"
    done
done
cargo bench --bench engine
cargo run --release --quiet --example bench_charts -- "$trials"
