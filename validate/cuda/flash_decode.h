// Backend `attnsim-flash-decode`: split-KV decoding of our own (attnsim variant `flash-decode`):
// seq_q = 1, GQA (the H/Hkv query heads of a KV head share one CTA, so K/V are read once per KV
// head), the keys cut into S splits that each write a partial O (fp32) and logsumexp, then a
// combine kernel.
#pragma once

#include <cstdint>

#include "attention_path.h"
#include "attention_shape.h"

namespace attnsim::bench {

// FlashAttention-2's num_splits_heuristic (flash_api.cpp), as attnsim's plan_split_kv uses it, so
// that `attnsim predict --variant flash-decode` prices the same number of splits: CTAs = B * Hkv
// (one query block after GQA packing), 2 CTAs per SM, key blocks of 128 keys (256 for d <= 64).
std::int64_t flash_decode_default_splits(const AttentionShape& shape, int sm_count);
// Keys per key block, as in that heuristic; a split covers a whole number of these.
std::int64_t flash_decode_key_block(const AttentionShape& shape);

// num_splits = 0 takes the heuristic; otherwise 1..128, then at most the number of key blocks.
// Throws std::invalid_argument when seq_q != 1 or H/Hkv is not 1, 2, 4 or 8 (the compiled groups).
AttentionPath prepare_flash_decode(const AttentionShape& shape, const DeviceTensors& tensors, std::int64_t num_splits,
                                   int sm_count);

}  // namespace attnsim::bench
