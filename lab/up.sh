#!/bin/bash
# Boot the LVS lab VM (npm run lab:up). Idempotent: if it is already running, only waits until it
# is ready. Builds the image first if the recipe changed. Prints the timing of each phase, the
# accelerator and qemu's RSS, then writes $STATE/console.yaml for the console.
#   LVSLAB_PORT_BASE (2200): BASE -> VM sshd, BASE+1 -> dir1 sshd, BASE+2 -> dir2 sshd,
#                            BASE+3..6 -> rs1..rs4 sshd (real-server diagnostics) (127.0.0.1 only)
#   LVSLAB_ACCEL=kvm|tcg overrides the accelerator choice; LVSLAB_MEM (MiB, 1024); LVSLAB_STATE
#   LVSLAB_CONSOLE_PORT (3000): listen port written into console.yaml
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
ensure_host_tools

stamp() { printf '  %-34s %7.2fs\n' "$1" "$(since "$2")"; }

# Wait for the guest's milestones: one ssh that streams them (lvslab-wait); stamp each on arrival.
wait_ready() {
  local t0=$1 line rc=0
  while IFS= read -r line; do
    case $line in
      TIMEOUT*) echo "  timeout waiting for: ${line#TIMEOUT }" >&2; rc=1 ;;
      INFO*) echo "  ${line#INFO }" ;;
      *) stamp "$line" "$t0" ;;
    esac
  done < <(ssh -F "$SSH_CONFIG" vm /usr/local/sbin/lvslab-wait 180 || [ $? != 255 ] || echo "TIMEOUT ssh to the VM")
  [ "$rc" = 0 ] || return 1
  # the same path the console takes: host -> 127.0.0.1:BASE+1/+2 -> socat in the VM -> director sshd
  local d
  for d in dir1 dir2; do
    ssh -F "$SSH_CONFIG" -l lvsconsole "$d" true || { echo "  ssh lvsconsole@$d from the host failed" >&2; return 1; }
  done
  stamp "lvsconsole@dir1+dir2 ssh from host" "$t0"
}

write_console_yaml() {
  local base=$1 listen=${LVSLAB_CONSOLE_PORT:-3000} d fp
  {
    echo '# Written by lab/up.sh for the lab. See README "Configuration".'
    echo "listen: { host: 127.0.0.1, port: $listen }"
    echo 'pollIntervalMs: 2000'
    echo 'clusters:'
    echo '  - name: lab'
    echo '    directors:'
    for d in dir1 dir2; do
      fp=$(ssh-keygen -lf "$STATE/hostkeys/$d/ssh_host_ed25519_key.pub" -E sha256 | awk '{print $2}')
      echo "      - name: $d"
      echo '        host: 127.0.0.1'
      echo "        port: $((base + ${d#dir}))"
      echo '        user: lvsconsole'
      echo "        privateKeyPath: $STATE/ssh/id_ed25519"
      echo "        hostKey: \"$fp\""
      echo '        sudo: true'
      echo '        keepalivedLog: { file: /var/log/keepalived.log }'
    done
    echo '    realServerHosts:   # read-only SSH to the real servers, for "check this cluster"'
    for d in rs1:192.0.2.11:3 rs2:192.0.2.12:4 rs3:198.51.100.13:5 rs4:192.0.2.14:6; do
      IFS=: read -r n a o <<<"$d"
      fp=$(ssh-keygen -lf "$STATE/hostkeys/$n/ssh_host_ed25519_key.pub" -E sha256 | awk '{print $2}')
      echo "      - { name: $n, addresses: [\"$a\"], host: 127.0.0.1, port: $((base + o)), user: lvsconsole, privateKeyPath: $STATE/ssh/id_ed25519, hostKey: \"$fp\" }"
    done
    echo '    haproxy:   # HAProxy beside LVS in each director (lab/guest/etc/lvslab/haproxy.cfg)'
    echo '      - { name: haproxy-dir1, director: dir1, socket: /run/haproxy/admin.sock }'
    echo '      - { name: haproxy-dir2, director: dir2, socket: /run/haproxy/admin.sock }'
  } > "$STATE/console.yaml.tmp"
  mv "$STATE/console.yaml.tmp" "$STATE/console.yaml"
  echo "wrote $STATE/console.yaml (dir1 127.0.0.1:$((base + 1)), dir2 127.0.0.1:$((base + 2)), user lvsconsole)"
}

report_rss() {
  local pid=$1
  printf 'qemu pid %s: RSS %s MiB\n' "$pid" "$(( $(ps -o rss= -p "$pid") / 1024 ))"
}

if pid=$(qemu_pid); then
  base=$(port_base)
  write_ssh_config "$base"
  echo "lvslab already running (qemu pid $pid, accel $(cat "$STATE/accel" 2>/dev/null || echo '?'), ports $base-$((base + 6))); waiting until ready"
  wait_ready "$(now)"
  report_rss "$pid"
  write_console_yaml "$base"
  exit 0
fi

# --- build (skipped when up to date) ---------------------------------------------------------
t=$(now)
"$LAB_DIR/build-image.sh"
stamp "build (or cache check)" "$t"

# --- ports: all three must be free (our qemu is not running, so any listener is someone else's) --
base=${LVSLAB_PORT_BASE:-2200}
{ [[ $base =~ ^[0-9]+$ ]] && [ "$base" -ge 1024 ] && [ "$base" -le 65529 ]; } || die "LVSLAB_PORT_BASE must be 1024..65529"
for p in "$base" "$((base + 1))" "$((base + 2))" "$((base + 3))" "$((base + 4))" "$((base + 5))" "$((base + 6))"; do
  if [ -n "$(ss -Hltn "sport = :$p")" ]; then
    ss -Hltnp "sport = :$p" >&2 || true
    die "port $p is already in use by another program (not the lab's qemu). Free it or set LVSLAB_PORT_BASE."
  fi
done
rm -f "$PIDF"
echo "$base" > "$STATE/port_base"
write_ssh_config "$base"

# --- accelerator ---------------------------------------------------------------------------
# KVM only with real hardware virtualisation (kvm_intel/kvm_amd). kvm_pvm ("pagetable-based VM",
# nested) runs only PVM-enabled guest kernels: Debian's kernel hangs at "Probing EDD" -> use TCG.
ACC=${LVSLAB_ACCEL:-auto}
if [ "$ACC" = auto ]; then
  if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
    ACC=kvm why="kvm_intel/kvm_amd loaded"
  else
    ACC=tcg why="no kvm_intel/kvm_amd$([ -d /sys/module/kvm_pvm ] && echo ', /dev/kvm is kvm_pvm (hangs Debian kernels)')"
  fi
else
  why="LVSLAB_ACCEL=$ACC"
fi
case $ACC in
  kvm) ACCEL=(-accel kvm -cpu "host,-arch-capabilities") ;;   # plain 'host' trips MSR 0x10a on nested hosts
  tcg) ACCEL=(-accel "tcg,thread=multi" -cpu max) ;;
  *) die "LVSLAB_ACCEL must be kvm or tcg" ;;
esac
echo "$ACC" > "$STATE/accel"
echo "accelerator: $ACC ($why)"

# --- boot ----------------------------------------------------------------------------------
# user networking: restrict=on (no way out), documentation range, only 127.0.0.1 forwards.
# The disk is snapshot=on: every boot starts from the pristine image.
T0=$(now)
qemu-system-x86_64 -name lvslab,process=lvslab-qemu "${ACCEL[@]}" -smp 2 -m "${LVSLAB_MEM:-1024}" \
  -nodefaults -no-reboot -display none \
  -serial file:"$STATE/console.log" -monitor unix:"$STATE/monitor.sock",server=on,wait=off \
  -kernel "$STATE/vmlinuz" -initrd "$STATE/initrd.img" \
  -append "console=ttyS0 root=/dev/vda rw rootfstype=ext4 net.ifnames=0 panic=1 quiet" \
  -drive file="$STATE/rootfs.img",format=raw,if=virtio,snapshot=on \
  -object rng-random,filename=/dev/urandom,id=rng0 -device virtio-rng-pci,rng=rng0 \
  -netdev "user,id=n0,restrict=on,ipv6=off,net=203.0.113.0/24,host=203.0.113.2,dns=203.0.113.3,dhcpstart=203.0.113.15,hostfwd=tcp:127.0.0.1:$base-:22,hostfwd=tcp:127.0.0.1:$((base + 1))-:2201,hostfwd=tcp:127.0.0.1:$((base + 2))-:2202,hostfwd=tcp:127.0.0.1:$((base + 3))-:2203,hostfwd=tcp:127.0.0.1:$((base + 4))-:2204,hostfwd=tcp:127.0.0.1:$((base + 5))-:2205,hostfwd=tcp:127.0.0.1:$((base + 6))-:2206" \
  -device virtio-net-pci,netdev=n0 \
  -daemonize -pidfile "$PIDF"
pid=$(qemu_pid) || die "qemu did not start (see $STATE/console.log)"
echo "qemu pid $pid; ports 127.0.0.1:$base (vm) :$((base + 1)) (dir1) :$((base + 2)) (dir2) :$((base + 3))-$((base + 6)) (rs1-rs4)"

# VM sshd: the hostfwd port accepts at once, so poll until a real login works
for ((i = 0; ; i++)); do
  ssh -F "$SSH_CONFIG" -o ConnectTimeout=3 vm true 2>/dev/null && break
  qemu_pid >/dev/null || die "qemu exited during boot; see $STATE/console.log"
  [ "$i" -lt 600 ] || die "VM sshd not ready after 5 min; see $STATE/console.log"
  sleep 0.5
done
stamp "boot -> VM sshd ready" "$T0"
wait_ready "$T0" || die "lab did not become ready; see lab/ssh.sh vm journalctl -u lvslab, $STATE/console.log"
report_rss "$pid"
write_console_yaml "$base"
