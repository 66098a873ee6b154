#!/usr/bin/env bash
# Installs the system packages downhill's tests need on a fresh Debian bookworm machine:
# Mesa >= 24 lavapipe (a software Vulkan driver Dawn can use) from bookworm-backports,
# Debian's Chromium for the browser tests, python3-numpy (`downhill bench --peers` times numpy beside the
# CPU backend) and openmpi-bin (the distributed tests run `mpirun -n 4 downhill train …`). Idempotent; needs root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=""; [ "$(id -u)" = 0 ] || sudo_cmd="sudo"
need=0
mesa_ver=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || true)
case "$mesa_ver" in 2[4-9]*|[3-9]*) ;; *) need=1 ;; esac
command -v chromium >/dev/null || need=1
dpkg-query -W -f='${Status}' python3-numpy 2>/dev/null | grep -q 'ok installed' || need=1
command -v mpirun >/dev/null || need=1
[ "$need" = 1 ] || { echo "system deps: mesa-vulkan-drivers $mesa_ver, chromium, python3-numpy, openmpi-bin present"; exit 0; }
codename=$( . /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-bookworm}" )
codename=${codename:-bookworm}
src=/etc/apt/sources.list.d/$codename-backports.sources
if [ ! -f "$src" ]; then
  # The backports suite from the archive apt already uses for $codename (a corporate mirror, a proxy, an offline
  # cache), with its keyring; deb.debian.org only when no source names the suite.
  mirror=$(bash "$(dirname "$0")/apt-mirror.sh" "$codename" || true)
  uris=$(printf '%s' "$mirror" | cut -f1)
  keyring=$(printf '%s' "$mirror" | cut -s -f2)
  [ -n "$uris" ] || { uris=http://deb.debian.org/debian; keyring=/usr/share/keyrings/debian-archive-keyring.gpg; }
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s-backports\nComponents: main\n' "$uris" "$codename"
    if [ -n "$keyring" ]; then printf 'Signed-By: %s\n' "$keyring"; fi
  } | $sudo_cmd tee "$src" >/dev/null
  echo "system deps: added $codename-backports from $uris"
fi
$sudo_cmd apt-get update -qq
$sudo_cmd apt-get install -y -qq -t "$codename-backports" mesa-vulkan-drivers libvulkan1 >/dev/null
$sudo_cmd apt-get install -y -qq chromium python3-numpy openmpi-bin >/dev/null
echo "system deps: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers), $(chromium --version 2>/dev/null), python3-numpy $(dpkg-query -W -f='${Version}' python3-numpy), openmpi-bin $(dpkg-query -W -f='${Version}' openmpi-bin)"
