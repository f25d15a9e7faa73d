#!/usr/bin/env bash
# Installs a built tree into a temporary prefix, moves the prefix, and checks that the installed
# attnsim reads its data from beside itself (not from the source tree, which still exists), fails with
# exit status 1 and one line when that data is gone, honours ATTNSIM_PROFILES, that the installed
# Python module (when built) imports from the moved prefix and reads the same data, and that a
# separate project builds and runs against the moved prefix through find_package(attnsim).
# usage: install_test.sh BUILD_DIR CONSUMER_SOURCE GENERATOR CXX_COMPILER CXX_FLAGS BUILD_TYPE
set -euo pipefail
build=$1 consumer_source=$2 generator=$3 cxx=$4 cxx_flags=$5 build_type=$6

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset ATTNSIM_PROFILES ATTNSIM_MODELS
cd "$work"  # nothing below runs relative to the source or build tree

fail() { echo "install test: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "cmake --install into $work/prefix, then mv to $work/moved"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
mv "$work/prefix" "$work/moved"
prefix=$work/moved
attnsim=$prefix/bin/attnsim

step "attnsim gpus lists the moved prefix's profiles (a10 removed there, still in the source tree)"
rm "$prefix/share/attnsim/hw_profiles/a10.toml"
gpus=$("$attnsim" gpus --format csv)
echo "$gpus" | cut -d, -f1 | tail -n +2 | tr '\n' ' '; echo
grep -q '^h100-sxm,' <<<"$gpus" || fail "h100-sxm missing from attnsim gpus"
! grep -q '^a10,' <<<"$gpus" || fail "attnsim gpus read a profile that is not in the moved prefix"

step "attnsim predict and capacity from the moved prefix (names in any case)"
predict=$("$attnsim" predict --gpu H100-SXM --variant FLASH2 --seq 4096 --causal)
grep -E '^(flash2 on|predicted_seconds)' <<<"$predict"
capacity=$("$attnsim" capacity --model llama-3.2-1b --gpu rtx4090 --variant flash2)
echo "${capacity%%$'\n'*}"

# The module is built for one interpreter, pythonX.Y, whose name its folder carries.
site=$(ls -d "$prefix"/lib*/python3.*/site-packages 2>/dev/null | head -n 1 || true)
if [[ -n $site ]]; then
  python=$(basename "$(dirname "$site")")
  step "import attnsim with PYTHONPATH=$site ($python): same numbers as the binary, data of the moved prefix"
  [[ -f $site/attnsim/__init__.py ]] || fail "$site/attnsim/__init__.py not installed"
  cli_seconds=$("$attnsim" predict --gpu h100-sxm --variant flash2 --seq 4096 --causal --format json |
                "$python" -c 'import json, sys; print(repr(json.load(sys.stdin)["predicted_seconds"]))')
  py_out=$(PYTHONPATH=$site "$python" -c '
import attnsim
print(repr(attnsim.predict(gpu="h100-sxm", variant="flash2", seq=4096, causal=True)["predicted_seconds"]))
print(" ".join(g["id"] for g in attnsim.gpus()))
print(attnsim.__file__)')
  echo "$py_out"
  [[ $(sed -n 1p <<<"$py_out") == "$cli_seconds" ]] || fail "Python predicted $(sed -n 1p <<<"$py_out"), the binary $cli_seconds"
  ! grep -qw a10 <<<"$(sed -n 2p <<<"$py_out")" || fail "the module read a profile that is not in the moved prefix"
  grep -qw h100-sxm <<<"$(sed -n 2p <<<"$py_out")" || fail "h100-sxm missing from attnsim.gpus()"
  [[ $(sed -n 3p <<<"$py_out") == "$site/attnsim/__init__.py" ]] || fail "imported $(sed -n 3p <<<"$py_out"), not the moved prefix's"
fi

step "ATTNSIM_PROFILES overrides the installed profiles"
mkdir "$work/mine"
cp "$prefix/share/attnsim/hw_profiles/h200.toml" "$work/mine/"
mine=$(ATTNSIM_PROFILES=$work/mine "$attnsim" gpus --format csv | cut -d, -f1 | tail -n +2 | tr '\n' ' ')
echo "$mine"
[[ $mine == "h200 " ]] || fail "ATTNSIM_PROFILES=$work/mine listed '$mine'"

# Without its data the binary must say so: exit 1, one line on stderr, nothing on stdout.
expect_missing() {
  local folder=$1; shift
  mv "$prefix/share/attnsim/$folder" "$work/aside"
  local status=0
  "$attnsim" "$@" >"$work/out" 2>"$work/err" || status=$?
  mv "$work/aside" "$prefix/share/attnsim/$folder"
  cat "$work/err"
  [[ $status -eq 1 ]] || fail "attnsim $* without $folder/ exited $status, not 1"
  [[ $(wc -l <"$work/err") -eq 1 ]] || fail "attnsim $* without $folder/ printed $(wc -l <"$work/err") lines on stderr"
  [[ ! -s $work/out ]] || fail "attnsim $* without $folder/ printed on stdout"
  grep -q "$prefix/share/attnsim/$folder" "$work/err" || fail "the error does not name $prefix/share/attnsim/$folder"
}
step "attnsim gpus without share/attnsim/hw_profiles"
expect_missing hw_profiles gpus
step "attnsim capacity without share/attnsim/models"
expect_missing models capacity --model llama-3.2-1b --gpu rtx4090

step "a consumer project: find_package(attnsim) from the moved prefix, build, run"
cp -r "$consumer_source" "$work/consumer"
cmake -S "$work/consumer" -B "$work/consumer-build" -G "$generator" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build "$work/consumer-build" >/dev/null
"$work/consumer-build/consumer"
echo "install test: passed"
