// Backend `attnsim-flash2`: a FlashAttention-2-style forward kernel of our own (attnsim variant
// `flash2`), on tensor cores through mma.sync m16n8k16 bf16 (inline PTX, no wgmma), compiled for
// every tile BM x BN in {64, 128} x {32, 64, 128} and head dims 64 and 128.
#pragma once

#include <string>
#include <vector>

#include "attention_path.h"
#include "attention_shape.h"

namespace attnsim::bench {

struct Flash2Tile {
  int block_m = 128;  // query rows per CTA
  int block_n = 64;   // key/value rows per inner step
  std::string label() const { return std::to_string(block_m) + "x" + std::to_string(block_n); }
};

// The instantiated tiles, in the order the grid runs them.
const std::vector<Flash2Tile>& flash2_tiles();
// "128x64" -> tile; throws std::invalid_argument naming --tile when it is not one of flash2_tiles().
Flash2Tile parse_flash2_tile(const std::string& text);

// Dynamic shared memory of one CTA: the Q tile and one K and one V tile, rows padded by 16 bytes.
std::size_t flash2_shared_memory_bytes(const Flash2Tile& tile, int head_dim);

// Allocates the logsumexp (B, H, Nq) fp32, the only workspace; run() launches one kernel.
AttentionPath prepare_flash2(const AttentionShape& shape, const DeviceTensors& tensors, const Flash2Tile& tile);

}  // namespace attnsim::bench
