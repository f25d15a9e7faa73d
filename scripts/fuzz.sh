#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan: preset `sanitize`, folder build-sanitize/, the
# same build as the sanitized tests) and runs each for SECONDS (default 60) from its seed corpus.
# A crash stops the script with status 1 and leaves the input in build-sanitize/artifacts/; copy it
# to fuzz/regressions/<target>/ so that CTest replays it from then on.
# Usage: scripts/fuzz.sh [SECONDS-PER-TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
cmake --preset sanitize >/dev/null
cmake --build --preset sanitize

# The command lines the docs and --help show, one argument per line (the cli target's input
# format), minus --out/--plot, which the target refuses to run.
cli_seeds="build-sanitize/seeds/cli"
rm -rf "$cli_seeds" && mkdir -p "$cli_seeds"
n=0
grep -rhoE '^(\$ |  )?(build/)?attnsim (predict|sweep|gpus|variants|validate|calibrate)( [^`#]*)?' README.md docs cli/*.cpp |
  sed -E 's/^(\$ |  )?(build\/)?attnsim //; s/ --(out|plot) [^ ]+//g; s/ +$//' | sort -u |
  while read -r line; do
    n=$((n + 1))
    tr ' ' '\n' <<<"$line" >"$cli_seeds/docs-$n"
  done

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for seeds in build-sanitize/fuzz/fuzz_*.seeds; do
    name="$(basename "$seeds" .seeds)"
    targets+=("${name#fuzz_}")
  done
fi
mkdir -p build-sanitize/artifacts
summary=""
for target in "${targets[@]}"; do
  corpus="build-sanitize/corpus/$target"  # grows across runs; seeds are only read
  mkdir -p "$corpus"
  mapfile -t seed_dirs <"build-sanitize/fuzz/fuzz_$target.seeds"
  [ "$target" = cli ] && seed_dirs+=("$cli_seeds")
  [ -d "fuzz/regressions/$target" ] && seed_dirs+=("fuzz/regressions/$target")
  dict=()
  [ -f "fuzz/dictionaries/$target.dict" ] && dict=("-dict=fuzz/dictionaries/$target.dict")
  # ncu's raw CSV page has a 10 KB header: its seeds need room for the header and a few kernels.
  max_len=8192
  [ "$target" = ncu_csv ] && max_len=32768
  echo "fuzz: $target for ${seconds} s"
  log="build-sanitize/fuzz-$target.log"
  if ! "build-sanitize/fuzz/fuzz_$target" "$corpus" "${seed_dirs[@]}" "${dict[@]}" -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 \
      -artifact_prefix="build-sanitize/artifacts/$target-" >"$log" 2>&1; then
    tail -60 "$log"
    echo "fuzz: $target FAILED; the input is in build-sanitize/artifacts/ (log: $log)." >&2
    echo "fuzz: fix it, then add the input to fuzz/regressions/$target/ so CTest replays it." >&2
    exit 1
  fi
  runs="$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')"
  summary+="$(printf '%-16s %10s executions in %s s, corpus %s inputs' "$target" "$runs" "$seconds" "$(ls "$corpus" | wc -l)")"$'\n'
done
printf 'fuzz: no crashes\n%s' "$summary"
