#!/usr/bin/env bash
# Fetches the conformance oracles of habla-conformance. Idempotent and fast when already done; Maven runs it in the
# `initialize` phase, so `mvn test` on a fresh clone just works. Needs node + npm on PATH and the npm registry.
#
#   1. js/node_modules      npm ci from the committed js/package-lock.json (@google/genai pinned at exactly 3.3.0:
#                           a plain `npm install @google/genai` on Node 20 silently resolves 2.32.0)
#   2. oracle/proto/...     the five v1beta .proto files of npm @google-ai/generativelanguage@4.1.0 (tarball shasum
#                           checked), compiled by protobuf-maven-plugin in generate-test-sources
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
genai_version="3.3.0"
protos_pkg="@google-ai/generativelanguage@4.1.0"
protos_sha1="fc4b8aad105274567f47335104f51657d5886654"
protos_dir="google/ai/generativelanguage/v1beta"
protos=(generative_service content citation retriever safety)

die() { echo "prepare-oracles: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node is not on PATH (Node >= 20 is needed for the JS SDK oracle)"
command -v npm >/dev/null 2>&1 || die "npm is not on PATH"

# ---- 1. the official JS SDK, exactly as locked ----
installed="$(node -p "try { require('$here/js/node_modules/@google/genai/package.json').version } catch (e) { '' }")"
if [[ "$installed" != "$genai_version" || ! -d "$here/js/node_modules/ws" || "$here/js/package-lock.json" -nt "$here/js/node_modules/.package-lock.json" ]]; then
  echo "prepare-oracles: npm ci in js/ (@google/genai $genai_version)"
  # engines of 3.3.0 says node>=22 but it runs on Node 20: EBADENGINE is a warning only (engine-strict off).
  (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error --engine-strict=false) \
    || die "npm ci failed in $here/js"
  installed="$(node -p "require('$here/js/node_modules/@google/genai/package.json').version")"
  [[ "$installed" == "$genai_version" ]] || die "js/node_modules has @google/genai $installed, expected $genai_version"
fi

# ---- 2. the v1beta protos ----
out="$here/oracle/proto/$protos_dir"
missing=0
for p in "${protos[@]}"; do [[ -s "$out/$p.proto" ]] || missing=1; done
if [[ $missing == 1 ]]; then
  echo "prepare-oracles: npm pack $protos_pkg"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack "$protos_pkg" --loglevel=error >/dev/null) || die "npm pack $protos_pkg failed"
  tgz="$(ls "$tmp"/*.tgz)"
  sha="$(sha1sum "$tgz" | cut -d' ' -f1)"
  [[ "$sha" == "$protos_sha1" ]] || die "$protos_pkg tarball shasum $sha, expected $protos_sha1"
  members=()
  for p in "${protos[@]}"; do members+=("package/build/protos/$protos_dir/$p.proto"); done
  tar -xzf "$tgz" -C "$tmp" "${members[@]}" || die "cannot extract the protos from $tgz"
  mkdir -p "$out"
  for p in "${protos[@]}"; do cp "$tmp/package/build/protos/$protos_dir/$p.proto" "$out/$p.proto"; done
  echo "prepare-oracles: ${#protos[@]} protos in $out"
fi
