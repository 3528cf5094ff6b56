#!/usr/bin/env bash
# Installs what building, testing and benchmarking subspace needs on Debian 12 / Ubuntu, if missing.
# Safe to run again: it installs nothing when everything is present.
set -euo pipefail
packages=(cmake ninja-build g++ ccache libeigen3-dev catch2 libbenchmark-dev libopenblas-dev
          libspectra-dev libnanoflann-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
