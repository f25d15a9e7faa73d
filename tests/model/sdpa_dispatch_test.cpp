// PyTorch's own choice of SDPA backend (model/sdpa_dispatch.h): cuDNN first on sm90 and sm100, then
// FlashAttention-2, memory-efficient and math, each where PyTorch's checks let it take the call.
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

TEST(SdpaDispatch, EachBackendTakesOnlyTheHeadDimsPyTorchLetsIt) {
  // cuDNN 9.19 stops at 128 (192 for queries and keys with 128 for values): d = 256 goes to FA2.
  EXPECT_EQ(backend(workload(4096, 8, 256), "h100-sxm"), "flash2");
  Workload mla = workload(4096, 128, 192);  // DeepSeek-V3's prefill: 192 for q and k, 128 for v
  mla.head_dim_v = 128;
  EXPECT_EQ(backend(mla, "h100-sxm"), "cudnn");
  EXPECT_EQ(backend(mla, "a100-sxm-80gb"), "mem-efficient");                // FA2 needs one head dim for q, k, v
  EXPECT_EQ(backend(workload(4096, 8, 512), "h100-sxm"), "mem-efficient");  // past FA2's 256
  Workload windowed = workload(4096, 32, 128);
  windowed.window = 1024;  // transformers' explicit mask: FA2 cannot take it
  EXPECT_EQ(backend(windowed, "a100-sxm-80gb"), "mem-efficient");
}

TEST(SdpaDispatch, ACallPyTorchRunsOnABackendAttnsimCannotPriceIsRefused) {
  Workload fp32 = workload(4096, 32, 64);
  fp32.dtype = Dtype::fp32;  // PyTorch: memory-efficient; attnsim prices it at 16 bits only
  try {
    backend(fp32, "h100-sxm");
    FAIL() << "priced another backend than the one PyTorch runs";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(e.field(), "dtype");
    EXPECT_NE(std::string(e.what()).find("memory-efficient"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace attnsim
