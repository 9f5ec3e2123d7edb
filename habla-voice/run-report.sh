#!/usr/bin/env bash
# Runs one of the module's report programs from its test sources (they are not unit tests):
#   habla-voice/run-report.sh VadCostReport [seconds]   cost per frame of Silero/energy VAD, echo gate, resamplers
#   habla-voice/run-report.sh EchoGateSweep [trials]    echo-gate rates outside the tested ranges
set -euo pipefail
cd "$(dirname "$0")/.."
main="${1:-VadCostReport}"
[ $# -gt 0 ] && shift
. scripts/jdk.sh
habla_find_jdk
mvn -q -B -pl habla-voice -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# onnxruntime writes under $HOME/.cache and extracts its library into java.io.tmpdir: keep both in target/.
scratch="$PWD/habla-voice/target/test-scratch"
mkdir -p "$scratch/home" "$scratch/tmp"
HOME="$scratch/home" exec java --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$scratch/tmp" \
  -cp "habla-voice/target/test-classes:habla-voice/target/classes:$(cat habla-voice/target/test-classpath.txt)" \
  "dev.habla.voice.$main" "$@"
