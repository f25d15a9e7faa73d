// Inputs are random normal bf16 drawn on the device (a counter-based hash, so a 400-million-element
// tensor takes milliseconds, not the minutes a host generator would), never zeros: zeros hide
// unwritten outputs and wrong indexing, and can run faster than real data. Outputs are poisoned
// with NaN (all bits set) before a checked run, so that an element the kernel never wrote fails.
#pragma once

#include <cstddef>
#include <cstdint>

#include "attention_path.h"

namespace attnsim::bench {

void fill_random_normal_bf16(bf16* data, std::int64_t count, std::uint64_t seed, cudaStream_t stream);

// Every byte 0xFF: NaN in bf16 (0xFFFF) and in fp32 (0xFFFFFFFF).
void poison_with_nan(void* data, std::size_t bytes, cudaStream_t stream);

}  // namespace attnsim::bench
