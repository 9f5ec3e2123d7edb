#!/usr/bin/env bash
# Measures how long `./habla chat` takes to show its `you> ` prompt in a real terminal (tmux), with the built-in
# emulator (no GEMINI_API_KEY). The clock starts just before tmux launches the command and stops when the prompt is
# on screen (capture-pane polled every 5 ms). Usage: habla-cli/scripts/measure-startup.sh [RUNS] [extra chat args]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
runs=${1:-10}; shift || true
sock=habla-measure-$$
work=$(mktemp -d)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
"$root/habla" --version >/dev/null   # builds if needed, creates the CDS archive
times=()
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  tmux -L "$sock" new-session -d -s m -x 120 -y 30 -c "$work" \
    "env -u GEMINI_API_KEY HOME=$work $root/habla chat $*; sleep 5"
  while ! tmux -L "$sock" capture-pane -p -t m 2>/dev/null | grep -q '^you>'; do
    sleep 0.005
    if [ $(( ($(date +%s%N) - start) / 1000000 )) -gt 20000 ]; then echo "no prompt after 20 s" >&2; exit 1; fi
  done
  end=$(date +%s%N)
  times+=($(( (end - start) / 1000000 )))
  tmux -L "$sock" kill-server
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
echo "runs (ms): ${times[*]}"
echo "min $(echo "$sorted" | head -1) ms, median $(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p") ms, max $(echo "$sorted" | tail -1) ms"
