#!/usr/bin/env bash
# Runs the module's report program from its test sources (not a unit test):
#   habla-vision/run-report.sh [seconds per scene]   frame pipeline cost, bytes and skip share (module README figures)
# Needs ffmpeg; the screen row needs a display (e.g. DISPLAY=:99 with Xvfb running).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/jdk.sh
habla_find_jdk
mvn -q -B -pl habla-vision -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
exec java -cp "habla-vision/target/test-classes:habla-vision/target/classes:$(cat habla-vision/target/test-classpath.txt)" \
  dev.habla.vision.VisionCostReport "$@"
