// Building blocks for attention that materializes the (B, H, Nq, Nk) score matrix in HBM, one
// library kernel per step (eager and sdpa-math): each step reads and writes whole tensors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/cost.h"
#include "model/gpu.h"
#include "model/workload.h"

namespace attnsim {

// Efficiency of a materialized chain's steps for variant `variant_id` (its profile override
// [efficiency.<id>] applies): elementwise steps reach the profile's hbm_efficiency; GEMMs and the
// softmax take their measured kernel-class efficiencies below.
Efficiency materialized_step_efficiency(const Gpu& gpu, std::string_view variant_id);

// An elementwise kernel over `elements`: reads and writes the given bytes per element.
KernelCost elementwise_kernel(std::string name, double elements, double read_bytes_per_element,
                              double write_bytes_per_element, double flops_per_element, const Efficiency& eff);

// PyTorch elementwise kernels that cannot use vector loads are bound by elements, not bytes: the
// generic kernel that TensorIterator takes when an operand is broadcast or permuted (expand +
// reshape copies, transpose(...).contiguous(), a mask added across heads) computes every element's
// offsets with integer division per dimension, and a widening cast (bf16 -> fp32) runs the
// unrolled kernel one element per thread step. The measured paths (model/materialized.cpp):
enum class ElementBoundPath {
  broadcast_copy,  // a stride-0 dimension expanded, as repeat_kv
  permute_copy,    // dimensions reordered, as transpose(1, 2).contiguous()
  broadcast_add,   // a binary op with one operand broadcast, as the (B, 1, Nq, Nk) mask add
  widening_copy,   // a contiguous cast to a wider type, as .to(torch.float32)
  softmax_rows,    // a 16-bit cunn_SoftMaxForwardReg over rows: reductions and exponentials per element
  concatenate,     // torch.cat's CatArrayBatchedCopy, each input written to its slice of the output
};
KernelCost element_bound_kernel(std::string name, double elements, double read_bytes, double write_bytes,
                                ElementBoundPath path, const Gpu& gpu, const Efficiency& eff);

// A batched GEMM as cuBLAS runs it: operands read once, result written once (its re-reads stay in
// L2 for these shapes); `on_tensor_cores` false runs the FLOPs on FP32 CUDA cores.
KernelCost gemm_kernel(std::string name, double flops, double read_bytes, double write_bytes, bool on_tensor_cores,
                       Dtype dtype, const Efficiency& eff);

// cuBLAS batched matmuls at attention's shapes (K = head dim for Q K^T, K = N for P V): the
// main loop at `tensor` (tensor cores) or `vector` (fp32 SGEMM) of peak, the epilogue's writes
// partly after it (memory_overlap). Measured, not assumed: validate/data/h200/mechanisms/microbench.csv.
Efficiency library_gemm_efficiency(const Gpu& gpu, bool on_tensor_cores);
// PyTorch's softmax over rows of `row_elements` (the key length), one exponential per element.
// fp32 rows of at most 1024 elements take the warp-per-row kernel (softmax_warp_forward), which
// streams at 0.93x a copy; longer rows the block-per-row kernels (cunn_SoftMaxForward*), at their
// measured share of HBM bandwidth (0.6x a streaming kernel); a 16-bit softmax runs by elements at
// its measured rate whatever the row (model/materialized.cpp).
KernelCost softmax_forward_kernel(std::string name, double elements, double row_elements, double read_bytes_per_element,
                                  double write_bytes_per_element, const Gpu& gpu, const Efficiency& eff);
// Its backward, two kernels (SoftMax.cu softmax_backward_cuda_out): tmp = dy * y, then
// dx = tmp - y * rowsum(tmp) (softmax_warp_backward or cunn_SoftMaxBackward*); each moves three
// score-sized tensors at a streaming kernel's bandwidth.
std::vector<KernelCost> softmax_backward_kernels(const std::string& name, double elements, double bytes_per_element,
                                                 const Efficiency& eff);

// Elements of the full score matrix: materialized kernels compute masked positions too.
double full_score_elements(const Workload& w);

}  // namespace attnsim
