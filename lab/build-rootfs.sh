#!/bin/bash
# Stage 1: mmdebstrap a pristine Debian bookworm rootfs into $STATE/rootfs.
# Re-runs ONLY when the package list (packages.txt) or STAGE1_REV changes: mmdebstrap is
# the slow, network-bound step. Stage 2 (build-image.sh) never modifies this directory.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$(readlink -f "$0")")/lib.sh"
STAGE1_REV=1   # bump when the mmdebstrap options/hooks below change
ROOT=$STATE/rootfs
ensure_host_tools

mapfile -t PKGS < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LAB_DIR/packages.txt" | grep .)
HASH=$( { echo "rev=$STAGE1_REV"; printf '%s\n' "${PKGS[@]}"; } | sha256sum | cut -c1-16)
if [ -d "$ROOT" ] && [ "$(cat "$STATE/rootfs.hash" 2>/dev/null)" = "$HASH" ]; then
  echo "stage1: rootfs up to date ($HASH), skipping mmdebstrap"
  exit 0
fi
[ "$(id -u)" = 0 ] || die "stage1 needs root (mmdebstrap --mode=root)"

# Mirror: whatever this machine's apt uses right now (never a hard-coded mirror).
SRC=/etc/apt/sources.list.d/debian.sources
[ -e "$SRC" ] || SRC=/etc/apt/sources.list
[ -e "$SRC" ] || die "no apt sources on this machine (looked for $SRC)"

# Small initramfs: only the drivers qemu's virtio disk/net need (MODULES=most is ~30 MiB and slow under TCG).
HOOK=$(mktemp -d); trap 'rm -rf "$HOOK"' EXIT
cat > "$HOOK/essential.sh" <<'EOH'
#!/bin/sh
set -e
mkdir -p "$1/etc/initramfs-tools/conf.d" "$1/etc/initramfs-tools/hooks"
printf 'MODULES=list\nCOMPRESS=zstd\n' > "$1/etc/initramfs-tools/conf.d/lvslab.conf"
cat > "$1/etc/initramfs-tools/hooks/lvslab" <<'EOI'
#!/bin/sh
[ "$1" = prereqs ] && exit 0
. /usr/share/initramfs-tools/hook-functions
for m in virtio_pci virtio_blk virtio_net virtio_console ext4 crc32c_generic; do manual_add_modules $m; done
EOI
chmod +x "$1/etc/initramfs-tools/hooks/lvslab"
EOH
chmod +x "$HOOK/essential.sh"

rm -rf "$ROOT" "$STATE/rootfs.hash"
start=$(now)
echo "stage1: mmdebstrap bookworm (${#PKGS[@]} packages) -> $ROOT"
mmdebstrap --mode=root --variant=apt --components=main \
  --aptopt='APT::Install-Recommends "false"' \
  --include="$(IFS=,; echo "${PKGS[*]}")" \
  --essential-hook="$HOOK/essential.sh" \
  bookworm "$ROOT" "$SRC"
echo "$HASH" > "$STATE/rootfs.hash"
printf 'stage1: mmdebstrap took %.0fs (%s)\n' "$(since "$start")" "$(du -sh "$ROOT" | cut -f1)"
