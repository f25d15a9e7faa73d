#!/usr/bin/env bash
# Installs, builds and runs the whole test suite (GPU-only tests, labelled `gpu`, are skipped).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
ctest --preset release
