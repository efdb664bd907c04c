#!/usr/bin/env bash
# Builds the Go tools that prove svctokens works with the GitOps ecosystem, each from its own
# pinned module beside this script:
#   kstatus-check  sigs.k8s.io/cli-utils kstatus (what Flux and kpt compute health with)
#   flux-apply     github.com/fluxcd/pkg/ssa (Flux's apply library: ApplyAllStaged, WaitForSet)
#   argocd-health  github.com/yuin/gopher-lua (the Lua interpreter Argo CD embeds)
# into a cache outside the work tree keyed by the pinned versions and a hash of every go.mod,
# go.sum and source file. Builds only what is missing. Prints the binaries' directory as its
# last line of stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${SVCTOKENS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/svctokens}
tools=(kstatus-check flux-apply argocd-health)

pin() { sed -n "s#^\(require\)\{0,1\}[[:space:]]*$2 \(v[^[:space:]]*\).*#\2#p" "$here/$1/go.mod" | head -1; }
versions="ssa-$(pin flux-apply github.com/fluxcd/pkg/ssa)_kstatus-$(pin kstatus-check sigs.k8s.io/cli-utils)_lua-$(pin argocd-health github.com/yuin/gopher-lua)"
pins_hash=$(cd "$here" && cat build.sh */go.mod */go.sum */*.go | sha256sum | cut -c1-12)
bin_dir="$cache_root/tools/${versions}_${pins_hash}"
mkdir -p "$bin_dir"
say() { echo "[tools build] $*" >&2; }

for tool in "${tools[@]}"; do
  [[ -x "$bin_dir/$tool" ]] && continue
  started=$SECONDS
  say "building $tool (a first build compiles its dependencies: minutes on 2 cores)"
  (cd "$here/$tool" && CGO_ENABLED=0 GOFLAGS=-mod=readonly \
    go build -trimpath -ldflags "-s -w" -o "$bin_dir/$tool.partial" .)
  mv "$bin_dir/$tool.partial" "$bin_dir/$tool"
  say "built $tool in $((SECONDS - started)) s"
done

say "tools ready in $bin_dir"
echo "$bin_dir"
