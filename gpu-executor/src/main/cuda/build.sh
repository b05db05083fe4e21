#!/usr/bin/env bash
# Compiles every kernel file beside this script into ONE fatbin, OUTDIR/sparkdit_kernels.fatbin,
# with SASS for sm_80 and sm_90a and PTX for compute_90 (JIT on newer GPUs), and writes the
# ptxas resource report (registers, shared memory, spills per kernel) to REPORT.
#
#   build.sh OUTDIR [REPORT]      REPORT defaults to OUTDIR/../cuda-resource-usage.txt
#
# nvcc is looked up in $CUDA_HOME/bin, then on PATH, then in /usr/local/cuda/bin.
# No --use_fast_math: fp32 paths keep accurate expf/sinf/rsqrtf for parity with the CPU reference.
# The .cu files are compiled as one unity translation unit (cheaper than a device link for ~10 files);
# nvcc --threads compiles the three targets in parallel. Up to date fatbins are not rebuilt.
set -euo pipefail

SRC_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: build.sh OUTDIR [REPORT]}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
REPORT="${2:-$OUT/../cuda-resource-usage.txt}"
FATBIN="$OUT/sparkdit_kernels.fatbin"

NVCC=""
SEARCHED=""
if [[ -n "${CUDA_HOME:-}" ]]; then
  SEARCHED="$CUDA_HOME/bin"
  [[ -x "$CUDA_HOME/bin/nvcc" ]] && NVCC="$CUDA_HOME/bin/nvcc"
else
  SEARCHED="\$CUDA_HOME (unset)"
fi
SEARCHED="$SEARCHED, PATH"
if [[ -z "$NVCC" ]] && command -v nvcc >/dev/null 2>&1; then NVCC="$(command -v nvcc)"; fi
SEARCHED="$SEARCHED, /usr/local/cuda/bin"
if [[ -z "$NVCC" && -x /usr/local/cuda/bin/nvcc ]]; then NVCC=/usr/local/cuda/bin/nvcc; fi
if [[ -z "$NVCC" ]]; then
  echo "ERROR: nvcc not found in $SEARCHED; install CUDA 13 or build a CPU-only jar with -Dsparkdit.cpuOnly=true" >&2
  exit 1
fi

shopt -s nullglob
SOURCES=("$SRC_DIR"/*.cu)
if [[ -f "$FATBIN" ]]; then
  stale=0
  for f in "${SOURCES[@]}" "$SRC_DIR"/*.cuh "$SRC_DIR/build.sh"; do
    [[ "$f" -nt "$FATBIN" ]] && stale=1
  done
  if [[ $stale -eq 0 ]]; then
    echo "sparkdit kernels: $FATBIN is up to date"
    exit 0
  fi
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
UNITY="$WORK/sparkdit_kernels.cu"
for f in "${SOURCES[@]}"; do echo "#include \"$f\""; done > "$UNITY"

THREADS="${SPARKDIT_NVCC_THREADS:-$(nproc 2>/dev/null || echo 2)}"
echo "sparkdit kernels: $NVCC, ${#SOURCES[@]} files, --threads $THREADS -> $FATBIN"
start=$(date +%s)
"$NVCC" -fatbin -O3 -std=c++17 --threads "$THREADS" -I"$SRC_DIR" \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_90a,code=sm_90a \
  -gencode arch=compute_90,code=compute_90 \
  -Xptxas -v -Xptxas -warn-spills \
  -o "$WORK/out.fatbin" "$UNITY" 2> "$WORK/ptxas.txt" || { cat "$WORK/ptxas.txt" >&2; exit 1; }
mkdir -p "$(dirname "$REPORT")"
{
  echo "# ptxas resource usage of sparkdit_kernels.fatbin ($("$NVCC" --version | tail -1))"
  cat "$WORK/ptxas.txt"
} > "$REPORT"
grep -iE "warning|error" "$WORK/ptxas.txt" >&2 || true
mv "$WORK/out.fatbin" "$FATBIN"
echo "sparkdit kernels: built in $(( $(date +%s) - start )) s; resource report in $REPORT"
