#include "measurement_grid.h"

#include <stdexcept>

namespace attnsim::bench {
namespace {

std::vector<BackendChoice> prefill_backends() {
  std::vector<BackendChoice> backends = {{BackendKind::eager, {}, 0}};
  for (const Flash2Tile& tile : flash2_tiles()) backends.push_back({BackendKind::flash2, tile, 0});
  return backends;
}

std::vector<BackendChoice> decode_backends() {
  return {{BackendKind::flash_decode, {}, 0}, {BackendKind::eager, {}, 0}};
}

std::vector<GridPoint> prefill_grid(std::int64_t min_seq, std::int64_t max_seq, std::int64_t kv_heads = 32,
                                    const std::vector<std::int64_t>& head_dims = {128, 64}) {
  std::vector<GridPoint> grid;
  for (std::int64_t n = min_seq; n <= max_seq; n *= 2) {
    for (std::int64_t d : head_dims) {
      for (bool causal : {false, true}) grid.push_back({{1, 32, kv_heads, n, n, d, causal}, prefill_backends()});
    }
  }
  return grid;
}

std::vector<GridPoint> decode_grid(const std::vector<std::int64_t>& batches, const std::vector<std::int64_t>& seqs,
                                   std::int64_t kv_heads = 8, std::int64_t head_dim = 128) {
  std::vector<GridPoint> grid;
  for (std::int64_t batch : batches) {
    for (std::int64_t n : seqs) grid.push_back({{batch, 32, kv_heads, 1, n, head_dim, false}, decode_backends()});
  }
  return grid;
}

void append(std::vector<GridPoint>& grid, std::vector<GridPoint> more) {
  for (GridPoint& p : more) grid.push_back(std::move(p));
}

// A few shapes per backend for Nsight Compute's DRAM counters: every flash2 tile at three shapes
// (MHA non-causal d=128, MHA causal d=64, GQA causal d=128), eager at two, decoding at six.
std::vector<GridPoint> ncu_grid() {
  std::vector<BackendChoice> tiles;
  for (const Flash2Tile& tile : flash2_tiles()) tiles.push_back({BackendKind::flash2, tile, 0});
  std::vector<GridPoint> grid = {{{1, 32, 32, 4096, 4096, 128, false}, tiles},
                                 {{1, 32, 32, 16384, 16384, 64, true}, tiles},
                                 {{1, 32, 8, 4096, 4096, 128, true}, tiles},
                                 {{1, 32, 32, 2048, 2048, 128, false}, {{BackendKind::eager, {}, 0}}},
                                 {{1, 32, 32, 4096, 4096, 64, true}, {{BackendKind::eager, {}, 0}}}};
  for (std::int64_t batch : {1, 16, 64}) {
    for (std::int64_t n : {16384, 65536}) {
      grid.push_back({{batch, 32, 8, 1, n, 128, false}, {{BackendKind::flash_decode, {}, 0}}});
    }
  }
  return grid;
}

}  // namespace

std::string grid_names() { return "full, extended, prefill, decode, ncu, smoke"; }

std::vector<GridPoint> built_in_grid(const std::string& name) {
  const std::vector<std::int64_t> decode_batches = {1, 16, 64};
  const std::vector<std::int64_t> decode_seqs = {4096, 16384, 65536, 131072};
  if (name == "prefill") return prefill_grid(512, 32768);
  if (name == "decode") return decode_grid(decode_batches, decode_seqs);
  if (name == "full") {
    std::vector<GridPoint> grid = decode_grid(decode_batches, decode_seqs);
    for (GridPoint& p : prefill_grid(512, 32768)) grid.push_back(std::move(p));
    return grid;
  }
  if (name == "extended") {
    // full, plus N = 65536, GQA prefill (Hkv = 8), MHA and d = 64 decoding.
    std::vector<GridPoint> grid = decode_grid(decode_batches, decode_seqs);
    append(grid, decode_grid({1, 16}, {16384, 65536}, 32, 128));
    append(grid, decode_grid({1, 16}, {16384, 65536}, 8, 64));
    append(grid, prefill_grid(512, 65536));
    append(grid, prefill_grid(1024, 16384, 8, {128}));
    return grid;
  }
  if (name == "ncu") return ncu_grid();
  if (name == "smoke") {
    std::vector<GridPoint> grid = prefill_grid(512, 1024);
    for (GridPoint& p : decode_grid({4}, {8192})) grid.push_back(std::move(p));
    return grid;
  }
  throw std::invalid_argument("--grid: expected one of " + grid_names() + ", got '" + name + "'");
}

}  // namespace attnsim::bench
