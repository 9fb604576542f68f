#!/usr/bin/env bash
# Fetch Debian's newest generic amd64 kernel image of a series without installing it, for
# `guardbench kernel run`: apt-get download + dpkg-deb -x into the cache (the image in boot/, its
# modules in lib/modules/ beside it, where guardbench finds them). Prints the unpacked directory.
#   scripts/fetch-kernel.sh 6.1     # the last kernels before guard markers: 6.1 (bookworm), 6.12
# Package names move as updates replace them (linux-image-6.1.0-NN-amd64), so the name is looked up
# each time, never pinned; an older unpacked image of the same series is removed from the cache.
# Needs up-to-date apt lists (apt-get update); works without root.
set -euo pipefail

series=${1:?usage: fetch-kernel.sh SERIES   (e.g. 6.1 or 6.12)}
[[ $series =~ ^[0-9]+\.[0-9]+$ ]] || { echo "fetch-kernel.sh: SERIES is like 6.1 or 6.12, not '$series'" >&2; exit 2; }
cache=${XDG_CACHE_HOME:-$HOME/.cache}/guardbench/kernels

# The generic flavour only: -cloud-amd64 has no 9p, -rt is another scheduler.
escaped=${series//./\\.}
package=$(apt-cache search --names-only "^linux-image-${escaped}[.-][0-9].*-amd64\$" | cut -d' ' -f1 \
  | grep -Ev -- '-(cloud|rt)-amd64$|-dbg$|-unsigned$' | sort -V | tail -n 1 || true)
if [ -z "$package" ]; then
  echo "fetch-kernel.sh: no linux-image-${series}*-amd64 package in the apt lists (run apt-get update; Debian 12 has 6.1 and 6.12)" >&2
  exit 1
fi

target=$cache/$package
if [ ! -d "$target/boot" ]; then
  mkdir -p "$cache"
  work=$(mktemp -d "$cache/.fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  sandbox=()
  # as root apt drops to user _apt, which cannot write into a private home directory
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  (cd "$work" && apt-get download -qq "${sandbox[@]}" "$package" >&2)
  dpkg-deb -x "$work"/"$package"_*.deb "$work/unpacked"
  mv "$work/unpacked" "$target"
  for old in "$cache"/linux-image-"$series"[.-]*-amd64; do
    [ "$old" != "$target" ] && [ -d "$old" ] && rm -rf "$old"
  done
fi
echo "$target"
