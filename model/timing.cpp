#include "model/timing.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "model/error.h"

namespace attnsim {
namespace {

// Time of two kinds of work that can run concurrently on an SM, `overlap` of the shorter hidden.
double overlapped(double a_seconds, double b_seconds, double overlap) {
  return std::max(a_seconds, b_seconds) + (1.0 - overlap) * std::min(a_seconds, b_seconds);
}

}  // namespace

KernelTime time_kernel(const KernelCost& k, const Gpu& gpu) {
  KernelTime t;
  t.name = k.name;
  if (k.tensor_flops > 0) {
    const auto peak = gpu.tensor_peak(k.tensor_dtype);
    if (!peak) {
      throw InvalidInput("dtype", std::string(dtype_name(k.tensor_dtype)) + " has no tensor-core path on " + gpu.id);
    }
    t.tensor_seconds = k.tensor_flops / (*peak * k.efficiency.tensor);
  }
  t.exp_seconds = k.exp_ops / gpu.exp_per_second();
  t.vector_seconds = k.vector_flops / (gpu.fp32_vector_flops_per_second * k.efficiency.vector);
  t.hbm_seconds = (k.hbm_read_bytes + k.hbm_write_bytes) / (gpu.hbm_bytes_per_second * k.efficiency.hbm.value_or(gpu.hbm_efficiency));
  t.launch_seconds = k.efficiency.launch_seconds.value_or(gpu.kernel_launch_seconds);

  const double compute_seconds =
      overlapped(t.tensor_seconds, t.exp_seconds + t.vector_seconds, k.efficiency.softmax_overlap);
  // A partial last wave leaves SMs idle: compute stretches by waves / (CTAs / slots).
  double quantized_compute_seconds = compute_seconds;
  if (k.ctas > 0 && k.ctas_per_sm > 0) {
    const double slots = gpu.sm_count * k.ctas_per_sm;
    t.waves = std::ceil(k.ctas / slots);
    if (t.waves * slots > k.ctas) quantized_compute_seconds = compute_seconds * (t.waves * slots / k.ctas);
  }
  const double body_seconds = std::max(quantized_compute_seconds, t.hbm_seconds);
  t.wave_quantization_seconds = std::max(0.0, body_seconds - std::max(compute_seconds, t.hbm_seconds));
  t.seconds = body_seconds + t.launch_seconds;

  if (t.launch_seconds >= body_seconds) {
    t.bound = "latency";
  } else if (t.hbm_seconds >= quantized_compute_seconds) {
    t.bound = "memory";
  } else if (t.exp_seconds > std::max(t.tensor_seconds, t.vector_seconds)) {
    t.bound = "exp";
  } else {
    t.bound = "compute";
  }
  return t;
}

double compute_seconds(const KernelCost& k, const Gpu& gpu) {
  const KernelTime t = time_kernel(k, gpu);
  return overlapped(t.tensor_seconds, t.exp_seconds + t.vector_seconds, k.efficiency.softmax_overlap);
}

Prediction time_cost(Cost cost, const Workload& workload, const Gpu& gpu) {
  Prediction p;
  p.workload = workload;
  p.gpu = gpu.id;
  std::map<std::string, double> seconds_by_bound;
  for (const KernelCost& k : cost.kernels) {
    KernelTime t = time_kernel(k, gpu);
    p.tensor_flops += k.tensor_flops;
    p.exp_flops += k.exp_ops;
    p.vector_flops += k.vector_flops;
    p.hbm_read_bytes += k.hbm_read_bytes;
    p.hbm_write_bytes += k.hbm_write_bytes;
    p.tensor_seconds += t.tensor_seconds;
    p.exp_seconds += t.exp_seconds;
    p.vector_seconds += t.vector_seconds;
    p.hbm_seconds += t.hbm_seconds;
    p.launch_seconds += t.launch_seconds;
    p.wave_quantization_seconds += t.wave_quantization_seconds;
    p.predicted_seconds += t.seconds;
    seconds_by_bound[t.bound] += t.seconds;
    p.kernels.push_back(std::move(t));
  }
  const double hbm_bytes = p.hbm_read_bytes + p.hbm_write_bytes;
  p.hbm_reread_bytes = std::max(0.0, hbm_bytes - cost.compulsory_read_bytes - cost.compulsory_write_bytes);
  p.arithmetic_intensity = hbm_bytes > 0 ? cost.model_flops / hbm_bytes : 0.0;
  p.footprint_bytes = cost.io_bytes + cost.workspace_bytes;
  p.fits_in_memory = p.footprint_bytes <= gpu.memory_capacity_bytes;
  p.achieved_flops_per_second = p.predicted_seconds > 0 ? cost.model_flops / p.predicted_seconds : 0.0;
  const auto dominant = std::max_element(seconds_by_bound.begin(), seconds_by_bound.end(),
                                         [](const auto& a, const auto& b) { return a.second < b.second; });
  p.bound = dominant == seconds_by_bound.end() ? "latency" : dominant->first;
  p.cost = std::move(cost);
  return p;
}

}  // namespace attnsim
