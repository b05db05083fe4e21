#!/usr/bin/env bash
# Runs SparkDiT's GPU suite, benchmarks and the diffusers baseline side by side on one GPU machine,
# from a carried bundle. Phases run in the order given; each writes its full log to $OUTDIR and prints
# its summary lines only.
#
#   submit/gpu-session.sh BUNDLE.tar.xz [DIFFUSERS_SRC.tar.xz] PHASE...
#   phases: tests | kernels | procs | sharded | bench1 | bench2 | bench4 | base1 | base1c | base2u | base2r | base2c | base4u | base4c
#   (each diffusers parallel mode runs in its own torchrun: the baseline enables parallelism once)
#   env: OUTDIR (default $OUT or /tmp/sparkdit-out), SPARKDIT_EXTRA_CP (newer jars to put first),
#        STEPS (default 10), WARMUP (default 3)
set -uo pipefail
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1 PYTHONUNBUFFERED=1
bundle=${1:?usage: gpu-session.sh BUNDLE.tar.xz [DIFFUSERS.tar.xz] PHASE...}; shift
diffusers=""
if [[ "${1:-}" == *.tar.xz ]]; then diffusers=$1; shift; fi
OUTDIR=${OUTDIR:-${OUT:-/tmp/sparkdit-out}}
STEPS=${STEPS:-10}
WARMUP=${WARMUP:-3}
mkdir -p "$OUTDIR" /tmp/sd
[[ -x /tmp/sd/sparkdit/bin/sparkdit-gpu ]] || tar -C /tmp/sd -xJf "$bundle" || exit 1
B=/tmp/sd/sparkdit/bin/sparkdit-gpu
export SPARKDIT_ERROR_DIR=$OUTDIR
here=$(cd "$(dirname "$0")/.." && pwd)
baseline=${BASELINE:-$here/../shared/baselines/flux_baseline.py}
[[ -f "$baseline" ]] || baseline=$here/.carry/flux_baseline.py

bench() { # name, args...
  local name=$1; shift
  timeout 420 "$B" bench --steps "$STEPS" --warmup "$WARMUP" --json "$@" >"$OUTDIR/$name.log" 2>&1
  echo "$name rc=$?"; grep -E '^RESULT|sparkdit bench:' "$OUTDIR/$name.log" | cut -c1-420
}
base() { # name, nproc, modes
  [[ -n "$diffusers" ]] || { echo "$1: no diffusers source given"; return; }
  [[ -d /tmp/dfs/src/diffusers ]] || { mkdir -p /tmp/dfs && tar -C /tmp/dfs -xJf "$diffusers"; }
  PYTHONPATH=/tmp/dfs/src MODES=$3 timeout 540 torchrun --nproc_per_node="$2" "$baseline" >"$OUTDIR/$1.log" 2>&1
  echo "$1 rc=$?"; grep -E '^RESULT|Error' "$OUTDIR/$1.log" | cut -c1-300 | head -8
}
for phase in "$@"; do
  t0=$(date +%s)
  case $phase in
    tests) timeout 480 "$B" gpu-tests >"$OUTDIR/gpu-tests.log" 2>&1; echo "gpu-tests rc=$?"
           grep -E '^FAIL|rel_l2|passed,' "$OUTDIR/gpu-tests.log" | cut -c1-200 ;;
    kernels) timeout 300 "$B" gpu-tests --filter "strided copy" >"$OUTDIR/kernels.log" 2>&1; echo "kernels rc=$?"
           grep -E '^FAIL|passed,' "$OUTDIR/kernels.log" | cut -c1-300 ;;
    procs) timeout 300 "$B" gpu-tests --filter "processes" >"$OUTDIR/procs.log" 2>&1; echo "procs rc=$?"
           grep -E '^FAIL|rel_l2|passed,' "$OUTDIR/procs.log" | cut -c1-300 ;;
    sharded) timeout 300 "$B" gpu-tests --filter "vs 1 gpu" >"$OUTDIR/sharded.log" 2>&1; echo "sharded rc=$?"
           grep -E '^FAIL|rel_l2|passed,' "$OUTDIR/sharded.log" | cut -c1-200 ;;
    bench1) bench bench1 ;;
    bench2) bench bench2-u2 --ranks 2 --ulysses 2 --no-breakdown; bench bench2-r2 --ranks 2 --ring 2 --no-breakdown
            bench bench2-u2fp8 --ranks 2 --ulysses 2 --fp8 --no-breakdown ;;
    bench4) bench bench4-u4 --ranks 4 --ulysses 4 --no-breakdown; bench bench4-u2r2 --ranks 4 --ulysses 2 --ring 2 --no-breakdown
            bench bench4-u4fp8 --ranks 4 --ulysses 4 --fp8 --no-breakdown ;;
    base1) base base1 1 eager1 ;;
    base1c) base base1c 1 eager1,compile1 ;;
    base2u) base base2u 2 cp_eager ;;
    base2r) base base2r 2 ring_eager ;;
    base2c) base base2c 2 cp_compile ;;
    base4u) base base4u 4 cp_eager ;;
    base4c) base base4c 4 cp_compile ;;
    *) echo "unknown phase $phase" ;;
  esac
  echo "[$phase: $(( $(date +%s) - t0 )) s]"
done
