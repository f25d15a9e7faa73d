// Instantiations of the flash2 forward kernel for head dim 64, all six tiles (one file per head dim
// so that the build compiles them in parallel).
#include "cuda_check.h"
#include "flash2_forward_kernel.cuh"

namespace attnsim::bench {

template <int kHeadDim, int kBlockM, int kBlockN>
void launch_flash2_forward(const Flash2Params& params, int batch_heads, cudaStream_t stream) {
  using Traits = Flash2Traits<kHeadDim, kBlockM, kBlockN>;
  auto* kernel = flash2_forward_kernel<kHeadDim, kBlockM, kBlockN>;
  // Above 48 KB a CTA must opt in to its dynamic shared memory; once per instantiation.
  static const bool configured = [&] {
    CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, Traits::kSmemBytes));
    return true;
  }();
  (void)configured;
  const dim3 grid((params.seq_q + kBlockM - 1) / kBlockM, static_cast<unsigned>(batch_heads));
  kernel<<<grid, Traits::kThreads, Traits::kSmemBytes, stream>>>(params);
  CUDA_CHECK_LAUNCH();
}

template void launch_flash2_forward<64, 64, 32>(const Flash2Params&, int, cudaStream_t);
template void launch_flash2_forward<64, 64, 64>(const Flash2Params&, int, cudaStream_t);
template void launch_flash2_forward<64, 64, 128>(const Flash2Params&, int, cudaStream_t);
template void launch_flash2_forward<64, 128, 32>(const Flash2Params&, int, cudaStream_t);
template void launch_flash2_forward<64, 128, 64>(const Flash2Params&, int, cudaStream_t);
template void launch_flash2_forward<64, 128, 128>(const Flash2Params&, int, cudaStream_t);

}  // namespace attnsim::bench
