#!/usr/bin/env bash
# Installs attnsim's build and test dependencies from Debian 12's packages.
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config
  libboost-program-options-dev libeigen3-dev libfccp-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libbenchmark-dev
  python3-dev pybind11-dev python3-pytest python3-pandas
  gnuplot-nox
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
