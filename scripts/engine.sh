#!/usr/bin/env bash
# Sets up the real Terraform engine for this repo, idempotently, cached in .engine/ (git-ignored).
#
#   npm run engine                 # use terraform or tofu from PATH, else build OpenTofu
#   ENGINE=tofu npm run engine     # make sure OpenTofu is there (build it when missing)
#   ENGINE=all npm run engine      # both: terraform from PATH (if any) and OpenTofu
#
# Writes .engine/terraformrc (a CLI config with a filesystem mirror and no registry), .engine/engines
# (one "name path" line per engine found) and .engine/env.sh, which, sourced, makes
# `npx cdktf deploy` use them: TF_CLI_CONFIG_FILE, PATH, TERRAFORM_BINARY_NAME, CHECKPOINT_DISABLE.
#
# The lifecycle uses Terraform's built-in `terraform_data` resource, so no provider is needed; the
# mirror is there so that an app that does pull a provider fails fast instead of reaching for a
# registry that this machine cannot reach. See docs/design/terraform-data.md for why not the null provider.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="$root/.engine"
tofu_version="${TOFU_VERSION:-v1.12.6}"
want="${ENGINE:-auto}"
mkdir -p "$cache/bin" "$cache/mirror"

log() { printf 'engine: %s\n' "$*" >&2; }

build_tofu() {
  local out="$cache/bin/tofu"
  if [ -x "$out" ] && "$out" version 2>/dev/null | grep -q "${tofu_version#v}"; then
    log "OpenTofu ${tofu_version} already built ($out)"
    return 0
  fi
  command -v go >/dev/null || { log "go is needed to build OpenTofu and is not on PATH"; return 1; }
  log "building OpenTofu ${tofu_version} from its Go module (a few minutes the first time)"
  export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false
  # `go install` refuses modules whose go.mod has replace directives (OpenTofu has one), so build the
  # downloaded module as the main module instead.
  local dir
  dir="$(go mod download -json "github.com/opentofu/opentofu@${tofu_version}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -n "$dir" ] || { log "go mod download github.com/opentofu/opentofu@${tofu_version} gave no directory"; return 1; }
  rm -rf "$cache/src/opentofu"
  mkdir -p "$cache/src"
  cp -r "$dir" "$cache/src/opentofu"
  chmod -R u+w "$cache/src/opentofu"
  (cd "$cache/src/opentofu" && go build -trimpath -ldflags "-s -w" -o "$out.tmp" ./cmd/tofu)
  mv "$out.tmp" "$out"
  rm -rf "$cache/src/opentofu"
  log "built $(TF_CLI_CONFIG_FILE=/dev/null "$out" version 2>/dev/null | head -1)"
}

engines=()
tf="$(command -v terraform || true)"
tofu="$(command -v tofu || true)"
case "$want" in
  auto)
    if [ -n "$tf" ]; then engines+=("terraform $tf")
    elif [ -n "$tofu" ]; then engines+=("tofu $tofu")
    else build_tofu; engines+=("tofu $cache/bin/tofu"); fi ;;
  terraform)
    [ -n "$tf" ] || { log "ENGINE=terraform but no terraform on PATH"; exit 1; }
    engines+=("terraform $tf") ;;
  tofu)
    if [ -n "$tofu" ]; then engines+=("tofu $tofu"); else build_tofu; engines+=("tofu $cache/bin/tofu"); fi ;;
  all)
    [ -n "$tf" ] && engines+=("terraform $tf")
    if [ -n "$tofu" ]; then engines+=("tofu $tofu"); else build_tofu; engines+=("tofu $cache/bin/tofu"); fi ;;
  *) log "ENGINE must be auto, terraform, tofu or all (got \"$want\")"; exit 2 ;;
esac

cat > "$cache/terraformrc" <<EOF
# Written by scripts/engine.sh. No provider registry is reachable here: providers come only from
# the filesystem mirror below, for registry.terraform.io and registry.opentofu.org alike.
provider_installation {
  filesystem_mirror {
    path    = "$cache/mirror"
    include = ["registry.terraform.io/*/*", "registry.opentofu.org/*/*"]
  }
}
disable_checkpoint = true
EOF

printf '%s\n' "${engines[@]}" > "$cache/engines"
first_name="${engines[0]%% *}"
first_path="${engines[0]#* }"
cat > "$cache/env.sh" <<EOF
# Written by scripts/engine.sh: source it to run cdktf against the local engine.
export TF_CLI_CONFIG_FILE="$cache/terraformrc"
export PATH="$cache/bin:$(dirname "$first_path"):\$PATH"
export CHECKPOINT_DISABLE=1
export TF_IN_AUTOMATION=1
$( [ "$first_name" = tofu ] && echo 'export TERRAFORM_BINARY_NAME=tofu' || echo 'unset TERRAFORM_BINARY_NAME' )
EOF

export TF_CLI_CONFIG_FILE="$cache/terraformrc"
for e in "${engines[@]}"; do
  name="${e%% *}"; path="${e#* }"
  log "$name: $("$path" version | head -1) ($path)"
done
log "ready: . .engine/env.sh && npx cdktf deploy"
