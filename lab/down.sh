#!/bin/bash
# Stop the lab VM (npm run lab:down): graceful poweroff over ssh, then SIGTERM, then SIGKILL,
# only ever to the pid in our pidfile and only if its cmdline is our lab's qemu.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
if ! pid=$(qemu_pid); then
  [ ! -e "$PIDF" ] || { echo "stale pidfile ($(cat "$PIDF")): not our qemu; removing it"; rm -f "$PIDF"; }
  echo "lvslab is not running"
  exit 0
fi
t0=$(now)
gone() { ! kill -0 "$pid" 2>/dev/null; }
wait_gone() { local i; for ((i = 0; i < $1 * 10; i++)); do gone && return 0; sleep 0.1; done; gone; }
[ -s "$SSH_CONFIG" ] || write_ssh_config "$(port_base)"
timeout 10 ssh -F "$SSH_CONFIG" vm 'systemctl poweroff' >/dev/null 2>&1 || true
# The kept ssh connections (lib.sh, ControlMaster) end with the VM; ask them to go now.
for h in vm dir1 dir2; do
  for u in root lvsconsole; do ssh -F "$SSH_CONFIG" -l "$u" -O exit "$h" >/dev/null 2>&1 || true; done
done
if wait_gone 30; then how="graceful poweroff"
else
  # re-check identity before each signal: the pid could in theory have been reused
  qemu_pid >/dev/null && { echo "poweroff timed out; SIGTERM $pid"; kill -TERM "$pid"; }
  if wait_gone 5; then how="SIGTERM"
  else qemu_pid >/dev/null && { echo "SIGKILL $pid"; kill -KILL "$pid"; }; wait_gone 5 || true; how="SIGKILL"; fi
fi
rm -f "$PIDF" "$STATE/monitor.sock"
printf 'lvslab stopped (qemu pid %s, %s, %.1fs)\n' "$pid" "$how" "$(since "$t0")"
