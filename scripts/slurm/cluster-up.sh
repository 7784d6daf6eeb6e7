#!/usr/bin/env bash
# Bring up a one-node Slurm cluster on this machine, as root, without systemd:
# munged, slurmctld and slurmd started by hand, with their pid files and logs
# in a state folder. Meant for trying the sharded runs (scripts/slurm/*.sbatch)
# on a workstation or a throwaway VM, not for production.
#
# Usage: sudo scripts/slurm/cluster-up.sh
#
# Idempotent: a daemon that already runs is left alone (and is not recorded as
# started here), an unchanged configuration is not rewritten. The daemons this
# script starts are listed in $STATE_DIR/started; scripts/slurm/cluster-down.sh
# stops exactly those and removes what this script created.
#
# Environment:
#   SUPPLYRISK_SLURM_STATE  state folder (default /var/lib/supplyrisk-slurm)
#   SLURM_CONF_DIR          where slurm.conf goes (default /etc/slurm, where
#                           sinfo, sbatch and the daemons look for it; with
#                           another folder, export SLURM_CONF=DIR/slurm.conf
#                           for the Slurm commands)
#   PARTITION               name of the default partition (default main)
#   READY_TIMEOUT           seconds to wait for the node to be idle (default 60)
set -euo pipefail

STATE_DIR=${SUPPLYRISK_SLURM_STATE:-/var/lib/supplyrisk-slurm}
CONF_DIR=${SLURM_CONF_DIR:-/etc/slurm}
PARTITION=${PARTITION:-main}
READY_TIMEOUT=${READY_TIMEOUT:-60}
MARKER="# Written by supplyrisk scripts/slurm/cluster-up.sh"

log() { printf 'cluster-up: %s\n' "$*"; }
die() { printf 'cluster-up: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages and starts daemons)"

# The pid file $1 names a live process running the program $2 (a stale pid
# file, or a pid reused by another program, does not count).
alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null \
        && [ "$(cat "/proc/$(cat "$1")/comm" 2>/dev/null)" = "$2" ]
}

# Remember a path this script created, for cluster-down (once).
record_created() {
    grep -qxF "$1" "$STATE_DIR/created" 2>/dev/null || echo "$1" >> "$STATE_DIR/created"
}

# Remember a daemon this script started: "name pidfile", for cluster-down.
record_started() {
    grep -q "^$1 " "$STATE_DIR/started" 2>/dev/null || echo "$1 $2" >> "$STATE_DIR/started"
}

# Wait up to $3 seconds for the pid file $1 to name a live $2.
wait_pid() {
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        alive "$1" "$2" && return 0
        sleep 0.1
    done
    return 1
}

# 1. State folder: controller state, slurmd spool, pid files, logs.
mkdir -p "$STATE_DIR"/{ctld,spool,run,log}
chmod 755 "$STATE_DIR"
touch "$STATE_DIR/started" "$STATE_DIR/created"

# 2. Packages: install slurm-wlm and munge only if a program is missing
# (apt-get's output goes to a log, shown if it fails).
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null \
    || ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq slurm-wlm munge; } > "$STATE_DIR/log/apt.log" 2>&1; then
        cat "$STATE_DIR/log/apt.log" >&2
        die "apt-get failed"
    fi
fi
log "$(slurmctld -V) ($(command -v slurmctld))"

# 3. Munge key: the Debian package creates one; make one if it is missing.
# munged runs as the munge user, which the package creates.
id munge >/dev/null 2>&1 || die "no munge user: is the munge package installed?"
if [ ! -s /etc/munge/munge.key ]; then
    log "creating /etc/munge/munge.key"
    mkdir -p /etc/munge
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom of=/etc/munge/munge.key bs=1 count=1024 status=none
    fi
    record_created /etc/munge/munge.key
fi
chown munge:munge /etc/munge /etc/munge/munge.key
chmod 700 /etc/munge
chmod 400 /etc/munge/munge.key

# 4. slurm.conf for this one node: CPUs from nproc, RealMemory (MiB) from
# free, less 5% so that slurmd never finds less than configured. Plugins that
# need neither cgroups nor a database: processes tracked through /proc,
# no task binding, no accounting.
NODE=$(hostname -s)
CPUS=$(nproc)
MEM_MB=$(free -m | awk '/^Mem:/ { print int($2 * 0.95) }')
[ -d "$CONF_DIR" ] || { mkdir -p "$CONF_DIR"; record_created "$CONF_DIR"; }
conf="$CONF_DIR/slurm.conf"
export SLURM_CONF="$conf"   # for this script's own sinfo and scontrol
new_conf=$(mktemp)
trap 'rm -f "$new_conf"' EXIT
cat > "$new_conf" <<EOF
$MARKER; removed by cluster-down.sh.
ClusterName=supplyrisk
# The controller and the node are this machine, reached over loopback.
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$STATE_DIR/ctld
SlurmdSpoolDir=$STATE_DIR/spool
SlurmctldPidFile=$STATE_DIR/run/slurmctld.pid
SlurmdPidFile=$STATE_DIR/run/slurmd.pid
SlurmctldLogFile=$STATE_DIR/log/slurmctld.log
SlurmdLogFile=$STATE_DIR/log/slurmd.log
# No cgroups: track job processes through /proc, bind no tasks.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
# No mail is sent; this silences the check for a mail program.
MailProg=/bin/true
# No accounting (so no sacct): finished jobs stay visible to
# "scontrol show job" for MinJobAge seconds.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=600
SchedulerType=sched/backfill
# Start queued jobs as soon as CPUs free up (the default waits up to 3 s).
SchedulerParameters=batch_sched_delay=0
# Allocate single CPUs, so that each job-array task can take one core.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# A node that was down comes back as soon as it registers.
ReturnToService=2
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
conf_changed=0
if [ -e "$conf" ] && ! head -n 1 "$conf" | grep -qF "$MARKER"; then
    die "$conf exists and was not written by this script; not overwriting it"
fi
if ! cmp -s "$new_conf" "$conf"; then
    install -m 644 "$new_conf" "$conf"
    conf_changed=1
    log "wrote $conf (node $NODE, $CPUS CPUs, $MEM_MB MiB)"
fi
record_created "$conf"
# No cgroup.conf: with these plugins, Slurm 22.05 (Debian 12) starts and runs
# jobs without one.

# 5. munged, as the munge user. If a munged already answers on the default
# socket (started by someone else), it is used and not recorded.
MUNGE_RUN="$STATE_DIR/run/munge"
[ -d /run/munge ] || { mkdir -p /run/munge; record_created /run/munge; }
mkdir -p "$MUNGE_RUN" "$STATE_DIR/log/munge"
chown munge:munge "$MUNGE_RUN" "$STATE_DIR/log/munge" /run/munge
chmod 755 /run/munge
if alive "$MUNGE_RUN/munged.pid" munged; then
    log "munged already running (pid $(cat "$MUNGE_RUN/munged.pid"))"
elif munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "a munged started elsewhere answers; using it"
else
    log "starting munged"
    runuser -u munge -- munged --pid-file="$MUNGE_RUN/munged.pid" \
        --log-file="$STATE_DIR/log/munge/munged.log"
    wait_pid "$MUNGE_RUN/munged.pid" munged 10 || die "munged did not start; see $STATE_DIR/log/munge/munged.log"
    record_started munged "$MUNGE_RUN/munged.pid"
fi
munge -n | unmunge >/dev/null || die "munge does not work (see $STATE_DIR/log/munge/munged.log)"

# 6. slurmctld and slurmd (each forks into the background and writes its pid
# file). Already running: a changed configuration is applied with
# "scontrol reconfigure".
if alive "$STATE_DIR/run/slurmctld.pid" slurmctld; then
    log "slurmctld already running (pid $(cat "$STATE_DIR/run/slurmctld.pid"))"
    if [ "$conf_changed" -eq 1 ]; then
        log "configuration changed: scontrol reconfigure"
        scontrol reconfigure
    fi
else
    log "starting slurmctld"
    slurmctld -f "$conf"
    wait_pid "$STATE_DIR/run/slurmctld.pid" slurmctld 20 || die "slurmctld did not start; see $STATE_DIR/log/slurmctld.log"
    record_started slurmctld "$STATE_DIR/run/slurmctld.pid"
fi
if alive "$STATE_DIR/run/slurmd.pid" slurmd; then
    log "slurmd already running (pid $(cat "$STATE_DIR/run/slurmd.pid"))"
else
    log "starting slurmd"
    slurmd -f "$conf"
    wait_pid "$STATE_DIR/run/slurmd.pid" slurmd 20 || die "slurmd did not start; see $STATE_DIR/log/slurmd.log"
    record_started slurmd "$STATE_DIR/run/slurmd.pid"
fi

# 7. Wait until sinfo shows the node idle (or busy with jobs already). A node
# left drained or down by an earlier run is resumed once.
resumed=0
state=""
for ((i = 0; i < READY_TIMEOUT * 2; i++)); do
    state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null | head -n 1 || true)
    case "$state" in
        idle | mixed | allocated | completing)
            log "node $NODE is $state in partition $PARTITION; ready"
            sinfo
            exit 0 ;;
        drain* | down* | fail*)
            if [ "$resumed" -eq 0 ] && [ "$i" -ge 6 ]; then
                log "node $NODE is $state: resuming it"
                scontrol update NodeName="$NODE" State=RESUME || true
                resumed=1
            fi ;;
    esac
    sleep 0.5
done
die "node $NODE not idle after ${READY_TIMEOUT}s (state: ${state:-none}); see $STATE_DIR/log/"
