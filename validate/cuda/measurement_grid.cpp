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

std::vector<GridPoint> prefill_grid(std::int64_t min_seq, std::int64_t max_seq) {
  std::vector<GridPoint> grid;
  for (std::int64_t n = min_seq; n <= max_seq; n *= 2) {
    for (std::int64_t d : {128, 64}) {
      for (bool causal : {false, true}) grid.push_back({{1, 32, 32, n, n, d, causal}, prefill_backends()});
    }
  }
  return grid;
}

std::vector<GridPoint> decode_grid(const std::vector<std::int64_t>& batches, const std::vector<std::int64_t>& seqs) {
  std::vector<GridPoint> grid;
  for (std::int64_t batch : batches) {
    for (std::int64_t n : seqs) grid.push_back({{batch, 32, 8, 1, n, 128, false}, decode_backends()});
  }
  return grid;
}

}  // namespace

std::string grid_names() { return "full, prefill, decode, smoke"; }

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
  if (name == "smoke") {
    std::vector<GridPoint> grid = prefill_grid(512, 1024);
    for (GridPoint& p : decode_grid({4}, {8192})) grid.push_back(std::move(p));
    return grid;
  }
  throw std::invalid_argument("--grid: expected one of " + grid_names() + ", got '" + name + "'");
}

}  // namespace attnsim::bench
