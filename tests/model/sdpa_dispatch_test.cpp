// PyTorch's own choice of SDPA backend (model/sdpa_dispatch.h): cuDNN first on sm90 and sm100, then
// FlashAttention-2, memory-efficient and math, each taken only where it supports the call.
#include <gtest/gtest.h>

#include "model/error.h"
#include "model/sdpa_dispatch.h"
#include "tests/test_support.h"

namespace attnsim {
namespace {

using testing::gpu;
using testing::workload;

std::string backend(const Workload& w, const std::string& gpu_id) { return sdpa_default_backend(w, gpu(gpu_id)).id; }

TEST(SdpaDispatch, CudnnFirstOnHopperAndBlackwellFlashAttentionElsewhere) {
  const Workload llama = workload(4096, 32, 64);  // Llama-3.2-1B's heads
  EXPECT_EQ(backend(llama, "h100-sxm"), "cudnn");
  EXPECT_EQ(backend(llama, "h200"), "cudnn");
  EXPECT_EQ(backend(llama, "b200"), "cudnn");
  EXPECT_EQ(backend(llama, "a100-sxm-80gb"), "flash2");
  EXPECT_EQ(backend(llama, "rtx4090"), "flash2");
  EXPECT_EQ(backend(llama, "rtx3090"), "flash2");
}

TEST(SdpaDispatch, CallsTheFusedBackendsRefuseFallThroughTheOrder) {
  const Workload wide = workload(4096, 8, 512);  // past both flash kernels' 256
  EXPECT_EQ(backend(wide, "h100-sxm"), "mem-efficient");
}

TEST(SdpaDispatch, ACallPyTorchRunsOnABackendAttnsimCannotPriceIsRefused) {
  Workload fp32 = workload(4096, 32, 64);
  fp32.dtype = Dtype::fp32;  // PyTorch: memory-efficient; attnsim prices it at 16 bits only
  try {
    backend(fp32, "h100-sxm");
    FAIL() << "priced another backend than the one PyTorch runs";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(e.field(), "dtype");
  }
}

}  // namespace
}  // namespace attnsim
