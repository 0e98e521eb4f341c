#!/usr/bin/env bash
# Instructions the release binary executes on the generated services, counted by valgrind's
# callgrind: the same on every run and on a busy machine, where wall times move by 2×.
#
#   bench/instructions.sh
#
# Per size (and with every shared value read through ${self:…}): the whole process; the
# pipeline (`package::run` plus writing the template); the floor on the same input (reading
# and loading the service file into the node tree, `config::load_file_as`, plus writing the
# template, `js::write_js_pretty`); their ratio; and what start-up and exit cost around them.
# $SIZES (default "1 10 60 1000") picks the sizes; n ≥ 1,000 take the shape bench/run.sh gives
# them (serverless-plugin-split-stacks, per-function roles). Needs valgrind.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sizes=${SIZES:-"1 10 60 1000"}
if ! command -v valgrind > /dev/null || ! command -v callgrind_annotate > /dev/null; then
  echo "valgrind (with callgrind_annotate) is needed" >&2
  exit 2
fi
(cd "$root" && cargo build --quiet --release -p streaming-events \
  && cargo build --quiet --release -p streaming-events-core --example bench-service)
bin=${STREAMING_EVENTS_BIN:-$root/target/release/streaming-events}
generate=$root/target/release/examples/bench-service
work=$(mktemp -d)
# shellcheck source=bench/service.sh
. "$root/bench/service.sh"
trap 'rm -rf "$work"' EXIT

# The inclusive count of the function whose name ends with $2 in the callgrind profile $1.
inclusive() {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null \
    | awk -v name="$2" '{
        for (i = 1; i <= NF; i++) if ($i ~ ":" name "$" || $i ~ ":" name " ") {
          gsub(",", "", $1); if ($1 + 0 > best) best = $1 + 0
        }
      } END { print best + 0 }'
}
total() {
  callgrind_annotate "$1" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }'
}
millions() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1e6 }'; }

printf '%9s  %9s  %10s  %10s  %10s  %6s  %10s\n' functions variables "process M" "pipeline M" "floor M" ratio "rest M"
for n in $sizes; do
  for variant in literal self; do
    dir=$work/$n-$variant
    write_service "$dir" "$n" "$variant"
    profile=$dir/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$profile" \
      "$bin" package --config "$dir/serverless.yml" --output "$dir/template.json" > /dev/null 2>&1
    process=$(total "$profile")
    run=$(inclusive "$profile" 'streaming_events_core::package::run')
    load=$(inclusive "$profile" 'streaming_events_core::config::load_file_as')
    write=$(inclusive "$profile" 'streaming_events_core::js::write_js_pretty')
    pipeline=$((run + write))
    floor=$((load + write))
    printf '%9s  %9s  %10s  %10s  %10s  %6s  %10s\n' "$n" "$variant" "$(millions "$process")" \
      "$(millions "$pipeline")" "$(millions "$floor")" \
      "$(awk -v p="$pipeline" -v f="$floor" 'BEGIN { printf "%.2f", p / f }')" \
      "$(millions $((process - pipeline)))"
  done
done
