#!/usr/bin/env bash
# What the plugin adds to `serverless package`, on a generated service of FUNCTIONS (60)
# functions, each with a Kinesis stream, a DynamoDB stream, an SQS queue and a Kafka topic:
#   plugin/bench/run.sh path/to/streaming-events
# Measures, RUNS (5) times each, the median wall time of:
#   - `serverless package` without the plugin (the Framework's own compilers),
#   - `serverless package` with the plugin,
# and the plugin's own step as the plugin measures it (writing the inputs, running the binary,
# reading the template back), printed by `--verbose`. Uses the Framework installed by
# plugin/e2e/run.sh ($STREAMING_EVENTS_NPM_DIR, else ~/.cache/streaming-events-ci/npm) and the
# plugin tarball it installed in target/e2e/.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${1:?usage: run.sh path/to/streaming-events}")" && pwd)/$(basename "$1")
npm_dir=${STREAMING_EVENTS_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streaming-events-ci/npm}
functions=${FUNCTIONS:-60}
runs=${RUNS:-5}
work=$root/target/e2e/bench
[ -d "$root/target/e2e/node_modules/serverless-streaming-events" ] \
  || { echo "run plugin/e2e/run.sh first (it installs the Framework and the plugin)" >&2; exit 2; }
rm -rf "$work"
mkdir -p "$work/without" "$work/with"
node "$root/plugin/bench/generate.js" "$functions" > "$work/without/serverless.yml"
{ cat "$work/without/serverless.yml"; printf '\nplugins:\n  - serverless-streaming-events\n'; } > "$work/with/serverless.yml"
for d in without with; do echo 'exports.handler = async () => {};' > "$work/$d/handler.js"; done
export SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*' STREAMING_EVENTS_BIN=$bin
sls="$npm_dir/node_modules/serverless/bin/serverless.js"

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
measure() {
  local dir=$1; shift
  for _ in $(seq "$runs"); do
    local start end
    start=$(date +%s%N)
    (cd "$dir" && node "$sls" package --stage dev --region us-east-1 "$@" > last.log 2>&1) \
      || { cat "$dir/last.log" >&2; exit 1; }
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
  done | median
}
without=$(measure "$work/without")
with=$(measure "$work/with")
step=$(for _ in $(seq "$runs"); do
  (cd "$work/with" && node "$sls" package --stage dev --region us-east-1 --verbose 2>&1) \
    | sed -n 's/.*streaming-events compiled the streaming events in \([0-9]*\) ms.*/\1/p'
done | median)
mappings=$(grep -c '"AWS::Lambda::EventSourceMapping"' "$work/with/.serverless/cloudformation-template-update-stack.json")
echo "service: $functions functions, $mappings event source mappings"
echo "serverless package without the plugin: ${without} ms (median of $runs)"
echo "serverless package with the plugin:    ${with} ms (median of $runs)"
echo "difference:                            $(( with - without )) ms"
echo "the plugin's step (binary run, inputs and output): ${step} ms (median of $runs)"
