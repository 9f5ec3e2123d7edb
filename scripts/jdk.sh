# Sourced by ./habla, ./run-tests and bench scripts: exports JAVA_HOME pointing at a JDK >= 21.
# Order: $JAVA_HOME, the javac on PATH, then the newest JDK under /usr/lib/jvm. Prints one clear line and returns 1
# when none qualifies (the machines here default to Java 17; Habla needs 21+).
habla_java_major() { # $1 = path to a java binary; prints the feature version (17, 21, 25...) or nothing
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}
habla_find_jdk() {
  local cand v best="" bestv=0 seen=""
  for cand in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")" 2>/dev/null)" /usr/lib/jvm/*; do
    [ -n "$cand" ] && [ -x "$cand/bin/java" ] && [ -x "$cand/bin/javac" ] || continue
    v=$(habla_java_major "$cand/bin/java"); v=${v:-0}
    seen="$seen $(basename "$cand")=$v"
    if [ "$v" -ge 21 ]; then
      # $JAVA_HOME or PATH wins if suitable; otherwise keep the newest.
      if [ "$cand" = "${JAVA_HOME:-}" ]; then best=$cand; bestv=$v; break; fi
      if [ "$v" -gt "$bestv" ]; then best=$cand; bestv=$v; fi
    fi
  done
  if [ -z "$best" ]; then
    echo "habla: no JDK 21 or newer found (found:${seen:- none}). Install one (e.g. Temurin 21/25) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME="$best"
  export PATH="$JAVA_HOME/bin:$PATH"
}
