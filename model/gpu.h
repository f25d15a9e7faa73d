// A GPU as the model sees it: peak rates, memory sizes and occupancy limits, all read from a
// profile in hw_profiles/ (each number there names its source). Immutable input to the model.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "model/dtype.h"

namespace attnsim {

// Per-GPU override of a variant's efficiency constants (written by calibration).
struct EfficiencyOverride {
  std::optional<double> tensor;           // fraction of the dense tensor peak the main loop reaches
  std::optional<double> vector;           // fraction of the FP32 vector peak
  std::optional<double> softmax_overlap;  // 0: softmax serial with matmuls, 1: fully hidden
  std::optional<double> hbm;              // fraction of peak HBM bandwidth this variant's kernels reach
  std::optional<double> launch_seconds;   // fixed cost per kernel of this variant (launch and ramp)
  std::string source;
};

// The tensor-core instruction a kernel issues. One GPU can have several, at different rates: a
// kernel's ceiling is the rate of the path it issues, not the datasheet's headline (the newest
// path). mma.sync exists from sm80 on (and still runs on sm90 and sm100); wgmma only on sm90;
// tcgen05 only on sm100.
enum class TensorPath { mma_sync, wgmma, tcgen05 };
const char* tensor_path_name(TensorPath path);

struct Gpu {
  std::string id;    // name users type, e.g. "h100-sxm"
  std::string name;  // product name
  std::string architecture;
  int compute_capability_major = 0;
  int compute_capability_minor = 0;

  double sm_count = 0;
  double boost_clock_hz = 0;
  // SM clock held under a long compute-bound kernel (power- and thermal-limited parts hold less
  // than boost, GeForce cards more). Equal to boost_clock_hz where the profile gives no measured or
  // cited figure.
  double sustained_clock_hz = 0;
  // The clock tensor-core work holds in a call after idle (a benchmark's isolated calls): the power
  // regulation acts within the kernel, by its draw, so it sits below the maximum clock even then
  // (H100 SXM: 1806.8 MHz against 1980, validate/data/h100-sxm/kernel_clocks/). Absent where no
  // measurement or citation gives it.
  std::optional<double> burst_clock_hz;
  // The SM clock compute-bound work is priced at: sustained_clock_hz unless a run chose another
  // (model/sm_clock.h: --clock burst or MHz). Every per-clock rate (tensor, exp, vector, shared
  // memory, L2 bandwidth) runs at it.
  double sm_clock_hz = 0;
  // True when the clock was fixed (--clock MHz, as `nvidia-smi -lgc` does): light kernels then run at
  // it too, rather than at the clock they hold below the power limit (element_kernel_clock_hz()).
  bool sm_clock_fixed = false;
  // Dense tensor-core peak with FP32 accumulation of the GPU's newest path (native_tensor_path()),
  // at boost_clock_hz; a dtype the GPU has no tensor path for is absent.
  std::map<Dtype, double> tensor_flops_per_second;
  // The same for mma.sync where it is not the newest path (sm90, sm100), at boost_clock_hz.
  std::map<Dtype, double> mma_sync_flops_per_second;
  std::optional<double> fp16_fp16_accumulate_flops_per_second;
  double fp32_vector_flops_per_second = 0;
  // Clock the FP32 figure is quoted at, where it is not boost_clock_hz (Hopper's FP32 peaks are at
  // the 1980 MHz maximum boost, its tensor peaks at 1830 MHz); 0: boost_clock_hz.
  double fp32_vector_clock_hz = 0;
  double sfu_exp_per_clock_per_sm = 0;

  double memory_capacity_bytes = 0;
  // Device memory the CUDA runtime reports as the device's total (cudaMemGetInfo, PyTorch's
  // torch.cuda.mem_get_info()[1]), where a profile gives it: what tensors and the CUDA context share.
  std::optional<double> usable_memory_bytes;
  // The memory whole-model searches fit into: the runtime's figure where known, else the capacity.
  double usable_or_capacity_bytes() const { return usable_memory_bytes.value_or(memory_capacity_bytes); }
  double hbm_bytes_per_second = 0;
  double hbm_efficiency = 0;
  double l2_bytes = 0;
  std::optional<double> l2_bytes_per_second;  // L2 hit bandwidth, all SMs together; absent where not measured
  // Round trip of one load that hits in L2 with nothing else in flight; absent where not measured
  // (kernels bound by chains of dependent loads are then priced by their bandwidth alone).
  std::optional<double> l2_latency_seconds;
  // L2 partitions that each keep their own copy of the lines their SMs read (2 on A100, H100,
  // H200; 1 = one unified L2). Data every SM reads then fills l2_bytes / l2_partitions.
  double l2_partitions = 1;
  // L2 capacity for data that every SM reads (a broadcast mask, a head's K/V read by all CTAs):
  // each partition keeps its own copy.
  double l2_bytes_read_by_every_sm() const { return l2_bytes / l2_partitions; }

  double shared_memory_per_sm_bytes = 0;
  double shared_memory_per_block_bytes = 0;
  double registers_per_sm = 0;
  double max_threads_per_sm = 0;
  double max_ctas_per_sm = 0;
  double kernel_launch_seconds = 0;

  std::map<std::string, EfficiencyOverride> efficiency_overrides;  // keyed by variant id

  // Optional: GPU-to-GPU bandwidth per direction (NVLink, else PCIe) and an hourly rental price.
  std::optional<double> interconnect_bytes_per_second;
  std::optional<double> price_usd_per_hour;

  // The newest tensor-core path of the architecture: what cuBLAS and architecture-specific
  // kernels issue.
  TensorPath native_tensor_path() const {
    if (compute_capability_major == 9) return TensorPath::wgmma;
    if (compute_capability_major == 10) return TensorPath::tcgen05;
    return TensorPath::mma_sync;
  }
  double priced_clock_hz() const {
    if (sm_clock_hz > 0) return sm_clock_hz;
    return sustained_clock_hz > 0 ? sustained_clock_hz : boost_clock_hz;
  }
  double clock_scale() const { return priced_clock_hz() / boost_clock_hz; }
  // The clock element-bound kernels (PyTorch's index-math elementwise kernels) run at: they draw
  // too little power for the limit to pull them below the clock the FP32 peak is quoted at (the
  // H100 ran them at 1980 MHz while attention kernels throttled), unless the clock was fixed.
  double element_kernel_clock_hz() const {
    return sm_clock_fixed ? priced_clock_hz() : fp32_peak_clock_hz();
  }
  double fp32_peak_clock_hz() const { return fp32_vector_clock_hz > 0 ? fp32_vector_clock_hz : boost_clock_hz; }
  // Dense rate of `path` for `dtype` at priced_clock_hz(); absent where the GPU lacks the path
  // (wgmma off sm90) or the dtype on it.
  std::optional<double> tensor_peak(Dtype dtype, TensorPath path) const {
    const bool native = path == native_tensor_path();
    const std::map<Dtype, double>& rates = native ? tensor_flops_per_second : mma_sync_flops_per_second;
    if (!native && path != TensorPath::mma_sync) return std::nullopt;
    const auto it = rates.find(dtype);
    if (it == rates.end()) return std::nullopt;
    return it->second * clock_scale();
  }
  std::optional<double> tensor_peak(Dtype dtype) const { return tensor_peak(dtype, native_tensor_path()); }
  double exp_per_second() const { return sfu_exp_per_clock_per_sm * sm_count * priced_clock_hz(); }
  double vector_flops_per_second() const {
    return fp32_vector_flops_per_second * priced_clock_hz() / fp32_peak_clock_hz();
  }
  bool is_hopper() const { return compute_capability_major == 9; }
};

}  // namespace attnsim
