#include "model/sdpa_wrapper.h"

#include "model/materialized.h"

namespace attnsim {

void add_sdpa_wrapper_kernels(Cost& cost, std::string_view variant_id, const Workload& w, const Gpu& gpu) {
  if (variant_id != "flash2" || w.pass == Pass::forward) return;
  // The FLASH_ATTENTION backend's backward hands FlashAttention-2 its output O and the incoming
  // gradient dO in the kernel's (B, N, H, d) layout: two transpose(1, 2).contiguous() copies of
  // B*H*Nq*dv elements each, before flash_bwd_dot_do_o_kernel. Measured on the H100: two
  // elementwise_kernel<128, 4> direct copies of grid x 512 = B*H*N*d elements per backward, 45.9
  // and 46.3 us at 16.8 M elements, 174 us at 67 M (validate/data/h100-sxm/breakdown/kernels.csv,
  // sdpa-flash forward+backward points 11-15); cuDNN's and CUTLASS's backwards launch none.
  const Efficiency eff = materialized_step_efficiency(gpu, "flash2");
  const double elements = o_bytes(w) / element_bytes(w.dtype);
  for (const char* name : {"sdpa backward: O -> (b n h d) copy", "sdpa backward: dO -> (b n h d) copy"}) {
    cost.kernels.push_back(element_bound_kernel(name, elements, o_bytes(w), o_bytes(w), ElementBoundPath::permute_copy,
                                                gpu, eff));
  }
  cost.workspace_bytes += 2.0 * o_bytes(w);
}

}  // namespace attnsim
