// What a kernel leaves dirty in L2 when it ends, which Nsight Compute's per-kernel DRAM counters
// miss (model/l2_writeback.h).
#include <gtest/gtest.h>

#include "model/l2_writeback.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::gpu;
using testing::run;
using testing::workload;

TEST(L2Writeback, AnOutputWhoseKernelFitsInL2IsStillThereWhenItEnds) {
  // N = 1024, d = 128: Q, K, V and O are 34 MB, inside the H100's 50 MB. What stays is what the
  // kernel wrote: O and the logsumexp.
  const Prediction small = run("flash2", workload(1024));
  const double written = o_bytes(small.workload) + 4.0 * 32 * 1024;
  EXPECT_DOUBLE_EQ(writes_left_in_l2(small.cost.kernels.back(), gpu("h100-sxm")), written);
  EXPECT_DOUBLE_EQ(ncu_counted_dram_bytes(small, gpu("h100-sxm")), small.hbm_read_bytes);
  // N = 4096: 134 MB of traffic; what stays is the kernel's business, so all of O counts.
  const Prediction large = run("flash2", workload(4096));
  EXPECT_EQ(writes_left_in_l2(large.cost.kernels.back(), gpu("h100-sxm")), 0.0);
  EXPECT_DOUBLE_EQ(ncu_counted_dram_bytes(large, gpu("h100-sxm")), large.hbm_read_bytes + large.hbm_write_bytes);
}

}  // namespace
}  // namespace attnsim
