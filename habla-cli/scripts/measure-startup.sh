#!/usr/bin/env bash
# Measures how long `./habla chat` takes to show its `you>` prompt in a real terminal (tmux 120x30), with the
# built-in emulator (no GEMINI_API_KEY). Wall time: from just before tmux launches the command until the prompt is
# on screen (capture-pane polled every 5 ms). CPU time: user+system time the java process had used at that moment
# (from /proc; less sensitive to other load on the machine than wall time).
# Usage: habla-cli/scripts/measure-startup.sh [RUNS] [extra chat args]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}; shift || true
work=$(mktemp -d)
sock=""
trap '[ -n "$sock" ] && tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$work"' EXIT
"$root/habla" --version >/dev/null   # builds if needed and makes the class archive
hz=$(getconf CLK_TCK)
walls=(); cpus=()
for i in $(seq "$runs"); do
  sock=habla-measure-$$-$i
  start=$(date +%s%N)
  tmux -L "$sock" new-session -d -s m -x 120 -y 30 -c "$work" \
    "env -u GEMINI_API_KEY HOME=$work $root/habla chat $*; sleep 5"
  while ! tmux -L "$sock" capture-pane -p -t m 2>/dev/null | grep -q '^you>'; do
    sleep 0.005
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 30000 ]; then echo "no prompt after 30 s" >&2; exit 1; fi
  done
  end=$(date +%s%N)
  pane=$(tmux -L "$sock" display -p -t m '#{pane_pid}')
  jpid=$(pgrep -f -P "$pane" java || pgrep -f java -P "$(pgrep -P "$pane" | head -1)" || true)
  cpu=-1
  if [ -n "$jpid" ] && [ -r "/proc/$jpid/stat" ]; then
    read -r -a st < "/proc/$jpid/stat"
    cpu=$(( (st[13] + st[14]) * 1000 / hz ))
  fi
  walls+=($(( (end - start) / 1000000 ))); cpus+=("$cpu")
  tmux -L "$sock" kill-server; sock=""
done
stats() { local s; s=$(printf '%s\n' "$@" | sort -n); echo "min $(echo "$s" | head -1), median $(echo "$s" | sed -n "$(( ($# + 1) / 2 ))p"), max $(echo "$s" | tail -1)"; }
echo "wall ms: ${walls[*]}"
echo "cpu ms:  ${cpus[*]}"
echo "wall to prompt (ms): $(stats "${walls[@]}"); java cpu to prompt (ms): $(stats "${cpus[@]}"); load $(cut -d' ' -f1 /proc/loadavg)"
