#!/bin/bash
# usage: lab/ssh.sh {vm|dir1|dir2} [command...]   (root; add `-l lvsconsole` before the host for the console user)
# Uses $STATE/ssh_config (pinned host keys, the lab's key, the port base the VM was started with).
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
[ $# -gt 0 ] || { echo "usage: lab/ssh.sh {vm|dir1|dir2} [command...]" >&2; exit 2; }
[ -s "$SSH_CONFIG" ] || write_ssh_config "$(port_base)"
exec ssh -F "$SSH_CONFIG" "$@"
