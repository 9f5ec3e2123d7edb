#!/usr/bin/env bash
# Virtual sound devices for the device-path tests on machines without a sound card (CI containers, VMs):
# a PulseAudio daemon with two null sinks, run as root or a normal user, no D-Bus, no systemd
# (shared/docs/ecosystem.md §2.2).
#
#   vsink  the "speaker": the default sink; what Java plays can be recorded from vsink.monitor
#   vmic   the "microphone": `paplay --device=vmic speech.wav` feeds it; its monitor, vmic.monitor, is the
#          default source, so Java Sound's default TargetDataLine records what was played into vmic
#
# Usage:
#   scripts/pulse-test-env.sh start    start the daemon and load the sinks (idempotent: a running one is reused)
#   scripts/pulse-test-env.sh stop     stop the daemon (idempotent)
#   scripts/pulse-test-env.sh status   exit 0 when the daemon answers and both sinks exist
#   scripts/pulse-test-env.sh env      print the export lines a shell needs to talk to it (eval "$(... env)")
#
# Everything lives under $HABLA_PULSE_DIR (default /tmp/habla-pulse): runtime/ is the XDG_RUNTIME_DIR clients
# must use (habla-assistant's surefire configuration passes exactly that directory to the test JVM), home/ is the
# daemon's HOME (cookie, state), daemon.log its log. The daemon never touches the real user's sound setup.
# Needs: apt-get install -y --no-install-recommends pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
set -euo pipefail

dir=${HABLA_PULSE_DIR:-/tmp/habla-pulse}
runtime=$dir/runtime
home=$dir/home
log=$dir/daemon.log

export XDG_RUNTIME_DIR=$runtime
export PULSE_RUNTIME_PATH=$runtime/pulse
unset PULSE_SERVER

pa_env() {
  env -u PULSE_SERVER HOME="$home" XDG_RUNTIME_DIR="$runtime" PULSE_RUNTIME_PATH="$runtime/pulse" "$@"
}

answers() { pa_env pactl info >/dev/null 2>&1; }

has_sink() { pa_env pactl list short sinks 2>/dev/null | awk '{print $2}' | grep -qx "$1"; }

ready() { answers && has_sink vsink && has_sink vmic; }

start() {
  for tool in pulseaudio pactl paplay parecord; do
    command -v "$tool" >/dev/null 2>&1 || {
      echo "pulse-test-env: $tool not found; install: apt-get install -y --no-install-recommends pulseaudio pulseaudio-utils libasound2-plugins alsa-utils" >&2
      exit 1
    }
  done
  mkdir -p "$runtime" "$home"
  chmod 700 "$runtime"
  if ! answers; then
    # A stale socket or pid file from a killed daemon would make the new one refuse to start.
    rm -rf "$runtime/pulse"
    # -n: no default.pa (it wants udev, D-Bus and real cards); the modules we need are loaded explicitly.
    # auth-anonymous: clients need no cookie (tests run with their own scratch HOME).
    pa_env pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit=yes -n --use-pid-file=yes \
      --log-target=file:"$log" --log-level=warning \
      --load="module-native-protocol-unix auth-anonymous=1" \
      --load="module-null-sink sink_name=vsink rate=24000 channels=1 sink_properties=device.description=habla-virtual-speaker" \
      --load="module-null-sink sink_name=vmic rate=16000 channels=1 sink_properties=device.description=habla-virtual-mic" \
      --load="module-always-sink" 2>>"$log" || true
    for _ in $(seq 1 100); do answers && break; sleep 0.1; done
    answers || { echo "pulse-test-env: the PulseAudio daemon did not start; see $log:" >&2; tail -20 "$log" >&2 || true; exit 1; }
  fi
  has_sink vsink || pa_env pactl load-module module-null-sink sink_name=vsink rate=24000 channels=1 >/dev/null
  has_sink vmic || pa_env pactl load-module module-null-sink sink_name=vmic rate=16000 channels=1 >/dev/null
  pa_env pactl set-default-sink vsink
  pa_env pactl set-default-source vmic.monitor
  ready || { echo "pulse-test-env: sinks vsink/vmic missing after start" >&2; exit 1; }
  echo "pulse-test-env: PulseAudio ready (XDG_RUNTIME_DIR=$runtime; speaker vsink, mic vmic -> vmic.monitor)"
}

stop() {
  if answers; then
    pa_env pulseaudio --kill >/dev/null 2>&1 || true
    for _ in $(seq 1 50); do answers || break; sleep 0.1; done
  fi
  rm -rf "$runtime/pulse"
  echo "pulse-test-env: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if ready; then echo "pulse-test-env: running ($runtime)"; else echo "pulse-test-env: not running" >&2; exit 1; fi ;;
  env) echo "export XDG_RUNTIME_DIR=$runtime" ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 64 ;;
esac
