// Which backend torch.nn.functional.scaled_dot_product_attention runs when the caller forces none,
// as Hugging Face's attn_implementation="sdpa" calls it. PyTorch walks a priority order and takes
// the first backend whose checks pass the call (aten/src/ATen/native/transformers/cuda/
// sdp_utils.cpp, select_sdp_backend). The order is FlashAttention-2, memory-efficient, math, except
// where check_prefer_cudnn_attention() puts cuDNN first: compute capability 9.x or 10.x with a
// runtime cuDNN newer than 9.15.0. PyTorch 2.10 has that rule; 2.11's CUDA 13 wheels bundle cuDNN
// 9.19 and cross it (huggingface/transformers#48163, comment of 2026-08-31). Measured: Llama-3.2-1B's
// sdpa forward on the H100 with torch 2.11.0+cu130 dispatched aten::_scaled_dot_product_cudnn_attention
// 16 times, once a layer (validate/data/h100-sxm/host_dispatch/forward_ops.csv).
#pragma once

#include <string_view>

#include "model/gpu.h"
#include "model/variant.h"
#include "model/workload.h"

namespace attnsim {

// The name under which a caller asks for PyTorch's own choice of backend.
inline constexpr std::string_view kSdpaDefaultDispatch = "sdpa";

// The attnsim variant of the backend PyTorch 2.11 (CUDA 13 wheel, cuDNN 9.19) runs for `w` on `gpu`,
// by PyTorch's own checks of head dims, dtype, architecture and mask. Throws InvalidInput where
// attnsim cannot price that backend for the call (the memory-efficient backend in fp32, say).
// Not modelled: cuDNN's and the memory-efficient kernel's handling of an explicit mask, so a
// windowed call goes to memory-efficient.
const Variant& sdpa_default_backend(const Workload& w, const Gpu& gpu);

}  // namespace attnsim
