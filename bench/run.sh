#!/usr/bin/env bash
# Whole-process timings of the release binary on generated services, against `serverless
# package` 3.40 when it is installed:
#
#   bench/run.sh [REFERENCE]
#
# REFERENCE (or $SERVERLESS_REFERENCE) is the Serverless Framework 3.40 entry point,
# `node_modules/serverless/bin/serverless.js` (not osls); without it the script looks in
# $STREAMING_EVENTS_NPM_DIR, else ~/.cache/streaming-events-ci/npm, and leaves the reference out
# when it finds nothing. The services (crates/core/benches/common/mod.rs) have n functions × 5
# streaming events; n ≥ 1,000 list serverless-plugin-split-stacks (with per-function roles and
# no versions), and each size is run with literals and with every shared value read through
# ${self:custom.…}. Each figure is the median of $RUNS (5) runs ($REFERENCE_RUNS, 3, for the
# reference); peak memory is the maximum resident set of one run (GNU time). $SIZES (default
# "1 10 60 1000 10000") picks the sizes; the reference runs only below 1,000 (above, it would
# need serverless-plugin-split-stacks installed). $STREAMING_EVENTS_BIN times another binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${RUNS:-5}
reference_runs=${REFERENCE_RUNS:-3}
sizes=${SIZES:-"1 10 60 1000 10000"}
npm_dir=${STREAMING_EVENTS_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streaming-events-ci/npm}
reference=${1:-${SERVERLESS_REFERENCE:-}}
if [ -z "$reference" ] && [ -f "$npm_dir/node_modules/serverless/bin/serverless.js" ]; then
  reference=$npm_dir/node_modules/serverless/bin/serverless.js
fi
if [ -n "$reference" ] && [ ! -f "$reference" ]; then
  echo "no such reference: $reference" >&2
  exit 2
fi

(cd "$root" && cargo build --quiet --release -p streaming-events \
  && cargo build --quiet --release -p streaming-events-core --example bench-service)
# $STREAMING_EVENTS_BIN: another build to time (an older commit's, to compare).
bin=${STREAMING_EVENTS_BIN:-$root/target/release/streaming-events}
generate=$root/target/release/examples/bench-service
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*'
work=$(mktemp -d)
# shellcheck source=bench/service.sh
. "$root/bench/service.sh"
trap 'rm -rf "$work"' EXIT

now_us() { local t=${EPOCHREALTIME/[.,]/}; echo "$t"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
# The median wall time in ms (three decimals) of $1 runs of the rest of the line.
time_ms() {
  local count=$1; shift
  for _ in $(seq "$count"); do
    local start end
    start=$(now_us)
    "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2 || true; exit 1; }
    end=$(now_us)
    echo $(( end - start ))
  done | median | awk '{ printf "%.3f", $1 / 1000 }'
}
peak_mb() {
  if /usr/bin/time -f %M true > /dev/null 2>&1; then
    { /usr/bin/time -f %M "$@" > /dev/null 2> "$work/time.err"; } || true
    tail -n 1 "$work/time.err" | awk '{ printf "%.1f", $1 / 1024 }'
  else
    printf 'n/a'
  fi
}

echo "process start-up (streaming-events --version): $(time_ms 20 "$bin" --version) ms (median of 20)"
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo n/a)"
[ -n "$reference" ] && echo "reference: $reference ($(node "$reference" --version 2>/dev/null | head -n 1))"
printf '\n%9s  %9s  %8s  %11s  %8s  %12s  %9s\n' functions variables mappings "package ms" "peak MB" "reference ms" ratio
for n in $sizes; do
  for variant in literal self; do
    dir=$work/$n-$variant
    write_service "$dir" "$n" "$variant"
    ours=$(time_ms "$runs" "$bin" package --config "$dir/serverless.yml" --output "$dir/template.json")
    peak=$(peak_mb "$bin" package --config "$dir/serverless.yml" --output "$dir/template.json")
    mappings=$(grep -c '"AWS::Lambda::EventSourceMapping"' "$dir/template.json" || true)
    theirs=- ratio=-
    if [ -n "$reference" ] && [ "$n" -lt 1000 ]; then
      theirs=$(cd "$dir" && time_ms "$reference_runs" node "$reference" package --stage dev --region us-east-1)
      ratio=$(awk -v a="$theirs" -v b="$ours" 'BEGIN { printf "%.0fx", a / b }')
    fi
    printf '%9s  %9s  %8s  %11s  %8s  %12s  %9s\n' "$n" "$variant" "$mappings" "$ours" "$peak" "$theirs" "$ratio"
  done
done
