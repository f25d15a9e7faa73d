#include "model/sdpa_dispatch.h"

#include <string>

#include "model/error.h"

namespace attnsim {
namespace {

// PyTorch's checks of each backend (sdp_utils.cpp: check_cudnn_tensor_shapes,
// check_head_dim_size_flash, check_flash_causal_non_square_seqlens,
// check_requires_grad_and_head_dim_gt192_constraints_on_sm86_89_or_120,
// check_head_dim_size_mem_efficient, the hardware ranges), for a runtime cuDNN of 9.19.
int compute_capability(const Gpu& gpu) { return gpu.compute_capability_major * 10 + gpu.compute_capability_minor; }

bool half_precision(const Workload& w) { return w.dtype == Dtype::fp16 || w.dtype == Dtype::bf16; }

bool pytorch_prefers_cudnn(const Gpu& gpu) {
  return gpu.compute_capability_major == 9 || gpu.compute_capability_major == 10;
}

bool pytorch_takes_cudnn(const Workload& w, const Gpu& gpu) {
  // Head dims up to 128, or 192 for queries and keys with 128 for values (DeepSeek's MLA prefill);
  // 256 needs a runtime cuDNN above 9.22.
  const bool sm90_or_sm10x =
      (gpu.compute_capability_major == 9 && gpu.compute_capability_minor == 0) || gpu.compute_capability_major == 10;
  const std::int64_t limit = sm90_or_sm10x && w.head_dim == 192 && w.head_dim_v == 128 ? 192 : 128;
  return half_precision(w) && w.head_dim <= limit && w.head_dim_v <= limit && w.head_dim % 8 == 0 &&
         w.head_dim_v % 8 == 0 && w.batch <= 65535 && w.heads <= 65535 && w.seq_kv != 1 && !w.window;
}

bool pytorch_takes_flash(const Workload& w, const Gpu& gpu) {
  const int cc = compute_capability(gpu);
  if (cc < 80 || cc > 121 || !half_precision(w)) return false;
  if (w.head_dim != w.head_dim_v || w.head_dim > 256) return false;
  if (w.causal && w.seq_q != w.seq_kv) return false;  // FA2's causal mask is bottom-right, SDPA's top-left
  const bool sm86_89_or_120 = (cc >= 86 && cc <= 89) || cc >= 120;
  if (w.pass != Pass::forward && sm86_89_or_120 && w.head_dim > 192 && w.head_dim <= 224) return false;
  return !w.window;  // a window reaches SDPA as transformers' explicit mask, which FA2 cannot take
}

bool pytorch_takes_mem_efficient(const Workload& w, const Gpu& gpu) {
  const std::int64_t alignment = w.dtype == Dtype::fp32 ? 4 : 8;
  const bool dtype_ok = half_precision(w) || w.dtype == Dtype::fp32;
  return compute_capability(gpu) >= 50 && dtype_ok && w.head_dim % alignment == 0 && w.head_dim_v % alignment == 0;
}

// The variant of the backend PyTorch runs, or an error where attnsim cannot price that backend for
// this call: pricing another backend instead would answer a different question.
const Variant& priced_or_refused(const char* id, const char* backend, const Workload& w, const Gpu& gpu) {
  const Variant& v = find_variant(id);
  try {
    v.cost(w, gpu, VariantKnobs{});
  } catch (const InvalidInput& e) {
    throw InvalidInput(e.field(), std::string("PyTorch runs this call on its ") + backend +
                                      " backend, which attnsim cannot price here: " + e.what());
  }
  return v;
}

}  // namespace

const Variant& sdpa_default_backend(const Workload& w, const Gpu& gpu) {
  if (pytorch_prefers_cudnn(gpu) && pytorch_takes_cudnn(w, gpu)) return priced_or_refused("cudnn", "cuDNN", w, gpu);
  if (pytorch_takes_flash(w, gpu)) return priced_or_refused("flash2", "FlashAttention-2", w, gpu);
  if (pytorch_takes_mem_efficient(w, gpu)) return priced_or_refused("mem-efficient", "memory-efficient", w, gpu);
  return find_variant("sdpa-math");  // the math backend takes any call
}

}  // namespace attnsim
