#!/usr/bin/env bash
# gpu-discovery.sh: Spark's GPU discovery script for SparkDiT executors (and standalone workers).
#
# Prints the GPUs this process may use as Spark's resource JSON on stdout, e.g.
#   {"name":"gpu","addresses":["0","1","2","3"]}
# Spark gives each task one of these addresses (spark.task.resource.gpu.amount=1), and the task uses it as its CUDA
# device ordinal.
#
# The GPUs are nvidia-smi's (nvidia-smi --query-gpu=index --format=csv,noheader). When CUDA_VISIBLE_DEVICES is set,
# the process sees only those devices, renumbered from 0 in the order given, so the addresses are 0 .. n-1 for its n
# entries (each entry must be a GPU that nvidia-smi lists: an index, or a GPU-/MIG- UUID prefix, which is counted as
# given). No GPU, no nvidia-smi, or nvidia-smi failing: a message on stderr and exit status 1, so that Spark fails
# the executor with a reason instead of starting one without GPUs.
#
# Use: spark.executor.resource.gpu.discoveryScript=/path/to/conf/gpu-discovery.sh (and, on a standalone cluster,
# spark.worker.resource.gpu.discoveryScript); the file must be executable on every node.
set -euo pipefail

die() {
  echo "gpu-discovery.sh: $*" >&2
  exit 1
}

command -v nvidia-smi >/dev/null 2>&1 || die "nvidia-smi not found on PATH ($PATH): no NVIDIA driver on $(hostname 2>/dev/null || echo this host)?"

if ! listed=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1); then
  die "nvidia-smi --query-gpu=index failed: $listed"
fi
indices=()
while IFS= read -r line; do
  line=${line//[[:space:]]/}
  [[ -z "$line" ]] && continue
  [[ "$line" =~ ^[0-9]+$ ]] || die "unexpected line from nvidia-smi --query-gpu=index: '$line'"
  indices+=("$line")
done <<<"$listed"
((${#indices[@]})) || die "nvidia-smi lists no GPU"

addresses=()
if [[ -n "${CUDA_VISIBLE_DEVICES+set}" ]]; then
  IFS=, read -r -a visible <<<"$CUDA_VISIBLE_DEVICES"
  n=0
  for v in "${visible[@]+"${visible[@]}"}"; do
    v=${v//[[:space:]]/}
    [[ -z "$v" ]] && continue
    if [[ "$v" =~ ^-?[0-9]+$ ]]; then
      # CUDA stops at the first invalid ordinal: the devices after it are not visible either.
      found=0
      for i in "${indices[@]}"; do [[ "$i" == "$v" ]] && found=1; done
      ((found)) || { ((n > 0)) && break; die "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES names GPU $v, which nvidia-smi does not list (GPUs: ${indices[*]})"; }
    elif [[ ! "$v" =~ ^(GPU|MIG)- ]]; then
      die "CUDA_VISIBLE_DEVICES=$CUDA_VISIBLE_DEVICES: '$v' is neither a GPU index nor a GPU-/MIG- UUID"
    fi
    addresses+=("$n")
    n=$((n + 1))
  done
  ((n > 0)) || die "CUDA_VISIBLE_DEVICES='$CUDA_VISIBLE_DEVICES' leaves no GPU visible"
else
  addresses=("${indices[@]}")
fi

json='{"name":"gpu","addresses":['
sep=""
for a in "${addresses[@]}"; do
  json+="$sep\"$a\""
  sep=","
done
echo "$json]}"
