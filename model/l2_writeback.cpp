#include "model/l2_writeback.h"

#include <algorithm>

namespace attnsim {

double output_bytes_left_in_l2(const Prediction& p, const Gpu& gpu) {
  if (p.cost.kernels.empty() || gpu.l2_bytes <= 0) return 0.0;
  const KernelCost& last = p.cost.kernels.back();
  const double traffic = last.hbm_read_bytes + last.hbm_write_bytes;
  return traffic > 0 && traffic <= gpu.l2_bytes ? last.hbm_write_bytes : 0.0;
}

double dram_bytes_during_call(const Prediction& p, const Gpu& gpu) {
  const double bytes = p.hbm_read_bytes + p.hbm_write_bytes;
  return std::max(0.0, bytes - output_bytes_left_in_l2(p, gpu));
}

}  // namespace attnsim
