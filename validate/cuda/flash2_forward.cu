// The run-time side of the flash2 backend: tile parsing, the dispatch table from (d, BM, BN) to a
// compiled instantiation, and the logsumexp workspace.
#include "flash2_forward.h"

#include <cmath>
#include <stdexcept>

#include "cuda_check.h"
#include "flash2_forward_kernel.cuh"

namespace attnsim::bench {
namespace {

using Launcher = void (*)(const Flash2Params&, int, cudaStream_t);

template <int kHeadDim>
Launcher launcher_for(const Flash2Tile& tile) {
  if (tile.block_m == 64 && tile.block_n == 32) return launch_flash2_forward<kHeadDim, 64, 32>;
  if (tile.block_m == 64 && tile.block_n == 64) return launch_flash2_forward<kHeadDim, 64, 64>;
  if (tile.block_m == 64 && tile.block_n == 128) return launch_flash2_forward<kHeadDim, 64, 128>;
  if (tile.block_m == 128 && tile.block_n == 32) return launch_flash2_forward<kHeadDim, 128, 32>;
  if (tile.block_m == 128 && tile.block_n == 64) return launch_flash2_forward<kHeadDim, 128, 64>;
  if (tile.block_m == 128 && tile.block_n == 128) return launch_flash2_forward<kHeadDim, 128, 128>;
  throw std::invalid_argument("--tile: " + tile.label() + " is not compiled; allowed: 64|128 x 32|64|128");
}

}  // namespace

const std::vector<Flash2Tile>& flash2_tiles() {
  static const std::vector<Flash2Tile> tiles = {{64, 32}, {64, 64}, {64, 128}, {128, 32}, {128, 64}, {128, 128}};
  return tiles;
}

Flash2Tile parse_flash2_tile(const std::string& text) {
  const auto x = text.find('x');
  if (x != std::string::npos) {
    try {
      const Flash2Tile tile{std::stoi(text.substr(0, x)), std::stoi(text.substr(x + 1))};
      for (const Flash2Tile& t : flash2_tiles()) {
        if (t.block_m == tile.block_m && t.block_n == tile.block_n && tile.label() == text) return tile;
      }
    } catch (const std::exception&) {
    }
  }
  throw std::invalid_argument("--tile: expected BMxBN with BM in {64, 128} and BN in {32, 64, 128}, got '" + text +
                              "'");
}

std::size_t flash2_shared_memory_bytes(const Flash2Tile& tile, int head_dim) {
  return static_cast<std::size_t>(tile.block_m + 2 * tile.block_n) * static_cast<std::size_t>(head_dim + 8) * 2;
}

AttentionPath prepare_flash2(const AttentionShape& s, const DeviceTensors& tensors, const Flash2Tile& tile) {
  const Launcher launch = s.head_dim == 64 ? launcher_for<64>(tile) : launcher_for<128>(tile);
  AttentionPath path;
  path.workspace.emplace_back(static_cast<std::size_t>(s.batch * s.heads * s.seq_q) * sizeof(float));
  auto* lse = path.workspace.back().as<float>();
  path.lse = lse;
  const Flash2Params params{tensors.q,
                            tensors.k,
                            tensors.v,
                            tensors.o,
                            lse,
                            static_cast<int>(s.heads),
                            static_cast<int>(s.kv_heads),
                            static_cast<int>(s.seq_q),
                            static_cast<int>(s.seq_kv),
                            static_cast<float>(softmax_scale(s) * M_LOG2E),
                            s.causal};
  const int batch_heads = static_cast<int>(s.batch * s.heads);
  path.note = "tile " + tile.label() + ", " +
              std::to_string(flash2_shared_memory_bytes(tile, static_cast<int>(s.head_dim))) +
              " B shared memory per CTA";
  path.run = [launch, params, batch_heads](cudaStream_t stream) { launch(params, batch_heads, stream); };
  return path;
}

}  // namespace attnsim::bench
