#!/usr/bin/env bash
# Measures how long a pasted long line takes in `./habla chat`: starts the chat (built-in emulator, no key) in a
# 120x40 tmux pane, waits for `you> `, pastes CHARS characters of words as one line (tmux paste-buffer -p: bracketed
# paste when the application asked for it, as a terminal does), presses Enter, and stops the clock when the echo
# `You said: ` appears (the emulator has received the whole line). Reports wall time and the java process's CPU time
# spent in that window. A harness, not a test: figures go to habla-cli/README.md.
# Usage: habla-cli/scripts/measure-paste.sh [CHARS=5000] [RUNS=3]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
chars=${1:-5000}; runs=${2:-3}
work=$(mktemp -d)
sock=""
trap '[ -n "$sock" ] && tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$work"' EXIT
"$root/habla" --version >/dev/null   # builds if needed and makes the class archive
python3 - "$chars" > "$work/paste.txt" <<'PY'
import sys
words = "alpha beta gamma delta lorem ipsum dolor sit amet".split()
out, i = [], 0
while len(" ".join(out)) < int(sys.argv[1]):
    out.append(words[i % len(words)]); i += 1
sys.stdout.write(" ".join(out)[: int(sys.argv[1])])
PY
hz=$(getconf CLK_TCK)
cpu_ms() { local st; st=$(sed 's/.*) //' "/proc/$1/stat"); read -r -a f <<<"$st"; echo $(( (f[11] + f[12]) * 1000 / hz )); }
for i in $(seq "$runs"); do
  sock=habla-paste-$$-$i
  tmux -L "$sock" new-session -d -s m -x 120 -y 40 -c "$work" \
    "env -u GEMINI_API_KEY HOME=$work $root/habla chat; sleep 60"
  for _ in $(seq 300); do tmux -L "$sock" capture-pane -p -t m | grep -q 'you> ' && break; sleep 0.05; done
  jpid=$(pgrep -f "dev.habla.cli.Main chat" -P "$(tmux -L "$sock" display -p -t m '#{pane_pid}')")
  tmux -L "$sock" load-buffer "$work/paste.txt"
  c0=$(cpu_ms "$jpid"); t0=$(date +%s%N)
  tmux -L "$sock" paste-buffer ${HABLA_PASTE_RAW:+-r} $([ -z "${HABLA_PASTE_PLAIN:-}" ] && echo -p) -t m
  tmux -L "$sock" send-keys -t m Enter
  for _ in $(seq 6000); do tmux -L "$sock" capture-pane -p -t m | grep -q 'You said: ' && break; sleep 0.01; done
  t1=$(date +%s%N); c1=$(cpu_ms "$jpid")
  echo "run $i: $chars characters pasted, sent and echoed after $(( (t1 - t0) / 1000000 )) ms wall, java CPU $(( c1 - c0 )) ms"
  tmux -L "$sock" kill-server; sock=""
done
echo "load $(cut -d' ' -f1 /proc/loadavg)"
