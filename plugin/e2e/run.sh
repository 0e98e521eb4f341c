#!/usr/bin/env bash
# End-to-end test of the plugin inside the real `serverless package`:
#   plugin/e2e/run.sh path/to/streaming-events
#
# 1. Installs serverless@3.40.0, osls and serverless-iam-roles-per-function@3.2.0 from npm into
#    a folder later runs reuse: $STREAMING_EVENTS_NPM_DIR, else
#    ${XDG_CACHE_HOME:-$HOME/.cache}/streaming-events-ci/npm (nothing is fetched when the
#    pinned versions are there already).
# 2. Packs the plugin (`npm pack`) and installs the tarball in target/e2e/, the parent folder of
#    every scratch service, so that each finds it as a user's project does.
# 3. Runs, JOBS (2) at a time, plugin/e2e/case.sh on: every case of tests/compat/cases and the
#    example service with Serverless Framework 3.40.0; the example and plugin/e2e/services/osls-*
#    with osls; plugin/e2e/services/sls3-* (serverless-iam-roles-per-function beside ours).
#    (A service there may expect a failure with a given code, `expected-plugin-error`, or the
#    Framework's own template, `expected-framework-template`: see case.sh.)
#    A valid service must give, through `serverless package` with the plugin, the streaming
#    resources and IAM permission set of `streaming-events package` on the same file (each
#    permission once per role); a rejected one must fail with our first error's code and
#    position, and write no template.
# Ends with 'N passed, M failed'; exit 1 when something failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$(cd "$(dirname "${1:?usage: run.sh path/to/streaming-events}")" && pwd)/$(basename "$1")
[ -x "$bin" ] || { echo "not an executable: $1" >&2; exit 2; }
npm_dir=${STREAMING_EVENTS_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/streaming-events-ci/npm}
work=$root/target/e2e
jobs=${JOBS:-2}
SERVERLESS_VERSION=3.40.0
OSLS_VERSION=4.3.1
IAM_PER_FUNCTION_VERSION=3.2.0

installed() { node -p "try { require('$npm_dir/node_modules/$1/package.json').version } catch { '' }"; }
if [ "$(installed serverless)" != "$SERVERLESS_VERSION" ] || [ "$(installed osls)" != "$OSLS_VERSION" ] \
  || [ "$(installed serverless-iam-roles-per-function)" != "$IAM_PER_FUNCTION_VERSION" ]; then
  mkdir -p "$npm_dir"
  [ -f "$npm_dir/package.json" ] || echo '{"private": true}' > "$npm_dir/package.json"
  (cd "$npm_dir" && npm install --no-audit --no-fund --loglevel=error \
    "serverless@$SERVERLESS_VERSION" "osls@$OSLS_VERSION" \
    "serverless-iam-roles-per-function@$IAM_PER_FUNCTION_VERSION")
fi

rm -rf "$work"
mkdir -p "$work/services" "$work/sources"
tarball=$(cd "$root/plugin" && npm pack --silent --pack-destination "$work" | tail -1)
echo '{"private": true}' > "$work/package.json"
(cd "$work" && npm install --no-audit --no-fund --loglevel=error "./$tarball")

# The example, adapted: Serverless Framework 3.40 knows no nodejs24.x; osls refuses
# `frameworkVersion: '3'`.
for flavor in sls3 osls; do
  mkdir -p "$work/sources/$flavor-example"
  cp "$root/examples/serverless.yml" "$work/sources/$flavor-example/"
  echo 'exports.handler = async () => {};' > "$work/sources/$flavor-example/handler.js"
done
sed -i 's/runtime: nodejs24.x/runtime: nodejs20.x/' "$work/sources/sls3-example/serverless.yml"
sed -i "/^frameworkVersion:/d" "$work/sources/osls-example/serverless.yml"

{
  for case_dir in "$root"/tests/compat/cases/*/; do
    printf 'sls3 %s %s\n' "$(basename "$case_dir")" "$case_dir"
  done
  printf 'sls3 example %s\n' "$work/sources/sls3-example"
  printf 'osls example %s\n' "$work/sources/osls-example"
  shopt -s nullglob
  for service in "$root"/plugin/e2e/services/*/; do
    name=$(basename "$service")
    printf '%s %s %s\n' "${name%%-*}" "${name#*-}" "$service"
  done
} > "$work/cases.txt"

export E2E_WORK=$work E2E_BIN=$bin E2E_NPM=$npm_dir E2E_ROOT=$root
xargs -P "$jobs" -L 1 "$root/plugin/e2e/case.sh" < "$work/cases.txt" | tee "$work/results.txt"
passed=$(grep -c '^PASS' "$work/results.txt" || true)
failed=$(grep -c '^FAIL' "$work/results.txt" || true)
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
