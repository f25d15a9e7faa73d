#include "model/materialized.h"

#include <utility>

namespace attnsim {

KernelCost elementwise_kernel(std::string name, double elements, double read_bytes_per_element,
                              double write_bytes_per_element, double flops_per_element, const Efficiency& eff) {
  KernelCost k;
  k.name = std::move(name);
  k.vector_flops = elements * flops_per_element;
  k.hbm_read_bytes = elements * read_bytes_per_element;
  k.l2_read_bytes = k.hbm_read_bytes;
  k.hbm_write_bytes = elements * write_bytes_per_element;
  k.efficiency = eff;
  return k;
}

KernelCost gemm_kernel(std::string name, double flops, double read_bytes, double write_bytes, bool on_tensor_cores,
                       Dtype dtype, const Efficiency& eff) {
  KernelCost k;
  k.name = std::move(name);
  if (on_tensor_cores) {
    k.tensor_flops = flops;
    k.tensor_dtype = dtype;
  } else {
    k.vector_flops = flops;
  }
  k.hbm_read_bytes = read_bytes;
  k.l2_read_bytes = read_bytes;
  k.hbm_write_bytes = write_bytes;
  k.efficiency = eff;
  return k;
}

double full_score_elements(const Workload& w) {
  return double(w.batch) * double(w.heads) * double(w.seq_q) * double(w.seq_kv);
}

}  // namespace attnsim
