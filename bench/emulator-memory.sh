#!/usr/bin/env bash
# Builds habla-emulator (and what it needs) and runs EmulatorMemoryHarness: an emulated hour of 16 kHz audio through
# the emulator on a FakeClock, as fast as the machine goes, printing the heap retained after GC every 5 emulated
# minutes (habla-emulator/README.md, "Memory").
#
#   bench/emulator-memory.sh                                   # 2 sessions, 60 min, default caps
#   bench/emulator-memory.sh --sessions 4 --minutes 120 --max-recorded-audio-mb 8 --recorded-messages 0
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
. scripts/jdk.sh
habla_find_jdk
JAVA="$JAVA_HOME/bin/java"
mvn -q -B -o -pl habla-emulator -am test-compile dependency:build-classpath -Dmdep.outputFile=target/harness.cp \
    -Dmdep.includeScope=test >/dev/null
CP="habla-emulator/target/test-classes:habla-emulator/target/classes:$(cat habla-emulator/target/harness.cp)"
"$JAVA" -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$CP" dev.habla.emulator.EmulatorMemoryHarness "$@"
