#!/usr/bin/env bash
# Makes the three images the compose walkthrough (ComposeWalkthroughTest) builds and runs Ferry with,
# from Debian's packages, for machines where no container registry is reachable:
#   debian-images.sh RUNTIME_TAG BUILD_TAG PROMETHEUS_TAG
#     RUNTIME_TAG     Debian bookworm, minimal (stands in for debian:bookworm-slim)
#     BUILD_TAG       the same with OpenJDK 17 (whose jmods jlink needs; stands in for eclipse-temurin:17-jdk)
#     PROMETHEUS_TAG  the same with Debian's prometheus and wget, entrypoint and user as prom/prometheus
# An image whose tag already exists is kept, so the ~2 minutes of debootstrap and apt-get are paid
# once per Docker engine. Needs root, debootstrap and a running Docker engine.
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 RUNTIME_TAG BUILD_TAG PROMETHEUS_TAG" >&2
  exit 2
fi
runtime_tag=$1 build_tag=$2 prometheus_tag=$3

missing() { ! docker image inspect "$1" >/dev/null 2>&1; }
if ! missing "$runtime_tag" && ! missing "$build_tag" && ! missing "$prometheus_tag"; then
  echo "debian-images: $runtime_tag, $build_tag and $prometheus_tag exist"
  exit 0
fi

# The host's Debian mirror (deb822 sources on bookworm), else the default one.
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-http://deb.debian.org/debian}

work=$(mktemp -d /var/tmp/ferry-debian-images.XXXXXX)
cleanup() {
  for root in "$work"/*/; do
    mountpoint -q "$root/proc" && umount "$root/proc"
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "debian-images: debootstrap bookworm from $mirror"
debootstrap --variant=minbase --include=passwd bookworm "$work/base" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -50 "$work/debootstrap.log" >&2
  exit 1
}
# Like debian:bookworm-slim: no documentation, translations, package lists or caches.
rm -rf "$work"/base/usr/share/{doc,man,info,locale}/* \
  "$work"/base/var/cache/apt/archives/*.deb "$work"/base/var/cache/apt/*.bin "$work"/base/var/lib/apt/lists/*

# import ROOTFS TAG [--change ...]: the root file system as an image (a single layer)
import() {
  local root=$1 tag=$2
  shift 2
  tar --numeric-owner -C "$root" -c . | docker import "$@" - "$tag" >/dev/null
  echo "debian-images: $tag made ($(docker image inspect -f '{{.Size}}' "$tag" | numfmt --to=iec))"
}

# install ROOTFS PACKAGE...: apt-get inside a copy of the base, with services kept from starting
install() {
  local root=$1
  shift
  cp -a "$work/base" "$root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  chroot "$root" apt-get clean
  umount "$root/proc"
  rm -rf "$root/usr/sbin/policy-rc.d" "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/*
}

if missing "$runtime_tag"; then
  import "$work/base" "$runtime_tag" --change 'CMD ["bash"]'
fi

if missing "$build_tag"; then
  install "$work/jdk" openjdk-17-jdk-headless
  import "$work/jdk" "$build_tag" --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' --change 'CMD ["bash"]'
fi

if missing "$prometheus_tag"; then
  install "$work/prometheus" prometheus wget
  # As prom/prometheus: runs as nobody, TSDB in /prometheus (a volume it can write).
  mkdir -p "$work/prometheus/prometheus"
  chown nobody:nogroup "$work/prometheus/prometheus"
  import "$work/prometheus" "$prometheus_tag" \
    --change 'ENTRYPOINT ["/usr/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    --change 'USER nobody' --change 'WORKDIR /prometheus' --change 'VOLUME /prometheus' --change 'EXPOSE 9090'
fi
