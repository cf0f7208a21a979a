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
# Nobody gets in without an account: the first demo makes an admin with a random password, kept
# (mode 0600) in lab/.state/demo-admin-password and printed below.
PWFILE=$PWD/lab/.state/demo-admin-password
if [ ! -s "$PWFILE" ]; then
  (umask 077; head -c 18 /dev/urandom | base64 | tr -d '\n/+=' > "$PWFILE")
  node bin/lvsctl.mjs user add admin --role admin --password-stdin < "$PWFILE"
fi
echo "demo login: admin / $(cat "$PWFILE")   (lvsctl user add NAME --role viewer|operator|admin for more)"
npm run -s build
exec npx tsx bin/serve.ts
