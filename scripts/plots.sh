#!/usr/bin/env bash
# Redraws every plot committed under docs/ (and the validation pages beside them) with the commands
# listed in docs/plot-commands.txt, from the repository root, with the attnsim of build/.
# tests/docs/plots_test.cpp fails when a committed plot differs from what these commands draw.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x build/attnsim ]] || { echo "plots: build/attnsim is missing; run scripts/build.sh first" >&2; exit 1; }
grep -v '^#' docs/plot-commands.txt | grep -v '^$' | while read -r program args; do
  [[ "$program" == attnsim ]] || { echo "plots: a line must start with attnsim: $program $args" >&2; exit 1; }
  echo "attnsim $args"
  # shellcheck disable=SC2086  # the listed arguments are words without spaces
  build/attnsim $args >/dev/null
done
