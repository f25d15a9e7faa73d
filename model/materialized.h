// Building blocks for attention that materializes the (B, H, Nq, Nk) score matrix in HBM, one
// library kernel per step (eager and sdpa-math): each step reads and writes whole tensors.
#pragma once

#include <string>

#include "model/cost.h"
#include "model/workload.h"

namespace attnsim {

// An elementwise kernel over `elements`: reads and writes the given bytes per element.
KernelCost elementwise_kernel(std::string name, double elements, double read_bytes_per_element,
                              double write_bytes_per_element, double flops_per_element, const Efficiency& eff);

// A batched GEMM as cuBLAS runs it: operands read once, result written once (its re-reads stay in
// L2 for these shapes); `on_tensor_cores` false runs the FLOPs on FP32 CUDA cores.
KernelCost gemm_kernel(std::string name, double flops, double read_bytes, double write_bytes, bool on_tensor_cores,
                       Dtype dtype, const Efficiency& eff);

// Elements of the full score matrix: materialized kernels compute masked positions too.
double full_score_elements(const Workload& w);

}  // namespace attnsim
