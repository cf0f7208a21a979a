#!/usr/bin/env bash
# Playwright's web server: boots the lab if needed, writes an e2e copy of the lab's console
# configuration (own port, own state directory, the e2e accounts of e2e/users.ts), builds if
# there is no build or the sources are newer than it, and serves.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${1:-3100}
bash lab/up.sh >&2
STATE=$PWD/test-results/e2e-state
rm -rf "$STATE"; mkdir -p "$STATE"
CFG=$PWD/test-results/e2e-console.yaml
npx tsx e2e/write-config.ts "$PORT" "$STATE" "$CFG"
NEWER=$( [ -f .next/BUILD_ID ] && find app components lib server proxy.ts next.config.js postcss.config.mjs -newer .next/BUILD_ID \( -name '*.ts' -o -name '*.tsx' -o -name '*.js' -o -name '*.mjs' -o -name '*.css' \) -not -name '*.test.*' -print -quit 2>/dev/null || true)
if [ ! -f .next/BUILD_ID ] || [ -n "$NEWER" ]; then
  echo "serve.sh: building (${NEWER:-no build yet} is newer)" >&2
  npm run -s build >&2
fi
export LVS_CONSOLE_CONFIG=$CFG
exec npx tsx bin/serve.ts
