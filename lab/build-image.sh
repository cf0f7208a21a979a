#!/bin/bash
# Stage 2: copy the pristine stage-1 rootfs, customise it (lab/guest overlay, users, keys, per-director
# /etc), and write $STATE/{rootfs.img,vmlinuz,initrd.img}. Skipped when the recipe hash (build scripts,
# packages.txt, lab/guest tree, stage-1 hash) matches the one stored with the last image.
# Keys live outside the image in $STATE/ssh and $STATE/hostkeys and are generated only once, so the
# pinned fingerprints stay the same across rebuilds for as long as $STATE exists.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
ROOT=$STATE/rootfs
WORK=$STATE/work

"$LAB_DIR/build-rootfs.sh"

# Recipe hash: file contents + executable bit (all a git checkout preserves) of everything that goes in.
recipe_hash() {
  local files f
  cd "$LAB_DIR"
  mapfile -t files < <(find guest -type f -o -type l | LC_ALL=C sort)
  {
    cat "$STATE/rootfs.hash"
    for f in lib.sh build-rootfs.sh build-image.sh packages.txt ../deploy/lvs-haproxy-cmd "${files[@]}"; do
      if [ -L "$f" ]; then echo "L $f $(readlink "$f")"
      else echo "F $f $([ -x "$f" ] && echo x) $(sha256sum < "$f" | cut -c1-64)"; fi
    done
  } | sha256sum | cut -c1-16
}
HASH=$(recipe_hash)
if [ "$(cat "$STATE/image.hash" 2>/dev/null)" = "$HASH" ] && [ -s "$STATE/rootfs.img" ] \
   && [ -s "$STATE/vmlinuz" ] && [ -s "$STATE/initrd.img" ] && [ -s "$STATE/hostkeys.json" ]; then
  echo "stage2: image up to date ($HASH), skipping"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "stage2 needs root (chroot, file ownership in the image)"
start=$(now)

# --- keys, generated once ----------------------------------------------------------------
mkdir -p "$STATE/ssh"
[ -s "$STATE/ssh/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C lvslab-console -f "$STATE/ssh/id_ed25519"
for h in vm dir1 dir2 rs1 rs2 rs3 rs4; do
  mkdir -p "$STATE/hostkeys/$h"
  for t in ed25519 ecdsa rsa; do
    k=$STATE/hostkeys/$h/ssh_host_${t}_key
    [ -s "$k" ] || ssh-keygen -q -t "$t" -N '' -C "root@$h" -f "$k"
  done
done

# --- work copy of the pristine rootfs ----------------------------------------------------
rm -rf "$WORK"
cp -a --reflink=auto "$ROOT" "$WORK"

# overlay; a git checkout keeps only the x bit, so owner and special modes are set here
cp -a "$LAB_DIR/guest/." "$WORK/"
(cd "$LAB_DIR/guest" && find . -mindepth 1) | while read -r p; do chown -h root:root "$WORK/$p"; done
chmod 0440 "$WORK/etc/sudoers.d/lvs-console"
chroot "$WORK" visudo -cq -f /etc/sudoers.d/lvs-console || die "sudoers file does not parse"

echo lvslab > "$WORK/etc/hostname"
cat > "$WORK/etc/hosts" <<'EOH'
127.0.0.1 localhost
127.0.1.1 lvslab
192.0.2.1 lvslab-mgmt
192.0.2.2 dir1
192.0.2.3 dir2
192.0.2.11 rs1
192.0.2.12 rs2
198.51.100.13 rs3
192.0.2.14 rs4
192.0.2.50 client
192.0.2.100 vip
::1 localhost ip6-localhost ip6-loopback
EOH
echo '/dev/vda / ext4 rw,noatime 0 0' > "$WORK/etc/fstab"
# mmdebstrap copied the build host's resolv.conf (a private-range resolver here); the lab has no DNS
rm -f "$WORK/etc/resolv.conf"
printf '# lvslab: no DNS inside the lab VM\nnameserver 127.0.0.1\n' > "$WORK/etc/resolv.conf"
echo 'DAEMON_ARGS="-D"' > "$WORK/etc/default/keepalived"
mkdir -p "$WORK/var/log/journal" "$WORK/var/lib/lvs-console" "$WORK/var/lib/lvslab"

# systemd: keepalived runs only inside the directors, nginx only inside the real servers; no timers, no VGA getty; root autologin on ttyS0
ln -sf /dev/null "$WORK/etc/systemd/system/keepalived.service"
ln -sf /dev/null "$WORK/etc/systemd/system/nginx.service"   # nginx runs per real server (lvslab-svc)
ln -sf /dev/null "$WORK/etc/systemd/system/ipvsadm.service"  # no saved rules to restore; keepalived programs IPVS
ln -sf /dev/null "$WORK/etc/systemd/system/haproxy.service"  # HAProxy runs per director (lvslab-director)
ln -sf /dev/null "$WORK/etc/systemd/system/mariadb.service"  # MariaDB runs per real server (lvslab-mysql)
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer dpkg-db-backup.timer \
         getty@tty1.service; do
  ln -sf /dev/null "$WORK/etc/systemd/system/$u"
done
mkdir -p "$WORK/etc/systemd/system/multi-user.target.wants" "$WORK/etc/systemd/system/serial-getty@ttyS0.service.d"
ln -sf /etc/systemd/system/lvslab.service "$WORK/etc/systemd/system/multi-user.target.wants/lvslab.service"
cat > "$WORK/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOS'
[Service]
ExecStart=
ExecStart=-/sbin/agetty -o '-p -f -- \\u' --keep-baud --autologin root 115200,57600,38400,9600 - $TERM
EOS

# users: root (tests, admin) and lvsconsole (the console), same key; lvsconsole reads logs via groups
chroot "$WORK" useradd -m -s /bin/bash -G adm,systemd-journal -c "LVS console" lvsconsole
# lvs-haproxy: no login, no key; the only non-root member of HAProxy's admin socket group. The
# console runs the shipped wrapper as this user through sudo (README "Least privilege on directors").
chroot "$WORK" useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin -c "LVS console HAProxy runtime API" lvs-haproxy
install -m 0755 "$LAB_DIR/../deploy/lvs-haproxy-cmd" "$WORK/usr/local/sbin/lvs-haproxy-cmd"
for home in root home/lvsconsole; do
  install -d -m 700 "$WORK/$home/.ssh"
  install -m 600 "$STATE/ssh/id_ed25519.pub" "$WORK/$home/.ssh/authorized_keys"
done
chroot "$WORK" chown -R lvsconsole:lvsconsole /home/lvsconsole/.ssh

# host keys: VM root namespace, and each director's own /etc/ssh (ip netns exec binds /etc/netns/NAME/*)
rm -f "$WORK"/etc/ssh/ssh_host_*
cp "$STATE/hostkeys/vm/"ssh_host_* "$WORK/etc/ssh/"
for d in dir1 dir2; do
  E=$WORK/etc/netns/$d
  mkdir -p "$E/keepalived"
  echo "$d" > "$E/hostname"
  cp -a "$WORK/etc/ssh" "$E/ssh"
  rm -f "$E"/ssh/ssh_host_*
  cp "$STATE/hostkeys/$d/"ssh_host_* "$E/ssh/"
  if [ "$d" = dir1 ]; then st=MASTER pr=150 rid=DIR1 s6=2001:db8::2; else st=BACKUP pr=100 rid=DIR2 s6=2001:db8::3; fi
  sed -e "s/@NAME@/$d/g; s/@ROUTER_ID@/$rid/g; s/@STATE@/$st/g; s/@PRIO@/$pr/g; s/@SELF6@/$s6/g" \
    "$LAB_DIR/guest/etc/lvslab/keepalived.conf.in" > "$E/keepalived/keepalived.conf"
  install -m 755 "$LAB_DIR/guest/etc/lvslab/notify.sh" "$E/keepalived/notify.sh"
  mkdir -p "$E/haproxy"
  install -m 644 "$LAB_DIR/guest/etc/lvslab/haproxy.cfg" "$E/haproxy/haproxy.cfg"
done
# NetworkManager: only dir2 runs it (lvslab-director, when /etc/netns/dirN/NetworkManager exists);
# its profiles set the same addresses lvslab-up gives dir1. Never in the VM root namespace.
for u in NetworkManager NetworkManager-wait-online NetworkManager-dispatcher; do
  ln -sf /dev/null "$WORK/etc/systemd/system/$u.service"
done
E=$WORK/etc/netns/dir2/NetworkManager
install -d -m 755 "$E" "$E/conf.d"
install -d -m 700 "$E/system-connections"
install -m 644 "$LAB_DIR/guest/etc/lvslab/nm/NetworkManager.conf" "$E/NetworkManager.conf"
for p in lab-eth0 lab-eth1; do
  install -m 600 "$LAB_DIR/guest/etc/lvslab/nm/$p.nmconnection" "$E/system-connections/$p.nmconnection"
done
# real servers: an sshd each (lvslab-up), for the console's read-only real-server diagnostics
for r in rs1 rs2 rs3 rs4; do
  install -d -m 700 "$WORK/etc/lvslab/rs-hostkeys/$r"
  install -m 600 "$STATE/hostkeys/$r/ssh_host_ed25519_key" "$WORK/etc/lvslab/rs-hostkeys/$r/"
done
# MariaDB data directories of rs1..rs3 (lvslab-mysql), made here at native speed rather than at boot
# under emulation: one mariadb-install-db, the users (no passwords; README "MariaDB behind HAProxy"),
# then a copy per server (server_id and report_host are set when each starts)
M=/var/lib/lvslab/mysql
rm -rf "$WORK/var/lib/mysql"/* && mkdir -p "$WORK$M"
chroot "$WORK" mariadb-install-db --no-defaults --user=mysql --datadir=$M/rs1 --skip-test-db \
  --auth-root-authentication-method=socket --innodb-log-file-size=4M > "$STATE/mariadb-install.log" 2>&1 \
  || die "mariadb-install-db failed (see $STATE/mariadb-install.log)"
chroot "$WORK" mariadbd --no-defaults --bootstrap --user=mysql --datadir=$M/rs1 --skip-networking \
  --innodb-log-file-size=4M >> "$STATE/mariadb-install.log" 2>&1 <<'EOSQL' || die "creating the lab's MariaDB users failed (see $STATE/mariadb-install.log)"
FLUSH PRIVILEGES;
CREATE USER 'haproxy_check'@'192.0.2.%';
CREATE USER 'haproxy_check'@'198.51.100.%';
CREATE USER 'lab'@'192.0.2.%';
CREATE USER 'lab'@'198.51.100.%';
EOSQL
for r in rs2 rs3; do cp -a "$WORK$M/rs1" "$WORK$M/$r"; done
chmod 600 "$WORK"/etc/ssh/ssh_host_*_key "$WORK"/etc/netns/*/ssh/ssh_host_*_key
chmod 755 "$WORK/etc/netns" "$WORK"/etc/netns/*

# --- kernel, initrd, ext4 image ----------------------------------------------------------
KVER=$(find "$WORK/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)
cp "$WORK/boot/vmlinuz-$KVER" "$STATE/vmlinuz.tmp"; mv "$STATE/vmlinuz.tmp" "$STATE/vmlinuz"
cp "$WORK/boot/initrd.img-$KVER" "$STATE/initrd.img.tmp"; mv "$STATE/initrd.img.tmp" "$STATE/initrd.img"
rm -f "$STATE/rootfs.img.tmp"
mkfs.ext4 -q -F -L lvsroot -d "$WORK" "$STATE/rootfs.img.tmp" "${LVSLAB_IMG_SIZE:-2G}"
mv "$STATE/rootfs.img.tmp" "$STATE/rootfs.img"
rm -rf "$WORK"

# --- pinned host keys for the host side ---------------------------------------------------
fp() { ssh-keygen -lf "$STATE/hostkeys/$1/ssh_host_ed25519_key.pub" -E sha256 | awk '{print $2}'; }
{
  for h in vm dir1 dir2; do echo "lvslab-$h $(cut -d' ' -f1,2 "$STATE/hostkeys/$h/ssh_host_ed25519_key.pub")"; done
} > "$STATE/ssh/known_hosts"
printf '{"dir1":{"ed25519":"%s"},"dir2":{"ed25519":"%s"}}\n' "$(fp dir1)" "$(fp dir2)" > "$STATE/hostkeys.json"

echo "$HASH" > "$STATE/image.hash"
printf 'stage2: image built in %.0fs (%s): %s apparent, %s on disk; kernel %s\n' "$(since "$start")" "$HASH" \
  "$(du -h --apparent-size "$STATE/rootfs.img" | cut -f1)" "$(du -h "$STATE/rootfs.img" | cut -f1)" "$KVER"
