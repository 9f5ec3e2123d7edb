#!/usr/bin/env bash
# Measures how long `./habla chat` takes to show its `you>` prompt in a real terminal (a 120x30 tmux pane), with the
# built-in emulator (no GEMINI_API_KEY, so it starts in-process too).
#
# Clock: the pane's shell writes the start time just before it runs ./habla; tmux pipes everything the pane prints
# to a small watcher (pipe-pane), which writes the time it first sees "you> ". Nothing polls while habla starts. It
# also reports the java process's user+system CPU time at that moment (from /proc), which depends less on other load.
# Then it runs `./habla --help` RUNS times and reports its wall and CPU time (user+system of the whole launcher and
# JVM, from getrusage). Runs are warm: a first call builds if needed and makes the class archive.
# Usage: habla-cli/scripts/measure-startup.sh [RUNS] [extra chat args]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}; shift || true
work=$(mktemp -d)
sock=""
trap '[ -n "$sock" ] && tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$work"' EXIT
"$root/habla" --version >/dev/null   # builds if needed and makes the class archive
hz=$(getconf CLK_TCK)
cat > "$work/watch.py" <<'PY'
import os, sys, time
out, seen = sys.argv[1], b""
while True:
    chunk = os.read(0, 4096)
    if not chunk:
        break
    seen += chunk
    if b"you> " in seen:
        t = time.time_ns()
        with open(out, "w") as f:
            f.write(str(t))
        break
while os.read(0, 4096):
    pass
PY
walls=(); cpus=()
for i in $(seq "$runs"); do
  sock=habla-measure-$$-$i
  rm -f "$work/t0" "$work/t1"
  tmux -L "$sock" new-session -d -s m -x 120 -y 30 -c "$work" \
    "tmux -L $sock wait-for go; date +%s%N > $work/t0; env -u GEMINI_API_KEY HOME=$work $root/habla chat $*; sleep 30"
  tmux -L "$sock" pipe-pane -t m -o "python3 $work/watch.py $work/t1"
  tmux -L "$sock" wait-for -S go
  for _ in $(seq 600); do [ -s "$work/t1" ] && break; sleep 0.05; done
  [ -s "$work/t1" ] || { echo "no prompt after 30 s" >&2; exit 1; }
  jpid=$(pgrep -f "dev.habla.cli.Main chat" -P "$(tmux -L "$sock" display -p -t m '#{pane_pid}')" || true)
  cpu=-1
  if [ -n "$jpid" ] && [ -r "/proc/$jpid/stat" ]; then
    stat=$(sed 's/.*) //' "/proc/$jpid/stat"); read -r -a st <<<"$stat"
    cpu=$(( (st[11] + st[12]) * 1000 / hz ))
  fi
  walls+=($(( ($(cat "$work/t1") - $(cat "$work/t0")) / 1000000 ))); cpus+=("$cpu")
  tmux -L "$sock" kill-server; sock=""
done
stats() { local s; s=$(printf '%s\n' "$@" | sort -n); echo "min $(echo "$s" | head -1), median $(echo "$s" | sed -n "$(( ($# + 1) / 2 ))p"), max $(echo "$s" | tail -1)"; }
echo "wall ms: ${walls[*]}"
echo "cpu ms:  ${cpus[*]}"
echo "wall to prompt (ms): $(stats "${walls[@]}"); java cpu by then (ms): $(stats "${cpus[@]}"); load $(cut -d' ' -f1 /proc/loadavg)"
python3 - "$root/habla" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
walls, cpus = [], []
for _ in range(int(sys.argv[2])):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.run([sys.argv[1], "--help"], stdout=subprocess.DEVNULL, check=True)
    walls.append((time.monotonic() - t) * 1000)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpus.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
print("habla --help: wall median %.0f ms (min %.0f, max %.0f); cpu median %.0f ms (min %.0f, max %.0f)" % (
    statistics.median(walls), min(walls), max(walls), statistics.median(cpus), min(cpus), max(cpus)))
PY
