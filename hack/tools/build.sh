#!/usr/bin/env bash
# Builds the third-party Go tools the tests run, each from its own pinned module in a folder
# beside this script (hack/tools/<tool>/go.mod). A folder builds its own main.go, or — when it
# holds a `package` file — the Go package named there (a tool's own main package, e.g.
# helm.sh/helm/v3/cmd/helm, at the version its go.mod pins). A `tags` file holds Go build tags
# (promtool's `remove_all_sd` leaves out the service-discovery clients it never needs here).
# Each tool is cached outside the work tree under a key made of its name and a hash of its
# folder (go.mod, go.sum, sources) and this script, so adding or re-pinning one tool rebuilds
# only that tool. The last line of stdout is a directory holding every tool by its folder name
# (symlinks into the cache); progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${SVCTOKENS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/svctokens}/tools
say() { echo "[tools build] $*" >&2; }

# One build at a time per cache: two at once (CI's build step beside a test run that builds the
# tools itself) would write the same .partial files and one would fail. The second waits, then
# finds the first one's tools.
mkdir -p "$cache_root"
exec 9>"$cache_root/.build.lock"
flock 9

tool_key() {
  (cd "$here" && cat build.sh && find "$1" -type f | LC_ALL=C sort | xargs cat) | sha256sum | cut -c1-12
}

links=()
keys=""
for dir in "$here"/*/; do
  tool=$(basename "$dir")
  [[ -f "$dir/go.mod" ]] || continue
  key=$(tool_key "$tool")
  out="$cache_root/$tool-$key/$tool"
  keys+="$tool-$key "
  links+=("$out")
  [[ -x "$out" ]] && continue
  package=.
  [[ -f "$dir/package" ]] && package=$(tr -d '[:space:]' <"$dir/package")
  tags=""
  [[ -f "$dir/tags" ]] && tags=$(tr -d '[:space:]' <"$dir/tags")
  started=$SECONDS
  say "building $tool ($package; a first build compiles its dependencies: minutes on 2 cores)"
  mkdir -p "$(dirname "$out")"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=readonly \
    go build -trimpath -tags "$tags" -ldflags "-s -w" -o "$out.partial" "$package")
  mv "$out.partial" "$out"
  say "built $tool in $((SECONDS - started)) s"
done

bin_dir="$cache_root/bin-$(echo "$keys" | sha256sum | cut -c1-12)"
mkdir -p "$bin_dir"
for target in "${links[@]}"; do ln -sfn "$target" "$bin_dir/$(basename "$target")"; done
say "tools ready in $bin_dir"
echo "$bin_dir"
