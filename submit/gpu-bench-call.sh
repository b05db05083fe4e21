#!/usr/bin/env bash
# One benchmark call on a GPU machine, as run on 2026-11-22 (docs/benchmarks.md): optional sharded
# checks (CHECKS=1), `sparkdit-gpu bench` for each argument string (prefix "notune" turns cuBLASLt
# tuning off), then diffusers baseline phases of gpu-session.sh ($BASE). Expects in .carry/: the bundle
# (sparkdit-bundle-lite.tar.xz, from `submit/bundle.sh --no-cases`), newer jars (optional), cases/,
# diffusers.tar.xz.
#   CHECKS=1 BASE="base1c" submit/gpu-bench-call.sh "" "--ranks 2 --ulysses 2" ...
OUT=${OUT:-/tmp/sparkdit-out}; mkdir -p "$OUT"
export SPARKDIT_EXTRA_CP=$PWD/.carry/gpu-executor-0.1.0-SNAPSHOT.jar:$PWD/.carry/usp-attention-0.1.0-SNAPSHOT.jar
export SPARKDIT_ERROR_DIR=$OUT OUTDIR=$OUT STEPS=10 WARMUP=3 CMODE=${CMODE:-default}
mkdir -p /tmp/sd; [ -x /tmp/sd/sparkdit/bin/sparkdit-gpu ] || tar -C /tmp/sd -xJf .carry/sparkdit-bundle-lite.tar.xz
B=/tmp/sd/sparkdit/bin/sparkdit-gpu
t0=$(date +%s)
nvidia-smi --query-gpu=name --format=csv,noheader | sort | uniq -c
if [ -n "${CHECKS:-}" ]; then
$B gpu-tests --cases .carry/cases --filter "vs 1 gpu" > $OUT/sh4.log 2>&1; grep -E "^FAIL|rel_l2|passed," $OUT/sh4.log | cut -c1-150
echo "[checks $(( $(date +%s) - t0 )) s]"
fi
b() { echo "# $*"; $B bench --steps $STEPS --warmup $WARMUP --json "$@" 2>>$OUT/err.log | grep -o '"mode":"[a-z-]*"\|"ms_median":[0-9.]*\|"gpu_mem_gib":[0-9.]*\|"breakdown_ms":{[^}]*}\|"gemm_tuning":{[^}]*}' | tr '\n' ' ' | sed 's/"breakdown_ms"/\n   /; s/"mode":"cuda-graph"/\n   "mode":"cuda-graph"/'; echo; }
for a in "$@"; do
  case $a in notune*) SPARKDIT_JAVA_OPTS=-Dsparkdit.gemm.tune=false b ${a#notune} ;; *) b $a ;; esac
done
echo "[ours $(( $(date +%s) - t0 )) s]"
if [ -n "${BASE:-}" ]; then bash submit/gpu-session.sh .carry/sparkdit-bundle-lite.tar.xz .carry/diffusers.tar.xz $BASE; fi
echo "[all $(( $(date +%s) - t0 )) s]"
