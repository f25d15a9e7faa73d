#!/usr/bin/env bash
# Configures and builds attnsim (Release, warnings as errors) into build/.
# attnsim-bench (validate/cuda/) is built too when a CUDA compiler is found; CUDA's default
# install folder is searched because its bin/ is often not on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nvcc >/dev/null 2>&1 && [[ -z "${CUDACXX:-}" && -x /usr/local/cuda/bin/nvcc ]]; then
  export CUDACXX=/usr/local/cuda/bin/nvcc
fi
if command -v nvcc >/dev/null 2>&1 || [[ -n "${CUDACXX:-}" ]]; then
  echo "build: CUDA compiler $("${CUDACXX:-nvcc}" --version | tail -1): attnsim-bench is built"
else
  echo "build: no CUDA compiler (nvcc): attnsim-bench (validate/cuda/) is not built"
fi
cmake --preset release >/dev/null
cmake --build --preset release
# The Python module (build/python/attnsim): a path file in the user's site-packages of the Python it
# was built for names build/python, so `import attnsim` works from any folder (docs/python.md).
python=$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' build/CMakeCache.txt)
if [[ -n "$python" && -d build/python/attnsim ]]; then
  site=$("$python" -m site --user-site)
  mkdir -p "$site"
  echo "$PWD/build/python" > "$site/attnsim.pth"
  echo "build: Python module: $site/attnsim.pth names $PWD/build/python"
fi
