#!/usr/bin/env bash
# Knowledge benchmark harness (not part of the test run): passages indexed per second, query latency p50/p95
# (embedding + hybrid search) at 10k and 100k passages, memory. Needs the Debian Reference
# (apt-get install debian-reference-en debian-reference-es). Usage: habla-knowledge-lucene/run-bench.sh [SIZES [QUERIES]]
#   e.g. run-bench.sh 10000,100000 300;
#   BENCH_OPTS=-Dbench.spanish=false opens the stores without the second model for Spanish (e5; default: with it)
#   BENCH_OPTS=-Dbench.embedders=true only compares onnxruntime session set-ups for the query embedding
#   BENCH_OPTS=-Dbench.mergeWorkers=true only times forceMerge(1) of a 2-segment index with 1 and 2 HNSW merge workers
set -euo pipefail
cd "$(dirname "$0")/.."
: "${JAVA_HOME:=/usr/lib/jvm/temurin-25-jdk-amd64}"
export JAVA_HOME
mvn -q -B -o -pl habla-knowledge-lucene -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath
cd habla-knowledge-lucene
scratch="target/bench-scratch"
mkdir -p "$scratch/home" "$scratch/tmp"
# onnxruntime and DJL write under HOME / user.home and java.io.tmpdir: keep them in target/.
# The class path goes in CLASSPATH, not -cp: onnxruntime crashes a JVM whose command line is over ~3,980 bytes.
CLASSPATH="target/test-classes:target/classes:$(cat target/bench.classpath)" HOME="$PWD/$scratch/home" \
    exec "$JAVA_HOME/bin/java" -Xmx3g --add-modules jdk.incubator.vector \
    --enable-native-access=ALL-UNNAMED -Duser.home="$PWD/$scratch/home" -Djava.io.tmpdir="$PWD/$scratch/tmp" \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn ${BENCH_OPTS:-} \
    dev.habla.knowledge.lucene.KnowledgeBench "$@"
