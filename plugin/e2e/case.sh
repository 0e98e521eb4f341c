#!/usr/bin/env bash
# One end-to-end case: FLAVOR NAME SOURCE_DIR. Copies the service to $E2E_WORK/services/, adds
# the plugin under `plugins:` (unless the service lists plugins itself), runs
# `streaming-events package` and the Framework's `serverless package` with the plugin, and
# prints one line: PASS/FAIL FLAVOR/NAME (reason).
#   FLAVOR: sls3 (Serverless Framework 3.40.0) or osls.
# Environment: E2E_WORK, E2E_BIN (streaming-events), E2E_NPM (folder holding node_modules with
# serverless and osls), E2E_ROOT (the repository).
set -u
flavor=$1 name=$2 src=$(cd "$3" && pwd)
dir="$E2E_WORK/services/$flavor-$name"
rm -rf "$dir"
mkdir -p "$dir"
cp -R "$src"/. "$dir"/
cd "$dir" || exit 1
rm -f expected.json expected-error.json reference.json reference-error.json deviation.txt
# A service of plugin/e2e/services may name the code the plugin must fail with although
# `streaming-events package` (without --strict) succeeds: custom.streamingEvents.strict.
plugin_error=$(cat expected-plugin-error 2>/dev/null || true)
grep -q '^plugins:' serverless.yml || printf '\nplugins:\n  - serverless-streaming-events\n' >> serverless.yml
case $flavor in
  sls3) framework="$E2E_NPM/node_modules/serverless/bin/serverless.js" ;;
  osls) framework="$E2E_NPM/node_modules/osls/bin/serverless.js" ;;
  *) echo "FAIL $flavor/$name (unknown flavor)"; exit 0 ;;
esac

"$E2E_BIN" package --config serverless.yml --stage dev --region us-east-1 \
  --output standalone.json --format json 2> standalone.err
standalone=$?
SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*' \
  STREAMING_EVENTS_BIN="$E2E_BIN" \
  node "$framework" package --stage dev --region us-east-1 > plugin.out 2>&1
plugin=$?
written=.serverless/cloudformation-template-update-stack.json

fail() { echo "FAIL $flavor/$name ($1)"; exit 0; }
# A service of plugin/e2e/services with `expected-framework-template` turns the plugin off
# (custom.streamingEvents.enabled: false): its template must be the Framework's own, as
# `serverless package` writes it without the plugin.
if [ -f expected-framework-template ]; then
  [ "$plugin" -eq 0 ] || fail "serverless package failed: $(grep -m1 -E 'error\[|Error' -A2 plugin.out | tr '\n' ' ' | cut -c1-300)"
  mkdir -p without-plugin
  cp -R "$src"/. without-plugin/
  sed -i '/- serverless-streaming-events$/d' without-plugin/serverless.yml
  (cd without-plugin && SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off SLS_DEPRECATION_DISABLE='*' \
    node "$framework" package --stage dev --region us-east-1 > plugin.out 2>&1) || fail "serverless package without the plugin failed"
  python3 "$E2E_ROOT/plugin/e2e/compare_templates.py" "$E2E_ROOT/tests/compat/compare.py" \
    "without-plugin/$written" "$written" > compare.txt || fail "templates differ: $(head -c 600 compare.txt | tr '\n' ' ')"
  echo "PASS $flavor/$name (the Framework's own template)"
  exit 0
fi
if [ -n "$plugin_error" ]; then
  [ "$plugin" -ne 0 ] || fail "expected serverless package to fail with $plugin_error"
  [ ! -f "$written" ] || fail "a template was written although the command failed"
  grep -qF "warning[$plugin_error]" plugin.out || grep -qF "error[$plugin_error]" plugin.out \
    || fail "expected $plugin_error; got: $(grep -m1 -E 'error\[|Error' -A2 plugin.out | tr '\n' ' ' | cut -c1-300)"
  echo "PASS $flavor/$name (fails with $plugin_error)"
  exit 0
fi
if [ "$standalone" -eq 0 ]; then
  [ "$plugin" -eq 0 ] || fail "serverless package failed: $(grep -m1 -E 'error\[|Error' -A2 plugin.out | tr '\n' ' ' | cut -c1-300)"
  [ -f "$written" ] || fail "no $written"
  python3 "$E2E_ROOT/plugin/e2e/compare_templates.py" "$E2E_ROOT/tests/compat/compare.py" \
    standalone.json "$written" > compare.txt || fail "templates differ: $(head -c 600 compare.txt | tr '\n' ' ')"
  echo "PASS $flavor/$name (template)"
else
  [ "$plugin" -ne 0 ] || fail "streaming-events rejects the service, serverless package with the plugin succeeded"
  [ ! -f "$written" ] || fail "a template was written although the command failed"
  read -r code where < <(python3 -c '
import json, sys
items = json.load(open(sys.argv[1]))
first = next((d for d in items if d["severity"] == "error"), None)
print(first["code"], "%s:%s:%s" % (first["file"], first["line"], first["column"]) if first and first["file"] else "-")
' standalone.err 2>/dev/null || echo "? ?")
  grep -qF "error[$code]" plugin.out || fail "expected error[$code]; got: $(grep -m1 -E 'error\[|Error' -A2 plugin.out | tr '\n' ' ' | cut -c1-300)"
  [ "$where" = - ] || grep -qF "$where" plugin.out || fail "expected the position $where"
  echo "PASS $flavor/$name (error $code at $where)"
fi
