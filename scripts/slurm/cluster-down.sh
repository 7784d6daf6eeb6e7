#!/usr/bin/env bash
# Stop the one-node Slurm cluster that scripts/slurm/cluster-up.sh started:
# exactly the daemons listed in its pid records (slurmd, slurmctld, munged,
# in that order), then remove its state folder and the files it created
# (slurm.conf, /run/munge and the munge key if it made them). Installed packages and
# daemons it did not start are left alone. Safe to run twice.
#
# Usage: sudo scripts/slurm/cluster-down.sh
# Environment: SUPPLYRISK_SLURM_STATE, as for cluster-up.sh.
set -euo pipefail

STATE_DIR=${SUPPLYRISK_SLURM_STATE:-/var/lib/supplyrisk-slurm}

log() { printf 'cluster-down: %s\n' "$*"; }

if [ ! -d "$STATE_DIR" ]; then
    log "no state folder $STATE_DIR: nothing to stop"
    exit 0
fi

# Stop the daemon named $1 whose pid file is $2: SIGTERM, up to 15 s to exit,
# then SIGKILL. The pid is checked against the program's name first, so that
# a stale pid file never kills an unrelated process.
stop() {
    local name=$1 pidfile=$2 pid i
    if [ ! -s "$pidfile" ]; then
        log "$name: no pid file ($pidfile)"
        return 0
    fi
    pid=$(cat "$pidfile")
    if ! kill -0 "$pid" 2>/dev/null; then
        log "$name: pid $pid no longer running"
        return 0
    fi
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
        log "$name: pid $pid is $(cat "/proc/$pid/comm" 2>/dev/null || echo unknown), not $name; left alone"
        return 0
    fi
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 150; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "$name (pid $pid) still running after 15 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# Daemons in the reverse order of their start (slurmd before slurmctld before
# munged, which both need).
if [ -s "$STATE_DIR/started" ]; then
    tac "$STATE_DIR/started" | while read -r name pidfile; do
        [ -n "$name" ] && stop "$name" "$pidfile"
    done
else
    log "no daemons were started by cluster-up.sh"
fi

# Files created outside the state folder, then the state folder itself.
if [ -s "$STATE_DIR/created" ]; then
    while read -r path; do
        [ -n "$path" ] || continue
        log "removing $path"
        if [ -d "$path" ]; then rm -rf -- "$path"; else rm -f -- "$path"; fi
    done < "$STATE_DIR/created"
fi
log "removing $STATE_DIR"
rm -rf -- "$STATE_DIR"
