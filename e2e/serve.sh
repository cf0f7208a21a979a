#!/usr/bin/env bash
# Playwright's web server: boots the lab if needed, writes an e2e copy of the lab's console
# configuration (own port, own state directory), builds if there is no build, and serves.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-3100}
bash lab/up.sh >&2
STATE=$PWD/test-results/e2e-state
rm -rf "$STATE"; mkdir -p "$STATE"
CFG=$PWD/test-results/e2e-console.yaml
sed -e "s/^listen: .*/listen: { host: 127.0.0.1, port: $PORT }/" lab/.state/console.yaml > "$CFG"
printf 'stateDir: %s\n' "$STATE" >> "$CFG"
[ -f .next/BUILD_ID ] || npm run -s build >&2
export LVS_CONSOLE_CONFIG=$CFG
exec npx tsx bin/serve.ts
