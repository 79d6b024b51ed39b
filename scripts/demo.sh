#!/usr/bin/env bash
# The main job, no credentials needed: installs what is missing, starts the emulator, deploys the
# demo stack (examples/demo: a CI push token, a pull token with expiry, a disabled token) with the
# real `cdktf deploy`, and shows the outputs with the passwords masked.
#
#   npm run demo              # deploy (again: a no-op)
#   npm run demo -- destroy   # destroy the demo tokens
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
action="${1:-deploy}"
say() { printf '\n==> %s\n' "$*"; }

[ -d node_modules ] || { say "installing dependencies (npm ci)"; npm ci --no-audit --no-fund; }
[ -f dist/handler/index.js ] || { say "building"; npm run build; }
[ -f .engine/env.sh ] || { say "setting up the engine (npm run engine)"; npm run engine; }
# shellcheck disable=SC1091
. .engine/env.sh

mkdir -p .demo
chmod 700 .demo
say "starting the IONOS token API emulator (state in .demo/emulator-state.json)"
node bin/ionos-registry-emulator.js --port 0 --state-file .demo/emulator-state.json > .demo/emulator.log 2>&1 &
emulator=$!
trap 'kill -TERM $emulator 2>/dev/null; wait $emulator 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' .demo/emulator.log | head -1 || true)"
  [ -n "$url" ] && break
  kill -0 $emulator 2>/dev/null || { cat .demo/emulator.log; exit 1; }
  sleep 0.1
done
[ -n "$url" ] || { echo "the emulator did not start"; cat .demo/emulator.log; exit 1; }
echo "emulator at $url"

export IONOS_API_URL="$url" IONOS_USERNAME=emulator IONOS_PASSWORD=emulator
cd examples/demo
if [ "$action" = destroy ]; then
  say "npx cdktf destroy demo"
  npx cdktf destroy demo --auto-approve
  exit 0
fi
say "npx cdktf deploy demo"
npx cdktf deploy demo --auto-approve

say "outputs (passwords masked; each is checked with a docker-login-like call to the emulator)"
out="$(mktemp)"
chmod 600 "$out"
npx cdktf output demo --outputs-file "$out" --outputs-file-include-sensitive-outputs > /dev/null
node -e '
  const fs = require("fs");
  const [file, url, registry] = process.argv.slice(1);
  const outputs = JSON.parse(fs.readFileSync(file, "utf8")).demo;
  fs.rmSync(file);
  (async () => {
    for (const [name, password] of Object.entries(outputs)) {
      const user = name.replace(/_password$/, ""); // the examples name each token after its construct
      const res = await fetch(`${url}/__emulator/login`, { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ registryId: registry, username: user, password }) });
      const masked = password.slice(0, 3) + "*".repeat(Math.max(0, password.length - 3));
      console.log(`${name.padEnd(22)} ${masked}   login: ${res.status === 200 ? "ok" : "refused (" + res.status + ")"}`);
    }
  })();
' "$out" "$url" "${IONOS_REGISTRY_ID:-5b2a4e1c-9d3f-4c2b-8a7e-1f0e9d8c7b6a}"
echo
echo "break-glass is disabled, so its login is refused. Run 'npm run demo' again: a no-op. 'npm run demo -- destroy' removes the tokens."
