#!/usr/bin/env bash
# Installs what the project needs from Debian (as root, or with sudo) and npm, when missing.
# Used by bin/demo.sh, bin/test-all.sh and .ci/run, so that both README commands work on a
# fresh machine. The lab's own packages (qemu, mmdebstrap) are installed by lab/build-rootfs.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v ssh >/dev/null || need+=(openssh-client)
command -v sshd >/dev/null || [ -x /usr/sbin/sshd ] || need+=(openssh-server)   # unit tests run a real sshd on loopback
command -v socat >/dev/null || need+=(socat)
command -v bc >/dev/null || need+=(bc)
command -v awk >/dev/null || need+=(gawk)
# The store suites run again on a real PostgreSQL server (bin/test-postgres.sh starts one per run).
compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null || need+=(postgresql)
if ((${#need[@]})); then
  echo "ensure-deps: apt-get install ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
# The lock must list other platforms' optional packages or npm ci refuses it (bin/lock-platform-stubs.mjs says why).
node bin/lock-platform-stubs.mjs
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-deps: npm ci"
  npm ci --no-audit --no-fund
fi
