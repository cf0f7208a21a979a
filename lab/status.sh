#!/bin/bash
# Lab status (npm run lab:status): qemu running?, pid, accel, RSS, uptime, ports; per director
# (one ssh each, in parallel): sshd reachable, keepalived running, which VIPs it holds.
# Exit 0 when running and ready (both directors reachable, 192.0.2.100 held by a director), else 1.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
if ! pid=$(qemu_pid); then
  echo "lvslab: not running"
  exit 1
fi
base=$(port_base)
[ -s "$SSH_CONFIG" ] || write_ssh_config "$base"
up=$(ps -o etimes= -p "$pid" | tr -d ' ')
printf 'lvslab: running (qemu pid %s, accel %s, RSS %s MiB, up %dm%02ds)\n' "$pid" \
  "$(cat "$STATE/accel" 2>/dev/null || echo '?')" "$(( $(ps -o rss= -p "$pid") / 1024 ))" $((up / 60)) $((up % 60))
echo "ports: vm 127.0.0.1:$base, dir1 127.0.0.1:$((base + 1)), dir2 127.0.0.1:$((base + 2))  (ssh_config: $SSH_CONFIG)"

# What each director reports about itself (runs there); VIPs = the addresses keepalived manages.
# shellcheck disable=SC2016
PROBE='k=$(cat /run/keepalived.pid 2>/dev/null); if [ -n "$k" ] && kill -0 "$k" 2>/dev/null; then echo "keepalived running (pid $k)"; else echo "keepalived NOT running"; fi
ip -o addr show | awk '\''{split($4,a,"/")} a[1] ~ /^(192\.0\.2\.10[0-2]|198\.51\.100\.1|2001:db8::1)$/ {printf "%s ", a[1]}'\''; echo'
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for d in dir1 dir2; do
  ( ssh -F "$SSH_CONFIG" -o ConnectTimeout=5 "$d" "$PROBE" > "$tmp/$d" 2>"$tmp/$d.err"; echo $? > "$tmp/$d.rc" ) &
done
wait
ready=1 holders=
for d in dir1 dir2; do
  if [ "$(cat "$tmp/$d.rc")" = 0 ]; then
    { read -r kline; read -r vips; } < "$tmp/$d"
    echo "$d: sshd reachable, $kline, VIPs: ${vips:-none}"
    case " $vips " in *" 192.0.2.100 "*) holders="$holders $d" ;; esac
  else
    echo "$d: sshd NOT reachable ($(head -c 200 "$tmp/$d.err" | tr '\n' ' '))"
    ready=0
  fi
done
[ -n "$holders" ] || { echo "no director holds 192.0.2.100"; ready=0; }
[ "$(wc -w <<<"$holders")" -le 1 ] || echo "split brain: 192.0.2.100 is held by$holders"
if [ "$ready" = 1 ]; then echo "ready"; exit 0; else echo "not ready"; exit 1; fi
