// Tiles no kernel can be built with are refused with the rule they break: block sizes that are not
// whole MMA shapes of the kernel's instruction path, or too few accumulators per thread for one
// fragment. The libraries' own tiles pass.
#include <gtest/gtest.h>

#include "model/tile_usability.h"

namespace attnsim {
namespace {

std::string reason(const Tiling& t, TensorPath path, Dtype dtype = Dtype::bf16,
                   WarpLayout layout = WarpLayout::split_query_rows) {
  return tile_unusable_reason(t, path, layout, dtype);
}

TEST(TileUsability, TheLibrariesOwnTilesCanBeBuilt) {
  // FlashAttention-2 flash_fwd_launch_template.h (mma.sync, 4 or 8 warps splitting the rows).
  for (const Tiling& t : {Tiling{128, 128, 4, 1, 255}, Tiling{128, 64, 4, 1, 255}, Tiling{128, 32, 4, 1, 255},
                          Tiling{64, 64, 4, 1, 255}, Tiling{64, 128, 4, 1, 255}, Tiling{128, 64, 8, 1, 255}}) {
    EXPECT_EQ(reason(t, TensorPath::mma_sync), "") << tiling_label(t);
  }
  // FlashAttention-3 hopper/tile_size.h (wgmma, 64 rows per consumer warpgroup), fp8 included.
  for (const Tiling& t : {Tiling{128, 128, 12, 2, 255}, Tiling{192, 144, 16, 2, 255}, Tiling{128, 176, 12, 2, 255},
                          Tiling{128, 80, 12, 2, 255}, Tiling{192, 192, 16, 2, 255}}) {
    EXPECT_EQ(reason(t, TensorPath::wgmma), "") << tiling_label(t);
  }
  EXPECT_EQ(reason({128, 224, 12, 2, 255}, TensorPath::wgmma, Dtype::fp8_e4m3), "");
  // xformers / CUTLASS fMHA (mem-efficient): 64 x 64 and 32 x 128 over a grid of 4 warps.
  EXPECT_EQ(reason({64, 64, 4, 1, 255}, TensorPath::mma_sync, Dtype::bf16, WarpLayout::output_grid), "");
  EXPECT_EQ(reason({32, 128, 4, 1, 255}, TensorPath::mma_sync, Dtype::bf16, WarpLayout::output_grid), "");
}

TEST(TileUsability, BlockSizesThatAreNotWholeMmaShapesAreRefusedWithTheRule) {
  EXPECT_EQ(reason({7, 3, 4, 1, 255}, TensorPath::mma_sync),
            "mma shape: block M 7 is not a multiple of 64 (4 warps x the 16 rows of an mma.sync m16n8k16 fragment, "
            "as FlashAttention-2's kernel_traits.h tiles them)");
  EXPECT_EQ(reason({1, 1, 4, 1, 255}, TensorPath::mma_sync).rfind("mma shape: block M 1 is not a multiple of 64", 0),
            0u);
  // 8 warps over 64 rows leave each warp 8: half an m16n8k16 fragment.
  EXPECT_NE(reason({64, 64, 8, 1, 255}, TensorPath::mma_sync), "");
  EXPECT_EQ(reason({128, 40, 4, 1, 255}, TensorPath::mma_sync),
            "mma shape: block N 40 is not a multiple of 16 (the k of the P.V mma.sync m16n8k16)");
  // fp8's k spans 32 elements (m16n8k32): 48 keys do for bf16 but not for e4m3.
  EXPECT_EQ(reason({128, 48, 4, 1, 255}, TensorPath::mma_sync), "");
  EXPECT_EQ(reason({128, 48, 4, 1, 255}, TensorPath::mma_sync, Dtype::fp8_e4m3),
            "mma shape: block N 48 is not a multiple of 32 (the k of the P.V mma.sync m16n8k32)");
  EXPECT_EQ(reason({96, 128, 12, 2, 255}, TensorPath::wgmma),
            "mma shape: block M 96 is not a multiple of 64 (the M of wgmma m64nNk16)");
  EXPECT_EQ(reason({128, 512, 12, 2, 255}, TensorPath::wgmma),
            "mma shape: block N 512 exceeds 256, the largest N of wgmma m64nNk16");
  EXPECT_NE(reason({96, 128, 12, 2, 255}, TensorPath::tcgen05), "");
}

TEST(TileUsability, ThreadsWithLessThanOneAccumulatorFragmentAreRefused) {
  // 16 x 16 scores over 4 warps in a grid: 2 fp32 values a thread, an m16n8 fragment holds 4.
  EXPECT_EQ(reason({16, 16, 4, 1, 255}, TensorPath::mma_sync, Dtype::bf16, WarpLayout::output_grid),
            "registers: 2 fp32 accumulators of S per thread (16x16 over 4 warps), below the 4 of one mma.sync "
            "m16n8k16 fragment");
  EXPECT_EQ(reason({16, 32, 4, 1, 255}, TensorPath::mma_sync, Dtype::bf16, WarpLayout::output_grid), "");
}

}  // namespace
}  // namespace attnsim
