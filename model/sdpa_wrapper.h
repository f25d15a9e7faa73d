// What PyTorch's torch.nn.functional.scaled_dot_product_attention launches around a backend's own
// kernels. The variants price the kernels as the backend's library runs them (flash_attn_func,
// cuDNN's graph); called through SDPA, some backends add layout copies of their own.
#pragma once

#include <string_view>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/workload.h"

namespace attnsim {

// Appends to `cost` the kernels SDPA's wrapper of variant `variant_id` launches for this workload
// (none for most backends).
void add_sdpa_wrapper_kernels(Cost& cost, std::string_view variant_id, const Workload& w, const Gpu& gpu);

}  // namespace attnsim
