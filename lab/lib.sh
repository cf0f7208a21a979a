# shellcheck shell=bash
# Shared by the lab scripts (sourced, never run). Paths, ports, small helpers.
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
STATE=${LVSLAB_STATE:-$LAB_DIR/.state}
mkdir -p "$STATE"
STATE=$(cd "$STATE" && pwd -P)          # absolute: it ends up in console.yaml and ssh_config
PIDF=$STATE/qemu.pid
SSH_CONFIG=$STATE/ssh_config

die() { echo "lvslab: $*" >&2; exit 1; }
now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }   # seconds since timestamp $1

# The qemu we started: pid from our pidfile AND its cmdline names our lab (never trust a bare pid).
qemu_pid() {
  local pid
  [ -s "$PIDF" ] || return 1
  pid=$(cat "$PIDF")
  [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -q -- "-name lvslab,process=lvslab-qemu" || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$STATE/" || return 1
  echo "$pid"
}

# Port base the running VM was started with (recorded by up.sh), else the requested one.
port_base() {
  if [ -s "$STATE/port_base" ] && qemu_pid >/dev/null; then cat "$STATE/port_base"
  else echo "${LVSLAB_PORT_BASE:-2200}"; fi
}

# ssh_config with pinned host keys (known_hosts written by build-image.sh).
# One ssh connection per lab node and user, kept open and shared (ControlMaster): under TCG a new
# connection costs the guest ~0.3 s of CPU and the caller 1-3 s on a loaded machine; a session on
# a kept connection about 0.1 s. lab/ctl and lab/ssh.sh are called hundreds of times in a test run.
# The socket path must stay short (sun_path is ~104 bytes): under the state directory when that is
# short, else under /tmp. down.sh closes the connections; they also end with the VM.
control_dir() {
  local d=$STATE/cm
  ((${#d} <= 60)) || d=/tmp/lvslab-cm-$(id -u)-$(printf '%s' "$STATE" | md5sum | cut -c1-8)
  echo "$d"
}

write_ssh_config() {
  local base=$1 cm
  cm=$(control_dir)
  mkdir -p "$cm" && chmod 700 "$cm"
  cat > "$SSH_CONFIG.tmp" <<EOC
# Written by lab scripts. Usage: ssh -F $SSH_CONFIG {vm|dir1|dir2} [cmd]
Host vm dir1 dir2
  HostName 127.0.0.1
  User root
  IdentityFile $STATE/ssh/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $STATE/ssh/known_hosts
  StrictHostKeyChecking yes
  HostKeyAlgorithms ssh-ed25519
  # classic X25519 key exchange: cheaper for the emulated guest than the default sntrup761 hybrid
  KexAlgorithms curve25519-sha256
  LogLevel ERROR
  BatchMode yes
  ConnectTimeout 20
  ServerAliveInterval 5
  ServerAliveCountMax 6
  ControlMaster auto
  ControlPath $cm/%C
  ControlPersist 15m
Host vm
  Port $base
  HostKeyAlias lvslab-vm
Host dir1
  Port $((base + 1))
  HostKeyAlias lvslab-dir1
Host dir2
  Port $((base + 2))
  HostKeyAlias lvslab-dir2
EOC
  mv "$SSH_CONFIG.tmp" "$SSH_CONFIG"
}

# Host tools. CI starts from a fresh Debian machine as root, so install what is missing.
ensure_host_tools() {
  local need=() c
  for c in qemu-system-x86_64:qemu-system-x86 mmdebstrap:mmdebstrap ssh:openssh-client \
           ssh-keygen:openssh-client socat:socat bc:bc mkfs.ext4:e2fsprogs ss:iproute2 \
           sha256sum:coreutils; do
    command -v "${c%%:*}" >/dev/null 2>&1 || need+=("${c#*:}")
  done
  ((${#need[@]})) || return 0
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  echo "lvslab: installing host packages: ${need[*]}"
  [ "$(id -u)" = 0 ] || die "need root to apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y --no-install-recommends "${need[@]}" >/dev/null; } \
    || die "apt-get install ${need[*]} failed"
}
