#!/usr/bin/env bash
# Builds habla-bench and runs the codec benchmarks (Habla LiveCodec vs the official Java SDK 2.0.0), then prints
# Habla/SDK throughput ratios computed from the JMH results of this same run.
#
#   bench/codec.sh                 # short but meaningful run: 1 fork, 3 x 1 s warm-up, 5 x 1 s measurement (~2 min)
#   bench/codec.sh -f 3 -i 10      # extra arguments go to JMH; -f/-wi/-w/-i/-r replace the defaults
#   bench/codec.sh -prof gc        # allocation rates per benchmark
#   BENCH_SKIP_BUILD=1 bench/codec.sh   # reuse habla-bench/target/benchmarks.jar
#   BENCH_CPU_CHECK=1 bench/codec.sh    # also time the same operations in CPU-seconds (steady on a loaded machine)
#   BENCH_CLASS=RealtimeCodecBenchmark bench/codec.sh   # the OpenAI Realtime codec vs plain Jackson (issue 13)
#
# Needs a JDK 21+ (JAVA_HOME if it is one, else /usr/lib/jvm/*25* or *21*) and Maven.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

java_feature() { # prints the feature release of the JDK at $1, or nothing
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}

pick_jdk() {
    if [ -n "${JAVA_HOME:-}" ]; then
        v="$(java_feature "$JAVA_HOME")"
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$JAVA_HOME"; return; fi
    fi
    for d in /usr/lib/jvm/*25*/ /usr/lib/jvm/*21*/; do
        [ -d "$d" ] || continue
        d="${d%/}"
        v="$(java_feature "$d")"
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then echo "$d"; return; fi
    done
}

JDK="$(pick_jdk)"
if [ -z "$JDK" ]; then
    echo "bench/codec.sh: no JDK 21 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked in /usr/lib/jvm/*25* and *21*)." >&2
    echo "Install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    exit 1
fi
export JAVA_HOME="$JDK"
JAVA="$JDK/bin/java"
command -v mvn >/dev/null || { echo "bench/codec.sh: mvn not found on PATH" >&2; exit 1; }

JAR="$ROOT/habla-bench/target/benchmarks.jar"
if [ -z "${BENCH_SKIP_BUILD:-}" ] || [ ! -f "$JAR" ]; then
    echo "== building habla-bench with $("$JAVA" -version 2>&1 | head -1)"
    mvn -q -B -pl habla-bench -am package -DskipTests
fi

OUT="$ROOT/habla-bench/target/jmh-codec-$(date +%Y%m%d-%H%M%S).json"
BENCH_CLASS="${BENCH_CLASS:-CodecBenchmark}"
echo "== running $BENCH_CLASS ($(nproc 2>/dev/null || echo '?') cores, $("$JAVA" -version 2>&1 | head -1))"
# Defaults, each dropped when the caller gives that option (JMH rejects an option given twice).
declare -A DEFAULTS=([-f]=1 [-wi]=3 [-w]=1s [-i]=5 [-r]=1s)
for a in "$@"; do unset "DEFAULTS[$a]" 2>/dev/null || true; done
ARGS=()
for k in "${!DEFAULTS[@]}"; do ARGS+=("$k" "${DEFAULTS[$k]}"); done
"$JAVA" -jar "$JAR" "dev.habla.bench.$BENCH_CLASS" "${ARGS[@]}" -rf json -rff "$OUT" "$@"

echo
echo "== Habla/SDK throughput, same run ($OUT)"
"$JAVA" -cp "$JAR" dev.habla.bench.Report "$OUT" "$([ "$BENCH_CLASS" = CodecBenchmark ] && echo 3 || echo 1)"

if [ -n "${BENCH_CPU_CHECK:-}" ] && [ "$BENCH_CLASS" = CodecBenchmark ]; then
    echo
    echo "== cross-check: operations per CPU-second of the benchmark thread (dev.habla.bench.CpuTimeCheck)"
    "$JAVA" -Xms1g -Xmx1g -cp "$JAR" dev.habla.bench.CpuTimeCheck
fi
