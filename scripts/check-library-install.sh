#!/usr/bin/env bash
# Checks the README's library instructions as a new Java developer meets them (.ci/run calls it after ./run-tests):
#   1. on a JDK older than 21 (if one is installed), plain `mvn install` stops within seconds with the enforcer's
#      message naming the JDK needed, instead of failing deep in the compiler;
#   2. with a JDK 21+, `mvn install -DskipTests` works and runs no npm (node/npm on PATH are traps that fail the check);
#   3. examples/quickstart, built on its own against the installed artifacts (`mvn test` in that folder), passes.
# The install goes to a scratch local repository seeded from ~/.m2 (so other builds' ~/.m2 is never touched).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-library-install: FAIL: $*" >&2; exit 1; }

# ---- 1. an old JDK stops at once ----
old=""
for j in /usr/lib/jvm/*; do
  [ -x "$j/bin/javac" ] && [ ! -L "$j" ] || continue
  . scripts/jdk.sh
  v=$(habla_java_major "$j")
  if [ "$v" -gt 0 ] && [ "$v" -lt 21 ]; then old=$j; break; fi
done
if [ -n "$old" ]; then
  start=$(date +%s)
  if JAVA_HOME=$old mvn -B -ntp -o install -DskipTests >"$work/old.log" 2>&1; then fail "mvn install on $old succeeded?"; fi
  took=$(( $(date +%s) - start ))
  grep -q "Habla needs a JDK 21 or newer" "$work/old.log" || { tail -20 "$work/old.log"; fail "no JDK message on $old"; }
  grep -q "release version 21 not supported" "$work/old.log" && fail "the compiler ran on $old"
  [ "$took" -le 30 ] || fail "mvn install on $old took ${took}s before stopping"
  echo "check-library-install: JDK $(habla_java_major "$old") ($old): mvn install stopped after ${took}s with the message"
else
  echo "check-library-install: no JDK < 21 under /usr/lib/jvm; step 1 skipped"
fi

# ---- 2. install with a JDK 21+, no npm ----
. scripts/jdk.sh
habla_find_jdk
repo=$work/repository
if [ -d "$HOME/.m2/repository" ]; then cp -a "$HOME/.m2/repository" "$repo"; else mkdir -p "$repo"; fi
mkdir -p "$work/trap"
for t in npm node npx; do
  printf '#!/bin/sh\necho "%s was run: $*" >> %s/npm-calls\nexit 1\n' "$t" "$work" > "$work/trap/$t"
  chmod +x "$work/trap/$t"
done
PATH="$work/trap:$PATH" mvn -B -ntp install -DskipTests -Dmaven.repo.local="$repo" >"$work/install.log" 2>&1 \
  || { grep -E '^\[ERROR\]' "$work/install.log" | head -20; fail "mvn install -DskipTests failed"; }
[ ! -e "$work/npm-calls" ] || { cat "$work/npm-calls"; fail "mvn install -DskipTests ran npm/node"; }
echo "check-library-install: mvn install -DskipTests on JDK $(habla_java_major "$JAVA_HOME"): ok, no npm"

# ---- 3. the example project on its own ----
cp -r examples/quickstart "$work/quickstart"
rm -rf "$work/quickstart/target"
(cd "$work/quickstart" && mvn -B -ntp test -Dmaven.repo.local="$repo" >"$work/example.log" 2>&1) \
  || { grep -E '^\[ERROR\]|Tests run' "$work/example.log" | head -20; fail "the example project's build failed"; }
grep -E 'Tests run: [0-9]+, Failures: 0, Errors: 0' "$work/example.log" | tail -1
echo "check-library-install: examples/quickstart builds and its tests pass against the installed artifacts"
