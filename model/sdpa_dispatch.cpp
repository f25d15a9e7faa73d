#include "model/sdpa_dispatch.h"

#include "model/error.h"

namespace attnsim {
namespace {

bool prefers_cudnn(const Gpu& gpu) {
  return gpu.compute_capability_major == 9 || gpu.compute_capability_major == 10;
}

bool accepts(const Variant& v, const Workload& w, const Gpu& gpu) {
  try {
    v.cost(w, gpu, VariantKnobs{});
    return true;
  } catch (const InvalidInput&) {
    return false;
  }
}

}  // namespace

const Variant& sdpa_default_backend(const Workload& w, const Gpu& gpu) {
  for (const char* fused : {"cudnn", "flash2"}) {
    if (std::string_view(fused) == "cudnn" && !prefers_cudnn(gpu)) continue;
    const Variant& v = find_variant(fused);
    if (accepts(v, w, gpu)) return v;
  }
  // The memory-efficient (CUTLASS) backend takes fp32 as well and any head dim that is a multiple of
  // its alignment (sdp_utils.cpp check_head_dim_size_mem_efficient: 8 elements at 16 bits, 4 at 32);
  // where PyTorch would run it on a call attnsim cannot price, saying so beats pricing another backend.
  const Variant& efficient = find_variant("mem-efficient");
  const std::int64_t alignment = w.dtype == Dtype::fp32 ? 4 : 8;
  const bool pytorch_takes_efficient = (w.dtype == Dtype::fp16 || w.dtype == Dtype::bf16 || w.dtype == Dtype::fp32) &&
                                       w.head_dim % alignment == 0 && w.head_dim_v % alignment == 0;
  if (pytorch_takes_efficient) {
    if (accepts(efficient, w, gpu)) return efficient;
    throw InvalidInput("dtype", "PyTorch runs this call on its memory-efficient backend, which attnsim prices for "
                                "fp16 and bf16 only; allowed with sdpa here: fp16, bf16");
  }
  return find_variant("sdpa-math");  // the math backend takes any call
}

}  // namespace attnsim
