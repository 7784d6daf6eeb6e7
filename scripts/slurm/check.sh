#!/usr/bin/env bash
# End-to-end check of sharded runs on Slurm, on this one machine: bring up a
# one-node cluster, run the realistic benchmark scenario as an 8-shard job
# array plus the dependent merge job, run it again in one piece, and compare
# the outputs byte for byte. With COMMAND=uncertainty, the same for an
# uncertainty study of scenarios/example-uncertainty.toml (32 base sets,
# 5000 trials per set), sharded by parameter sets. Prints PASS or FAIL with
# timings; exits 0 only on PASS. The cluster is always taken down at the end
# (KEEP_CLUSTER=1 keeps it).
#
# Usage: sudo scripts/slurm/check.sh
# Needs the release binary (cargo build --release) and root (for the cluster).
#
# Environment: COMMAND (run, the default, or uncertainty), TRIALS (default
#   200000; 5000 per parameter set for a study), SEED (7), SHARDS (8),
#   SAMPLES (a study's base sets, default 32), SCENARIO
#   (benches/scenarios/realistic.toml; scenarios/example-uncertainty.toml for
#   a study), CHECK_TIMEOUT (seconds to wait for the jobs, default 300),
#   SUPPLYRISK (the binary), KEEP_CLUSTER.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
command=${COMMAND:-run}
case "$command" in
    run)
        scenario=${SCENARIO:-benches/scenarios/realistic.toml}
        trials=${TRIALS:-200000}
        required=(summary.json years.csv) ;;
    uncertainty)
        scenario=${SCENARIO:-scenarios/example-uncertainty.toml}
        trials=${TRIALS:-5000}
        required=(uncertainty.json uncertainty_runs.csv) ;;
    *) echo "check: COMMAND must be run or uncertainty, not '$command'" >&2; exit 1 ;;
esac
samples=${SAMPLES:-32}
seed=${SEED:-7}
shards=${SHARDS:-8}
timeout=${CHECK_TIMEOUT:-300}
bin=${SUPPLYRISK:-target/release/supplyrisk}

log() { printf 'check: %s\n' "$*"; }
now() { date +%s%N; }
# Seconds, with one decimal, from the nanosecond timestamp $1 to $2.
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# 1. The binary must be built already, and support sharded runs.
if [ ! -x "$bin" ]; then
    echo "check: no binary $bin: run cargo build --release first" >&2
    exit 1
fi
if ! "$bin" "$command" --help 2>/dev/null | grep -q -- '--shard' || ! "$bin" merge --help >/dev/null 2>&1; then
    echo "check: $bin has no '$command --shard' or no 'merge': rebuild it (cargo build --release)" >&2
    exit 1
fi
bin=$(realpath "$bin")
[ "$(id -u)" -eq 0 ] || { echo "check: run as root (it starts the Slurm daemons)" >&2; exit 1; }

work=$(mktemp -d /tmp/supplyrisk-slurm-check.XXXXXX)
chmod 755 "$work"
result=FAIL
# Always: take the cluster down; keep the work folder only when it failed.
cleanup() {
    if [ "${KEEP_CLUSTER:-0}" = 1 ]; then
        log "KEEP_CLUSTER=1: cluster left running (scripts/slurm/cluster-down.sh stops it)"
    else
        "$here/cluster-down.sh" || true
    fi
    if [ "$result" = PASS ]; then
        rm -rf "$work"
    else
        log "work folder kept for inspection: $work"
    fi
}
trap cleanup EXIT

# All jobs and the one-piece run use one copy of the binary, so that a
# rebuild while the check runs cannot mix two builds.
cp "$bin" "$work/supplyrisk"
bin=$work/supplyrisk
t_start=$(now)
log "binary $bin ($("$bin" --version)), copied from ${SUPPLYRISK:-target/release/supplyrisk}"

# 2. A one-node cluster.
t0=$(now)
"$here/cluster-up.sh"
t_up=$(now)
log "cluster up in $(secs "$t0" "$t_up") s"

# 3. The job array and the merge job.
ids=$(SUPPLYRISK=$bin COMMAND=$command SAMPLES=$samples \
    "$here/submit.sh" "$scenario" "$trials" "$seed" "$shards" "$work/slurm")
t_submit=$(now)
shards_job=$(sed -n 's/^shards_job=//p' <<< "$ids")
merge_job=$(sed -n 's/^merge_job=//p' <<< "$ids")
what="$trials trials, seed $seed"
[ "$command" = uncertainty ] && what="uncertainty study, $samples base sets, $trials trials per set, seed $seed"
log "submitted $shards shards (job $shards_job) and the merge (job $merge_job):" \
    "$scenario, $what"

# 4. Wait for both jobs, polling "scontrol show job" (no sacct without
# accounting). A failed shard leaves the merge pending for ever
# (DependencyNeverSatisfied): that ends the wait too.
states() { scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 || true; }
active() { grep -qE 'PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED' <<< "$1"; }
t_shards="" t_merge=""
while :; do
    s=$(states "$shards_job")
    m=$(states "$merge_job")
    [ -z "$t_shards" ] && [ -n "$s" ] && ! active "$s" && t_shards=$(now)
    if [ -n "$m" ] && ! active "$m"; then t_merge=$(now); break; fi
    if scontrol show job -o "$merge_job" 2>/dev/null | grep -q 'Reason=DependencyNeverSatisfied'; then
        log "a shard failed: the merge job can never start"
        break
    fi
    if [ $(( ($(now) - t_submit) / 1000000000 )) -ge "$timeout" ]; then
        log "jobs not finished after ${timeout}s"
        squeue || true
        break
    fi
    sleep 0.2
done
scancel "$shards_job" "$merge_job" 2>/dev/null || true
log "shard states: $(states "$shards_job" | sort | uniq -c | awk '{ printf "%s%s x%s", sep, $2, $1; sep = ", " }')"
log "merge state: $(states "$merge_job" | head -n 1)"
[ -n "$t_shards" ] && log "shards done $(secs "$t_submit" "$t_shards") s after submission"
[ -n "$t_merge" ] && log "merge done $(secs "$t_submit" "$t_merge") s after submission"
for f in "$work"/slurm/logs/*.out; do
    sed 's/^/  | /' "$f"
done
ok=1
[ "$(states "$shards_job" | sort -u)" = COMPLETED ] || { log "not every shard COMPLETED"; ok=0; }
[ "$(states "$merge_job")" = COMPLETED ] || { log "the merge did not COMPLETE"; ok=0; }

# 5. The same run in one piece, with all threads, charts included.
t0=$(now)
if [ "$command" = uncertainty ]; then
    "$bin" uncertainty "$scenario" --samples "$samples" --trials "$trials" --seed "$seed" \
        --out "$work/whole" --quiet
else
    "$bin" run "$scenario" --trials "$trials" --seed "$seed" --out "$work/whole" --quiet
fi
log "one-piece $command in $(secs "$t0" "$(now)") s"

# 6. Byte-for-byte comparison of everything the one-piece run wrote.
for required in "${required[@]}"; do
    [ -e "$work/whole/$required" ] || { log "one-piece run wrote no $required"; ok=0; }
done
for f in "$work"/whole/*; do
    name=$(basename "$f")
    if [ ! -e "$work/slurm/merged/$name" ]; then
        log "missing from the merge: $name"; ok=0
    elif cmp -s "$f" "$work/slurm/merged/$name"; then
        log "identical: $name ($(wc -c < "$f") bytes)"
    else
        log "DIFFERENT: $name"; cmp "$f" "$work/slurm/merged/$name" || true; ok=0
    fi
done

[ "$ok" -eq 1 ] && result=PASS
log "$result: $shards shards on Slurm vs one piece, $what" \
    "(total $(secs "$t_start" "$(now)") s)"
[ "$result" = PASS ]
