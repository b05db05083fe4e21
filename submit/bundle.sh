#!/usr/bin/env bash
# bundle.sh: build the self-contained SparkDiT bundle for GPU machines without Java or network.
#
#   submit/bundle.sh [--out DIR] [--max-mib N] [--no-cases]
#
# --no-cases leaves out sparkdit/cases/ (~29 MB of test case folders): a device call carries at most
# 64 MiB with the repository (~16 MB), so bring the cases you need beside a case-less bundle and point
# `gpu-tests --cases DIR` at them.
#
# Produces DIR/sparkdit-bundle.tar.xz and leaves the unpacked DIR/sparkdit/ beside it:
#   sparkdit/bin/sparkdit-gpu   launcher (finds the CUDA 13 libraries, runs dev.sparkdit.cli.Main)
#   sparkdit/runtime/           jlink'd Java 17 runtime from this machine's JDK
#   sparkdit/lib/               usp-attention, gpu-executor, gpu-checks, datasets, job and their runtime
#                               dependencies, minus Spark and the libtorch/OpenBLAS jars (the GPU box runs CUDA
#                               only; the job's Spark-free classes run render-group there)
#   sparkdit/BUILD-INFO.txt     what went in: commit, JDK, modules, jars
# Default DIR is bundle-out/ at the repository root (git ignores it). See docs/bundle.md.
set -euo pipefail

REPO=$(cd -- "$(dirname -- "$(readlink -f -- "${BASH_SOURCE[0]}")")/.." && pwd)
OUT="$REPO/bundle-out"
MAX_MIB=60
CASES=1
# Always in the runtime; jdeps adds whatever the bundled jars need beyond these, except OPTIONAL_MODULES.
BASE_MODULES=java.base,jdk.unsupported,java.logging,java.management
# Jackson refers to java.sql (java.sql.Date handlers) and java.desktop (java.beans annotations) but loads both
# optionally and works without them; they would add 30 MB to a bundle that travels within 64 MiB. The smoke test
# below runs JSON, tokenizer and picocli code on the trimmed runtime.
OPTIONAL_MODULES="java.sql java.desktop"

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "bundle.sh: error: $*" >&2; exit 1; }
say() { echo "bundle.sh: $*" >&2; }

while (($#)); do
  case "$1" in
    --out) [[ $# -ge 2 ]] || die "--out needs a folder"; OUT=$2; shift 2 ;;
    --out=*) OUT=${1#--out=}; shift ;;
    --max-mib) [[ $# -ge 2 ]] || die "--max-mib needs a number"; MAX_MIB=$2; shift 2 ;;
    --no-cases) CASES=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
mkdir -p -- "$OUT"
OUT=$(cd -- "$OUT" && pwd)
STAGE="$OUT/sparkdit"
TARBALL="$OUT/sparkdit-bundle.tar.xz"

# --- tools: the JDK 17 whose jlink/jdeps/jmods build the runtime ---------------------------------------
if [[ -z "${JAVA_HOME:-}" ]]; then
  jl=$(command -v jlink || true)
  [[ -n "$jl" ]] || die "no jlink on PATH and JAVA_HOME not set (needs a full JDK 17)"
  JAVA_HOME=$(dirname -- "$(dirname -- "$(readlink -f -- "$jl")")")
fi
for t in java javac jlink jdeps; do
  [[ -x "$JAVA_HOME/bin/$t" ]] || die "$JAVA_HOME/bin/$t missing (JAVA_HOME must be a full JDK 17)"
done
[[ -f "$JAVA_HOME/jmods/java.base.jmod" ]] || die "$JAVA_HOME/jmods has no java.base.jmod (install the JDK's jmods)"
jdk_version=$("$JAVA_HOME/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.version = /{print $2; exit}')
[[ "$jdk_version" == 17.* ]] || die "$JAVA_HOME is Java $jdk_version; the bundle's runtime must be Java 17"
command -v mvn >/dev/null || die "no mvn on PATH"
command -v xz >/dev/null || die "no xz on PATH"
say "JDK $jdk_version at $JAVA_HOME; output in $OUT"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sparkdit-bundle.XXXXXX")
trap 'rm -rf -- "$WORK"' EXIT

# --- 1. the project's jars and their runtime dependencies ---------------------------------------------
cd -- "$REPO"
rm -rf -- "$STAGE"
mkdir -p -- "$STAGE/bin" "$STAGE/lib"
MVN=(mvn -B -q -Dstyle.color=never -pl gpu-checks,job -am)
# One invocation builds and lists: a separate dependency:copy-dependencies run could not resolve
# usp-attention, which is only in the reactor, never installed in ~/.m2.
COPY_DEPS=(dependency:copy-dependencies
  -DincludeScope=runtime
  -DexcludeArtifactIds=pytorch,openblas
  -DexcludeGroupIds=dev.sparkdit,org.apache.spark,org.scala-lang
  -DoutputDirectory="$STAGE/lib")
say "building: ${MVN[*]} -DskipTests package ${COPY_DEPS[*]}"
if ! "${MVN[@]}" -DskipTests package "${COPY_DEPS[@]}" >"$WORK/package.log" 2>&1; then
  if grep -q "in offline mode" "$WORK/package.log"; then
    # The lifecycle's test phase still resolves maven-surefire-plugin (even with -DskipTests), and an
    # offline ~/.m2 may lack one of its dependencies. Build the same jars without the test phase:
    # everything up to process-classes (generated sources, compile, the nvcc fatbin), then jar:jar.
    say "'package' cannot resolve a plugin offline ($(grep -o 'artifact [^ ]* has not been downloaded' "$WORK/package.log" | head -1 || true));"
    say "building instead: ${MVN[*]} process-classes jar:jar ${COPY_DEPS[*]}"
    rm -rf -- "$STAGE/lib"; mkdir -p -- "$STAGE/lib"
    "${MVN[@]}" process-classes jar:jar "${COPY_DEPS[@]}" >"$WORK/build.log" 2>&1 \
      || { cat "$WORK/build.log" >&2; die "maven build failed (output above)"; }
  else
    cat "$WORK/package.log" >&2
    die "maven build failed (output above)"
  fi
fi

for m in usp-attention gpu-executor gpu-checks datasets job; do
  found=0
  for j in "$m"/target/*.jar; do
    [[ -e "$j" ]] || continue
    case "$j" in *-sources.jar|*-javadoc.jar|*-tests.jar|*/original-*.jar) continue ;; esac
    cp -- "$j" "$STAGE/lib/"; found=1
  done
  ((found)) || die "no jar under $m/target after the build"
done

# Check the list: what must be there, and what must not.
shopt -s nullglob
for need in 'javacpp-[0-9]*[0-9].jar' 'javacpp-*-linux-x86_64.jar' 'cuda-[0-9]*[0-9].jar' 'cuda-*-linux-x86_64.jar' \
            'usp-attention-*.jar' 'gpu-executor-*.jar' 'gpu-checks-*.jar' 'picocli-*.jar' 'jackson-databind-*.jar'; do
  m=("$STAGE"/lib/$need)
  ((${#m[@]})) || die "lib/ lacks $need"
done
bad=("$STAGE"/lib/pytorch-* "$STAGE"/lib/openblas-* "$STAGE"/lib/spark-* "$STAGE"/lib/scala-* "$STAGE"/lib/*-redist*
     "$STAGE"/lib/*-linux-arm64* "$STAGE"/lib/*-macosx-* "$STAGE"/lib/*-windows-* "$STAGE"/lib/junit-* "$STAGE"/lib/*-platform-*)
((${#bad[@]} == 0)) || die "lib/ holds jars that must not travel: ${bad[*]##*/}"
shopt -u nullglob
say "lib/:"
(cd "$STAGE/lib" && ls -l -- *.jar | awk '{printf "  %10d  %s\n", $5, $NF}') >&2

# --- 2. the Java runtime ----------------------------------------------------------------------------------
"$JAVA_HOME/bin/jdeps" --ignore-missing-deps --print-module-deps --multi-release 17 \
  "$STAGE"/lib/*.jar >"$WORK/jdeps.out" 2>&1 || { cat "$WORK/jdeps.out" >&2; die "jdeps failed"; }
jdeps_modules=$(grep -E '^[A-Za-z0-9._]+(,[A-Za-z0-9._]+)*$' "$WORK/jdeps.out" | tail -1 || true)
[[ -n "$jdeps_modules" ]] || { cat "$WORK/jdeps.out" >&2; die "jdeps printed no module list"; }
modules=$(printf '%s\n' "${BASE_MODULES//,/$'\n'}" "${jdeps_modules//,/$'\n'}" | sed '/^$/d' | sort -u \
  | grep -vxF -f <(printf '%s\n' $OPTIONAL_MODULES) | paste -sd, -)
say "jlink --add-modules $modules  (jdeps asked for: ${jdeps_modules:-nothing})"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" \
  --strip-debug --no-man-pages --no-header-files --compress=2 \
  --output "$STAGE/runtime"

# --- 3. launcher and build info ----------------------------------------------------------------------------
install -m 0755 -- "$REPO/submit/sparkdit-gpu" "$STAGE/bin/sparkdit-gpu"
{
  echo "SparkDiT bundle"
  echo "commit:   $(git -C "$REPO" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)"
  echo "built:    $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(uname -n)"
  echo "runtime:  jlink of JDK $jdk_version, modules $modules"
  echo "run:      sparkdit/bin/sparkdit-gpu gpu-tests | bench | parity | help (see docs/bundle.md)"
  echo "jars:"
  (cd "$STAGE/lib" && for j in *.jar; do printf '  %s  %s\n' "$(sha256sum "$j" | cut -c1-16)" "$j"; done)
} >"$STAGE/BUILD-INFO.txt"

# --- 3b. case folders for gpu-tests: the golden cases and random larger ones from the CPU backend -------
if [[ $CASES -eq 1 ]]; then
mkdir -p "$STAGE/cases"
cp -r "$REPO"/gpu-executor/src/test/resources/golden/* "$STAGE/cases/"
say "making random case folders (expected output from the CPU backend)"
"$REPO/submit/sparkdit" make-case --out "$STAGE/cases/random_hd128" --heads 2 --head-dim 128 --layers 1 \
  --single-layers 1 --grid 24x24 --txt 77 --joint-dim 128 --pooled-dim 64 --in-channels 64 \
  --weights-dtype bf16 --seed 11 >&2 || die "make-case random_hd128 failed"
"$REPO/submit/sparkdit" make-case --out "$STAGE/cases/random_odd" --heads 3 --head-dim 64 --layers 2 \
  --single-layers 1 --grid 7x9 --txt 13 --joint-dim 96 --no-guidance --weights-dtype bf16 --seed 12 >&2 \
  || die "make-case random_odd failed"
# Even token counts over 2 and 4 ranks (38+288, 19+144) and 6 heads: Ulysses' pipelined path, head chunks
"$REPO/submit/sparkdit" make-case --out "$STAGE/cases/random_even" --heads 6 --head-dim 32 --layers 1 \
  --single-layers 1 --grid 24x24 --txt 76 --joint-dim 64 --pooled-dim 32 --in-channels 16 \
  --weights-dtype bf16 --seed 13 >&2 || die "make-case random_even failed"
else
  say "--no-cases: no cases/ folder (gpu-tests needs --cases DIR)"
fi

# --- 4. smoke test on this machine, through the launcher --------------------------------------------------
"$STAGE/runtime/bin/java" -version 2>&1 | sed 's/^/  /' >&2
mkdir -p "$WORK/probe" "$WORK/cache"
cat >"$WORK/probe/BundleProbe.java" <<'EOF'
import org.bytedeco.javacpp.Loader;
public class BundleProbe {
    public static void main(String[] args) throws Exception {
        System.out.println("probe: java " + System.getProperty("java.version") + ", javacpp " + Loader.getVersion()
                + ", platform " + Loader.getPlatform() + ", pathsFirst=" + System.getProperty("org.bytedeco.javacpp.pathsFirst"));
        try {
            Class<?> cudart = Class.forName("org.bytedeco.cuda.global.cudart");
            Loader.load(cudart);
            int[] v = new int[1];
            cudart.getMethod("cudaRuntimeGetVersion", int[].class).invoke(null, (Object) v);
            System.out.println("probe: cudart loaded, cudaRuntimeGetVersion = " + v[0]);
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null) root = root.getCause();
            System.out.println("probe: cudart not loadable on this machine: " + root);
        }
    }
}
EOF
"$JAVA_HOME/bin/javac" -d "$WORK/probe" -cp "$STAGE/lib/*" "$WORK/probe/BundleProbe.java"
SPARKDIT_MAIN_CLASS=BundleProbe SPARKDIT_EXTRA_CP="$WORK/probe" SPARKDIT_SKIP_CUDA_CHECK=1 \
  SPARKDIT_CACHE_DIR="$WORK/cache" SPARKDIT_ERROR_DIR="$WORK" \
  "$STAGE/bin/sparkdit-gpu" 2>&1 | sed 's/^/  /' >&2 \
  || die "the bundled runtime could not run javacpp through bin/sparkdit-gpu"
# The trimmed runtime runs the CLI (picocli), JSON (Jackson) and the tokenizers: parity on two host-only cases.
for c in scheduler tokenizers_tiny; do
  SPARKDIT_SKIP_CUDA_CHECK=1 SPARKDIT_CACHE_DIR="$WORK/cache" SPARKDIT_ERROR_DIR="$WORK" \
    "$STAGE/bin/sparkdit-gpu" parity --case "$REPO/gpu-executor/src/test/resources/golden/$c" --json >"$WORK/smoke.out" 2>&1 \
    || { cat "$WORK/smoke.out" >&2; die "the bundle could not run 'parity --case $c' on its own runtime"; }
  say "smoke test: parity $c: $(grep -c '"pass":true' "$WORK/smoke.out") outputs pass"
done
# Every command loads without Spark (the job's Spark classes are only reached from 'run' and 'make-prompts').
SPARKDIT_SKIP_CUDA_CHECK=1 SPARKDIT_CACHE_DIR="$WORK/cache" "$STAGE/bin/sparkdit-gpu" --help >"$WORK/help.out" 2>&1 \
  || { cat "$WORK/help.out" >&2; die "the bundle's command list failed"; }
for c in render render-group gpu-tests bench parity; do
  grep -q "^ *$c " "$WORK/help.out" || { cat "$WORK/help.out" >&2; die "the bundle lacks the command $c"; }
done
say "smoke test: commands: $(grep -cE '^  [a-z]' "$WORK/help.out") listed"

# --- 5. the tarball ---------------------------------------------------------------------------------------
say "compressing $TARBALL"
rm -f -- "$TARBALL"
tar -C "$OUT" --sort=name --owner=0 --group=0 --numeric-owner -cf - sparkdit | xz -9 -T1 >"$TARBALL.part"
mv -- "$TARBALL.part" "$TARBALL"

bytes=$(stat -c %s -- "$TARBALL")
limit=$((MAX_MIB * 1024 * 1024))
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
say "sizes: runtime $(du -sh "$STAGE/runtime" | cut -f1), lib $(du -sh "$STAGE/lib" | cut -f1), unpacked $(du -sh "$STAGE" | cut -f1)"
if ((bytes > limit)); then
  die "$TARBALL is $mib MiB ($bytes bytes), over the $MAX_MIB MiB limit; it cannot travel to the GPU box. Look at the jars listed above."
fi
echo "$TARBALL: $mib MiB ($bytes bytes), limit $MAX_MIB MiB"
