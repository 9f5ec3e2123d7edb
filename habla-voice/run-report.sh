#!/usr/bin/env bash
# Prints the per-frame cost of Silero VAD, the energy VAD, the echo gate and the resamplers on this machine.
# Usage: habla-voice/vad-cost-report.sh [seconds of audio per round, default 20]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
habla_find_jdk
mvn -q -B -pl habla-voice -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
# onnxruntime writes under $HOME/.cache and extracts its library into java.io.tmpdir: keep both in target/.
scratch="$PWD/habla-voice/target/test-scratch"
mkdir -p "$scratch/home" "$scratch/tmp"
HOME="$scratch/home" exec java --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir="$scratch/tmp" \
  -cp "habla-voice/target/test-classes:habla-voice/target/classes:$(cat habla-voice/target/test-classpath.txt)" \
  dev.habla.voice.VadCostReport "$@"
