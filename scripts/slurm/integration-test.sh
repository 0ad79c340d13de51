#!/usr/bin/env bash
# Slurm integration test (run by scripts/test.sh): starts a one-node Slurm cluster on this machine, submits a
# job array over four start dates with scripts/slurm/forecast-array.sbatch, checks every output against a
# direct `forecastd run` with `forecastd compare`, re-submits and checks that finished work is skipped, makes
# one task fail on purpose, re-runs only that index and checks it recovers. Needs root (to run the Slurm
# daemons) and the release binary; prints why and exits 0 when they cannot be had.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
forecastd="$repo/.build/release/forecastd"
if [ "$(id -u)" -ne 0 ]; then echo "slurm integration test skipped: needs root to start the Slurm daemons"; exit 0; fi
[ -x "$forecastd" ] || { echo "slurm integration test: build the release binary first" >&2; exit 1; }
if ! command -v slurmctld >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm >/dev/null \
        || { echo "slurm integration test skipped: slurm-wlm cannot be installed here"; exit 0; }
fi

work=$(mktemp -d /tmp/forecastd-slurm-XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
conf=/etc/slurm/slurm.conf
[ -f "$conf" ] && cp "$conf" "$work/slurm.conf.saved"
cleanup() {
    for pid in /run/slurmctld.pid /run/slurmd.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
    sleep 1
    if [ -f "$work/slurm.conf.saved" ]; then cp "$work/slurm.conf.saved" "$conf"; else rm -f "$conf"; fi
}
trap cleanup EXIT

mkdir -p /etc/slurm /run/munge /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
cat > "$conf" <<CONF
ClusterName=local
SlurmctldHost=$host
AuthType=auth/munge
SlurmUser=slurm
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=$host CPUs=$(nproc) RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
chown munge:munge /run/munge
chown slurm: /var/spool/slurmctld /var/log/slurm
pgrep -x munged >/dev/null || runuser -u munge -- /usr/sbin/munged
pgrep -x slurmctld >/dev/null || slurmctld
pgrep -x slurmd >/dev/null || slurmd
for _ in $(seq 60); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo -h -o %T | grep -q idle || { echo "slurm integration test: the node did not come up" >&2; exit 1; }

# Four start dates on a random-weight model folder.
python3 tools/reference/make_models.py "$work" --config forecast >/dev/null
dates=(2024-03-01 2024-03-08 2024-03-15 2024-03-22)
for d in "${dates[@]}"; do python3 tools/reference/make_forecast_case.py "$work/forecast" "$work/inputs/$d" --start "$d" --days 5; done
printf '%s\n' "${dates[@]}" > "$work/season.txt"
submit() {
    FORECASTD="$forecastd" sbatch --wait --chdir "$work" --output "$work/slurm-%A_%a.log" "$@" \
        scripts/slurm/forecast-array.sbatch "$work/season.txt" "$work/forecast" "$work/out" --days 5 --shards 4 \
        --init-template "$work/inputs/{date}/init.nc" --forcing-template "$work/inputs/{date}/forcing.nc"
}
submit --array=0-3 >/dev/null
for d in "${dates[@]}"; do
    "$forecastd" run --model "$work/forecast" --init "$work/inputs/$d/init.nc" --forcing "$work/inputs/$d/forcing.nc" \
        --days 5 --out "$work/reference-$d.nc" 2>/dev/null
    "$forecastd" compare "$work/reference-$d.nc" "$work/out/$d.nc" --rtol 1e-5 >/dev/null
done
echo "slurm: 4 array tasks ran; every output matches a direct run"

submit --array=0-3 >/dev/null
skipped=$(cat "$work"/out/batch-task-*-of-4.json | grep -c 'skipped (complete)')
[ "$skipped" -eq 4 ] || { echo "slurm: expected 4 skipped forecasts on re-submission, got $skipped" >&2; exit 1; }
echo "slurm: re-submission skipped all 4 finished forecasts"

# Task 2 fails on purpose (its init file is missing), then recovers when only it is re-run.
mv "$work/inputs/${dates[2]}/init.nc" "$work/init.away"
rm "$work/out/${dates[2]}.nc"
if submit --array=2 >/dev/null 2>&1; then echo "slurm: task 2 should have failed" >&2; exit 1; fi
grep -q '"status" : "failed"' "$work/out/batch-task-2-of-4.json" || { echo "slurm: task 2's summary does not report the failure" >&2; exit 1; }
[ ! -e "$work/out/${dates[2]}.nc" ] || { echo "slurm: the failed task left an output" >&2; exit 1; }
mv "$work/init.away" "$work/inputs/${dates[2]}/init.nc"
submit --array=2 >/dev/null
grep -q '"status" : "done"' "$work/out/batch-task-2-of-4.json" || { echo "slurm: task 2 did not redo its forecast" >&2; exit 1; }
[ "$(grep -c '"name"' "$work/out/batch-task-2-of-4.json")" -eq 1 ] || { echo "slurm: task 2 ran more than its share" >&2; exit 1; }
"$forecastd" compare "$work/reference-${dates[2]}.nc" "$work/out/${dates[2]}.nc" --rtol 1e-5 >/dev/null
echo "slurm: task 2 failed on purpose, was re-run alone and recovered"
