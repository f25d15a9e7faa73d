// Backend `cublas-eager`: Hugging Face transformers' eager_attention_forward, one kernel per line
// of it, in bf16 with cuBLAS for the two matrix products (attnsim variant `eager`).
#pragma once

#include <cublas_v2.h>

#include "attention_path.h"
#include "attention_shape.h"

namespace attnsim::bench {

// Allocates the workspace (scores, fp32 softmax buffers, repeated K/V for GQA) and builds the
// additive causal mask; the returned path's run() then launches:
//   repeat_kv (GQA only), Q K^T (cuBLAS), * scale, + mask (causal only), bf16 -> fp32,
//   softmax (fp32), fp32 -> bf16, P V (cuBLAS), transpose(1, 2).contiguous().
// Output layout (B, Nq, H, d). Throws CudaOutOfMemory when the workspace does not fit.
AttentionPath prepare_eager(const AttentionShape& shape, const DeviceTensors& tensors, cublasHandle_t cublas);

}  // namespace attnsim::bench
