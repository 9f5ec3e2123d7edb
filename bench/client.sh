#!/usr/bin/env bash
# Builds habla-bench and runs ClientThroughput: messages per second through Habla's client (habla-client) and the
# official Java SDK com.google.genai:google-genai 2.0.0 over loopback, send path and decode path, in the same run, and
# prints Habla/SDK ratios, reorders and checksum results (habla-bench/README.md, "Client throughput").
#
#   bench/client.sh                        # 20,000 msgs per run, 1 warm-up + 3 measured rounds, light server (~2 min)
#   bench/client.sh --server emulator      # the same against habla-emulator instead of the light Jetty endpoint
#   bench/client.sh --sdk-deflate          # let the SDK negotiate permessage-deflate (OkHttp offers it, Jetty accepts)
#   bench/client.sh --send 5000 --rounds 5 # other arguments go to the harness (--help lists them)
#   BENCH_SKIP_BUILD=1 bench/client.sh     # reuse habla-bench/target/benchmarks.jar
#   BENCH_REORDER_CHECK=0 bench/client.sh  # skip the second JVM (SDK reordering with common-pool parallelism 3)
#
# Needs a JDK 21+ (scripts/jdk.sh finds one) and Maven. The machine should be otherwise idle for stable numbers; the
# table shows every measured round and CPU time per message, which is steadier than msgs/s when it is not.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/jdk.sh
habla_find_jdk
JAVA="$JAVA_HOME/bin/java"
command -v mvn >/dev/null || { echo "bench/client.sh: mvn not found on PATH" >&2; exit 1; }

JAR="$ROOT/habla-bench/target/benchmarks.jar"
if [ -z "${BENCH_SKIP_BUILD:-}" ] || [ ! -f "$JAR" ]; then
    echo "== building habla-bench with $("$JAVA" -version 2>&1 | head -1)"
    mvn -q -B -pl habla-bench -am package -Dmaven.test.skip=true
fi

echo "== ClientThroughput ($(nproc 2>/dev/null || echo '?') cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'), $("$JAVA" -version 2>&1 | head -1))"
"$JAVA" -Xms1g -Xmx3g -cp "$JAR" dev.habla.bench.ClientThroughput "$@"

if [ "${BENCH_REORDER_CHECK:-1}" != 0 ]; then
    # On 2 cores the common pool has one worker, so single-producer fire-and-forget sends stay in order by luck;
    # with 4+ cores (parallelism >= 3) they run concurrently. Same harness, that pool size, reorders only.
    echo
    echo "== SDK fire-and-forget reorders with ForkJoinPool.common.parallelism=3 (as on a 4-core machine), 10,000 msgs, 1 round"
    "$JAVA" -Xms512m -Xmx2g -Djava.util.concurrent.ForkJoinPool.common.parallelism=3 -cp "$JAR" dev.habla.bench.ClientThroughput \
        --send 10000 --warmup 0 --rounds 1 --threads 1,4 --only 'send SDK_NAIVE' --no-ceiling --no-probe \
        | sed -n '/^Reorders/,/^[^ R]/p' | grep -v '^One unbounded' || true
fi
