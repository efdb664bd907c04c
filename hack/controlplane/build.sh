#!/usr/bin/env bash
# Builds etcd, kube-apiserver and kube-controller-manager from the modules pinned beside this
# script, into a cache outside the work tree keyed by the pins. Builds only what is missing.
# Prints the binaries' directory as its last line of stdout; progress goes to stderr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache_root=${SVCTOKENS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/svctokens}

kube_version=$(sed -n 's/^[[:space:]]*k8s\.io\/kubernetes \(v[^[:space:]]*\).*/\1/p' "$here/kubernetes/go.mod" | head -1)
etcd_version=$(sed -n 's/^[[:space:]]*go\.etcd\.io\/etcd\/server\/v3 \(v[^[:space:]]*\).*/\1/p' "$here/etcd/go.mod" | head -1)
pins_hash=$(cat "$here"/kubernetes/go.{mod,sum} "$here"/etcd/go.{mod,sum} "$here/build.sh" | sha256sum | cut -c1-12)
bin_dir="$cache_root/controlplane/kube-${kube_version}_etcd-${etcd_version}_${pins_hash}"
mkdir -p "$bin_dir"

say() { echo "[controlplane build] $*" >&2; }

# One build at a time per cache: two at once would write the same .partial files. The second
# waits, then finds the first one's binaries.
exec 9>"$bin_dir/.build.lock"
flock 9

# Runs `go build -v`, turning its package list into a one-line progress count every 15 s.
build_with_progress() {
  local label=$1 module_dir=$2; shift 2
  local started=$SECONDS log
  log=$(mktemp)
  say "building ${label} (first build takes several minutes on 2 cores)"
  (cd "$module_dir" && CGO_ENABLED=0 go build -v -trimpath "$@" 2>"$log") &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 15
    kill -0 "$pid" 2>/dev/null && say "  ${label}: $(grep -c . "$log" || true) packages compiled, $((SECONDS - started)) s"
  done
  if ! wait "$pid"; then
    grep -v '^[a-z0-9./_-]*$' "$log" >&2 || true
    say "building ${label} failed; full log: $log"
    return 1
  fi
  rm -f "$log"
  say "built ${label} in $((SECONDS - started)) s"
}

if [[ ! -x "$bin_dir/etcd" ]]; then
  build_with_progress "etcd ${etcd_version}" "$here/etcd" \
    -ldflags "-s -w" -o "$bin_dir/etcd.partial" go.etcd.io/etcd/server/v3
  mv "$bin_dir/etcd.partial" "$bin_dir/etcd"
fi

if [[ ! -x "$bin_dir/kube-apiserver" || ! -x "$bin_dir/kube-controller-manager" ]]; then
  minor=${kube_version#v1.}; minor=${minor%%.*}
  ldflags="-s -w"
  # The same variables Kubernetes' own release build sets, so --version and /version tell the pin.
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X ${pkg}.gitVersion=${kube_version} -X ${pkg}.gitMajor=1 -X ${pkg}.gitMinor=${minor}"
    ldflags+=" -X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=1970-01-01T00:00:00Z"
  done
  tmp_out="$bin_dir/partial"
  mkdir -p "$tmp_out"
  build_with_progress "kube-apiserver and kube-controller-manager ${kube_version}" "$here/kubernetes" \
    -ldflags "$ldflags" -o "$tmp_out/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager
  mv "$tmp_out/kube-apiserver" "$tmp_out/kube-controller-manager" "$bin_dir/"
  rmdir "$tmp_out"
fi

say "binaries ready in $bin_dir"
echo "$bin_dir"
