#!/usr/bin/env bash
# Builds the official IONOS clients that the benchmarks and the ionosctl integration test compare
# against, idempotently, into .engine/ (git-ignored). Nothing built here is committed.
#
#   bash scripts/peers.sh              # both
#   bash scripts/peers.sh provider     # terraform-provider-ionoscloud into the provider mirror
#   bash scripts/peers.sh ionosctl     # ionosctl into .engine/bin/ionosctl
#
# Source: the Go module proxy: github.com/ionos-cloud/terraform-provider-ionoscloud/v6 and
# github.com/ionos-cloud/ionosctl/v6, newest version it serves (or PROVIDER_VERSION /
# IONOSCTL_VERSION), built as the main module like scripts/engine.sh does for OpenTofu. An ionosctl
# already on PATH (or IONOSCTL_BIN) is used as it is. When the proxy refuses a module (here it
# answers 403 "This module version is not available" for every ionos-cloud module but sdk-go/v6),
# it says so and exits 3: the benchmark then leaves the official column empty and the ionosctl test
# skips.
#
# PEER_PROVIDER_SRC=<dir> builds the provider from a source tree already on this machine instead
# (for example `git --git-dir=<repo> archive v6.7.34 | tar -x -C <dir>`, a release tarball, or a
# clone: anything with go.mod and, here, vendor/), with PROVIDER_VERSION naming its version (read
# from <dir>'s git tag when it is a clone). The tree is left where it is; the binary goes into the
# mirror below and is recorded with source "src", never committed.
#
# Results: .engine/mirror/registry.terraform.io/ionos-cloud/ionoscloud/<v>/linux_amd64/
# terraform-provider-ionoscloud_v<v> (and the same under registry.opentofu.org), .engine/bin/ionosctl,
# and .engine/peers with one "name version source path" line per peer.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.engine"
mkdir -p "$cache/bin" "$cache/mirror" "$cache/src"
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
what="${1:-all}"
log() { printf 'peers: %s\n' "$*" >&2; }
command -v go >/dev/null || { log "go is needed to build the peers and is not on PATH"; exit 3; }

record() { # name version source path
  touch "$cache/peers"
  grep -v "^$1 " "$cache/peers" > "$cache/peers.tmp" || true
  echo "$1 $2 $3 $4" >> "$cache/peers.tmp"
  mv "$cache/peers.tmp" "$cache/peers"
}

# Puts the source of module $1 (version $2, or newest) into $3; prints "version source".
fetch_source() {
  local module="$1" want="$2" dest="$3" repo="$4" version="" err dir
  if [ -z "$want" ]; then
    if version="$(go list -m -versions "$module" 2>/tmp/peers.err.$$)"; then
      version="$(echo "$version" | tr ' ' '\n' | grep -E '^v[0-9]' | sort -V | tail -1)"
    else
      err="$(tr '\n' ' ' < /tmp/peers.err.$$)"; version=""
    fi
  else
    version="$want"
  fi
  if [ -n "$version" ]; then
    if dir="$(go mod download -json "$module@$version" 2>/tmp/peers.err.$$ | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')" && [ -n "$dir" ]; then
      rm -rf "$dest"; cp -r "$dir" "$dest"; chmod -R u+w "$dest"
      echo "$version go-proxy"; rm -f /tmp/peers.err.$$; return 0
    fi
    err="$(tr '\n' ' ' < /tmp/peers.err.$$)"
  fi
  rm -f /tmp/peers.err.$$
  log "the Go module proxy does not serve $module${want:+@$want}: ${err:-no version listed}"
  return 3
}

go_build() { # dir out [pkg]
  local flags=()
  [ -d "$1/vendor" ] && flags+=(-mod=vendor)
  (cd "$1" && go build "${flags[@]}" -trimpath -ldflags "-s -w" -o "$2.tmp" "${3:-.}")
  mv "$2.tmp" "$2"
}

build_provider() {
  local module=github.com/ionos-cloud/terraform-provider-ionoscloud/v6 src="$cache/src/provider" got version source
  if [ -n "${PEER_PROVIDER_SRC:-}" ]; then
    [ -f "$PEER_PROVIDER_SRC/go.mod" ] || { log "PEER_PROVIDER_SRC=$PEER_PROVIDER_SRC has no go.mod"; return 2; }
    version="${PROVIDER_VERSION:-$(git -C "$PEER_PROVIDER_SRC" describe --tags --exact-match 2>/dev/null || true)}"
    [ -n "$version" ] || { log "PEER_PROVIDER_SRC needs PROVIDER_VERSION (e.g. v6.7.34)"; return 2; }
    version="v${version#v}"; source=src; src="$(cd "$PEER_PROVIDER_SRC" && pwd)"
  else
    got="$(fetch_source "$module" "${PROVIDER_VERSION:-}" "$src" ionos-cloud+terraform-provider-ionoscloud)" || return $?
    version="${got%% *}"; source="${got#* }"
  fi
  local v="${version#v}" rel="ionos-cloud/ionoscloud/${version#v}/linux_amd64/terraform-provider-ionoscloud_v${version#v}"
  local out="$cache/mirror/registry.terraform.io/$rel"
  if [ -x "$out" ]; then
    log "provider $version already built ($out)"
  else
    log "building terraform-provider-ionoscloud $version from $source (several minutes on 2 cores)"
    mkdir -p "$(dirname "$out")"
    local t0=$SECONDS
    go_build "$src" "$out"
    log "built provider $version in $((SECONDS - t0)) s"
  fi
  mkdir -p "$(dirname "$cache/mirror/registry.opentofu.org/$rel")"
  cp -f "$out" "$cache/mirror/registry.opentofu.org/$rel"
  [ "$source" = src ] || rm -rf "$src"
  record provider "$v" "$source" "$out"
}

build_ionosctl() {
  local module=github.com/ionos-cloud/ionosctl/v6 src="$cache/src/ionosctl" got version source out="$cache/bin/ionosctl"
  if [ -x "$out" ] && [ -z "${IONOSCTL_VERSION:-}" ] && grep -q '^ionosctl ' "$cache/peers" 2>/dev/null; then
    log "ionosctl already built ($(grep '^ionosctl ' "$cache/peers"))"; return 0
  fi
  local given="${IONOSCTL_BIN:-$(command -v ionosctl || true)}"
  if [ -n "$given" ] && [ -x "$given" ]; then
    ln -sf "$given" "$out"
    record ionosctl "$("$given" version 2>/dev/null | head -1 | tr -d ' ' || echo unknown)" path "$out"
    log "using the ionosctl at $given"; return 0
  fi
  got="$(fetch_source "$module" "${IONOSCTL_VERSION:-}" "$src" ionos-cloud+ionosctl)" || return $?
  version="${got%% *}"; source="${got#* }"
  log "building ionosctl $version from $source (a few minutes on 2 cores)"
  local t0=$SECONDS
  go_build "$src" "$out"
  log "built ionosctl $version in $((SECONDS - t0)) s"
  rm -rf "$src"
  record ionosctl "${version#v}" "$source" "$out"
}

rc=0
case "$what" in
  provider) build_provider || rc=$? ;;
  ionosctl) build_ionosctl || rc=$? ;;
  all) build_provider || rc=$?; build_ionosctl || rc=$? ;;
  *) log "usage: scripts/peers.sh [provider|ionosctl|all]"; exit 2 ;;
esac
exit $rc
