#!/usr/bin/env bash
# Submit a sharded supplyrisk run (or, with COMMAND=uncertainty, an
# uncertainty study) to Slurm: a job array of SHARDS tasks
# (scripts/slurm/shards.sbatch), then the merge (scripts/slurm/merge.sbatch),
# which waits for every task to succeed (--dependency=afterok).
#
# Usage: scripts/slurm/submit.sh SCENARIO TRIALS SEED SHARDS WORKDIR [SBATCH_OPTION...]
#
#   WORKDIR must be on a file system every node sees; the partial files go to
#   WORKDIR/shards, the results to WORKDIR/merged, the job logs to
#   WORKDIR/logs. Extra arguments are sbatch options given to both jobs
#   (e.g. --partition=short --time=00:30:00 --cpus-per-task=4; each shard
#   runs with as many threads as it has CPUs).
#
# Prints the two job ids, as "shards_job=ID" and "merge_job=ID".
#
# Rerunning failed shards: if array task K failed, the merge job stays
# pending for ever (reason DependencyNeverSatisfied). Cancel it, then submit
# just the failed indexes and a new merge with ARRAY (an sbatch --array list):
#   scancel MERGE_JOB
#   ARRAY=K scripts/slurm/submit.sh SCENARIO TRIALS SEED SHARDS WORKDIR
# which runs "sbatch --array=K shards.sbatch" with SHARDS=N kept, overwrites
# partial-K-of-N.srpart and merges all N partial files once it succeeded.
#
# Environment:
#   COMMAND      run (default), or uncertainty: an uncertainty study of
#                SAMPLES base parameter sets, TRIALS trials each, its
#                parameter sets split into SHARDS slices
#   SAMPLES      base parameter sets of a study (default 256, a power of two)
#   ARRAY        array indexes to submit (default 1-SHARDS, a fresh run; a
#                fresh run refuses a WORKDIR that already holds partial files)
#   MERGE_FLAGS  extra options for supplyrisk merge (e.g. --no-plots)
#   SUPPLYRISK   the binary (default target/release/supplyrisk in this
#                repository)
set -euo pipefail

die() { printf 'submit: error: %s\n' "$*" >&2; exit 2; }

[ $# -ge 5 ] || die "usage: $0 SCENARIO TRIALS SEED SHARDS WORKDIR [SBATCH_OPTION...]"
scenario=$1 trials=$2 seed=$3 shards=$4 work=$5
shift 5
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)

# Check the arguments here rather than in eight failed jobs.
[ -f "$scenario" ] || die "no scenario file $scenario"
[[ "$trials" =~ ^[1-9][0-9]*$ ]] || die "TRIALS must be a positive integer, not '$trials'"
[[ "$seed" =~ ^[0-9]+$ ]] || die "SEED must be a non-negative integer, not '$seed'"
[[ "$shards" =~ ^[1-9][0-9]*$ ]] || die "SHARDS must be a positive integer, not '$shards'"
array=${ARRAY:-1-$shards}
command=${COMMAND:-run}
samples=${SAMPLES:-256}
case "$command" in
    run | uncertainty) ;;
    *) die "COMMAND must be run or uncertainty, not '$command'" ;;
esac
[[ "$samples" =~ ^[1-9][0-9]*$ ]] || die "SAMPLES must be a positive integer, not '$samples'"

# The jobs run in the repository root (SLURM_SUBMIT_DIR), so make every path
# absolute first.
scenario=$(realpath "$scenario")
mkdir -p "$work/shards" "$work/logs"
work=$(realpath "$work")
if [ -n "${SUPPLYRISK:-}" ]; then
    SUPPLYRISK=$(realpath "$SUPPLYRISK")
    export SUPPLYRISK
    bin=$SUPPLYRISK
else
    bin=$repo/target/release/supplyrisk
fi
[ -x "$bin" ] || die "no binary $bin: run cargo build --release"

# A fresh run must not mix its partial files with those of an earlier one
# (the merge would refuse them); a rerun of some indexes overwrites its own.
shopt -s nullglob
old=("$work"/shards/*.srpart)
if [ -z "${ARRAY:-}" ] && [ ${#old[@]} -gt 0 ]; then
    die "$work/shards already holds ${#old[@]} partial file(s): use a new WORKDIR, or ARRAY=K to rerun shards of that run"
fi

# The jobs read their parameters from the environment (sbatch exports it).
export SCENARIO=$scenario TRIALS=$trials SEED=$seed SHARDS=$shards WORK=$work
export COMMAND=$command SAMPLES=$samples
export MERGE_FLAGS=${MERGE_FLAGS:-}
cd "$repo"

# 1. The shards: one array task per index, each independent of the others.
shards_job=$(sbatch --parsable --array="$array" --export=ALL \
    --output="$work/logs/shard-%a-job%A.out" "$@" "$here/shards.sbatch")
shards_job=${shards_job%%;*}

# 2. The merge, once every task of the array ended with exit status 0.
merge_job=$(sbatch --parsable --dependency="afterok:$shards_job" --export=ALL \
    --output="$work/logs/merge-job%j.out" "$@" "$here/merge.sbatch")
merge_job=${merge_job%%;*}

echo "shards_job=$shards_job"
echo "merge_job=$merge_job"
echo "submit: $command shards $array of $shards in job $shards_job, merge in job $merge_job (after all succeed);" \
    "logs in $work/logs, results in $work/merged" >&2
