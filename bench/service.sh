# Sourced by bench/run.sh and bench/instructions.sh: writes into the folder $1 the generated
# benchmark service of $2 functions, `literal` or `self` ($3: every shared value read through
# ${self:…}), with its handler. n ≥ 1,000 take the large shape (serverless-plugin-split-stacks,
# per-function roles, no versions). $generate is the bench-service example.
write_service() {
  local dir=$1 n=$2 variant=$3 flags=()
  [ "$variant" = self ] && flags+=(--self)
  [ "$n" -ge 1000 ] && flags+=(--large)
  mkdir -p "$dir"
  "$generate" "$n" "${flags[@]}" > "$dir/serverless.yml"
  echo 'exports.handler = async () => {};' > "$dir/handler.js"
}
