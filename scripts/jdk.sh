# Sourced by ./habla, ./run-tests and the bench scripts: finds a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: $JAVA_HOME if >= 21; else the java on PATH if >= 21; else the newest /usr/lib/jvm/* JDK (with javac) >= 21
# (override the folder with HABLA_JVM_DIR). The machines here default to Java 17; one clear line when nothing fits.

# Feature version (17, 21, 25) of the JDK or JRE at $1: from its release file (instant), else by asking java.
habla_java_major() {
  local v=""
  if [ -f "$1/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$1/release" | head -1)
  fi
  if [ -z "$v" ] && [ -x "$1/bin/java" ]; then
    v=$("$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -1)
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  v=${v%%[!0-9]*}
  echo "${v:-0}"
}

habla_find_jdk() {
  local seen=() v cand best="" bestv=0 java_on_path jdk=""
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    v=$(habla_java_major "$JAVA_HOME"); seen+=("JAVA_HOME=$JAVA_HOME (Java $v)")
    [ "$v" -ge 21 ] && jdk=$JAVA_HOME
  fi
  if [ -z "$jdk" ] && java_on_path=$(command -v java 2>/dev/null); then
    cand=$(dirname "$(dirname "$(readlink -f "$java_on_path")")")
    v=$(habla_java_major "$cand"); seen+=("java on PATH=$cand (Java $v)")
    [ "$v" -ge 21 ] && jdk=$cand
  fi
  if [ -z "$jdk" ]; then
    for cand in "${HABLA_JVM_DIR:-/usr/lib/jvm}"/*; do
      [ -x "$cand/bin/javac" ] && [ ! -L "$cand" ] || continue
      v=$(habla_java_major "$cand"); seen+=("$cand (Java $v)")
      if [ "$v" -ge 21 ] && [ "$v" -gt "$bestv" ]; then best=$cand; bestv=$v; fi
    done
    jdk=$best
  fi
  if [ -z "$jdk" ]; then
    local found="no Java at all"
    [ "${#seen[@]}" -gt 0 ] && found=$(printf '%s, ' "${seen[@]}") && found=${found%, }
    echo "habla: needs a JDK 21 or newer, found: $found. Install one (e.g. Temurin 21 or 25) or set JAVA_HOME." >&2
    return 1
  fi
  export JAVA_HOME=$jdk
  export PATH="$JAVA_HOME/bin:$PATH"
}
