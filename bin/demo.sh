#!/usr/bin/env bash
# `npm run demo`: set everything up and start the console on the lab.
# Installs Debian/npm dependencies when missing, builds and boots the lab VM (first time:
# a few minutes; later: about a minute), builds the console, and serves it on
# http://127.0.0.1:3000/ until Ctrl-C. The lab keeps running afterwards: `npm run lab:down`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash bin/ensure-deps.sh
bash lab/up.sh
export LVS_CONSOLE_CONFIG=${LVS_CONSOLE_CONFIG:-$PWD/lab/.state/console.yaml}
npm run -s build
exec npx tsx bin/serve.ts
