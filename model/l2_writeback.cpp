#include "model/l2_writeback.h"

#include <algorithm>

namespace attnsim {

double writes_left_in_l2(const KernelCost& kernel, const Gpu& gpu) {
  const double traffic = kernel.hbm_read_bytes + kernel.hbm_write_bytes;
  return traffic > 0 && traffic <= gpu.l2_bytes ? kernel.hbm_write_bytes : 0.0;
}

double ncu_counted_dram_bytes(const Prediction& p, const Gpu& gpu) {
  double left = 0;
  for (const KernelCost& k : p.cost.kernels) left += writes_left_in_l2(k, gpu);
  return std::max(0.0, p.hbm_read_bytes + p.hbm_write_bytes - left);
}

}  // namespace attnsim
