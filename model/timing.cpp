#include "model/timing.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "model/error.h"

namespace attnsim {
namespace {

// CUDA C++ Programming Guide, "Shared Memory" (cc 5.x-9.0): 32 banks of 4 bytes, each serving one
// access per clock: 128 bytes per clock per SM from shared memory (and from L1, the same SRAM).
constexpr double kSharedMemoryBytesPerClockPerSm = 128.0;
// Spilled registers miss L1 (two CTAs' shared memory leave it ~20 KB) and are served at L2's rate:
// on the H100, 128x128 at d = 128 costs its spill bytes at a median 5.96 TB/s over 128x64
// (validate/data/h100-sxm/attnsim_bench_extended.csv, training split N = 2048, 8192, 32768: 4.4 to
// 7.0 TB/s), against shared memory's 30.9 TB/s: one spilled byte takes the time of 5.2 loaded ones.
// Other GPUs are assumed to keep that ratio. Unlike operand loads, a spill is never part of a
// published whole-kernel efficiency (the libraries' default tiles do not spill), so it always adds.
constexpr double kSpillCostInSharedMemoryBytes = 5.2;
// L2 hit bandwidth per SM per clock: 7360 GB/s read by all 132 SMs of an H100 SXM at an SM clock of
// 1980 MHz (validate/data/h100-sxm/l2_bandwidth.csv, l2_bandwidth_run2.csv; hw_profiles/h100-sxm.toml)
// = 28.2 B/clk/SM. Other GPUs are assumed to keep that rate per SM and clock.
constexpr double kL2BytesPerClockPerSm = 7360e9 / (132.0 * 1980e6);
// One dependent load of a line in L2 that the SM has not read before: 414 clocks on an H100 SXM at
// 1980 MHz (validate/data/h100-sxm/latency/memory_latency.csv, attnsim-memory-latency). A profile's
// l2_latency_ns replaces it, in nanoseconds whatever --clock says (the L2 and the fabric are not on
// the SM clock); other GPUs are assumed to keep the H100's 414 clocks at their SM clock.
constexpr double kL2RoundTripClocks = 414.0;

double l2_round_trip_seconds(const Gpu& gpu) {
  return gpu.l2_latency_seconds.value_or(kL2RoundTripClocks / gpu.priced_clock_hz());
}

// Matrix work (tensor cores), operand loads from shared memory, softmax work (SFU exponentials
// and FP32 bookkeeping) run on different pipes of an SM, and a CTA stalled on a global load it waits
// for (CUTLASS fMHA's S prologue, accumulator read-backs) holds none of them: the longest sets the
// pace and `overlap` of the others hides under it (0: a warp does them one after another with
// nothing to fill the gaps; 1: other warps, warpgroups or CTAs always keep the longest busy). The
// wait is its own part because another CTA's matmuls fill it, as they fill the softmax: counted as
// shared-memory time it added to the longest pipe and priced CUTLASS's forward 15-21% slow on the
// H100 and H200 test splits (5% with it apart). Before wave quantization.
double compute_seconds_at_overlap(const KernelTime& t, double overlap) {
  const double parts[] = {t.tensor_seconds, t.operand_load_seconds, t.exp_seconds + t.vector_seconds, t.l2_wait_seconds,
                          t.serial_loop_seconds};
  const double longest = *std::max_element(std::begin(parts), std::end(parts));
  const double total = std::accumulate(std::begin(parts), std::end(parts), 0.0);
  return longest + (1.0 - overlap) * (total - longest);
}

double unquantized_compute_seconds(const KernelTime& t, const KernelCost& k) {
  return compute_seconds_at_overlap(t, k.efficiency.softmax_overlap);
}

// A grid smaller than one wave puts c < ctas_per_sm CTAs on an SM. Where the work that hides one
// CTA's gaps comes from other CTAs (overlap_across_ctas: FlashAttention-2's warps synchronise every
// key block), c CTAs overlap by softmax_overlap * (c - 1) / (ctas_per_sm - 1), and a CTA alone runs
// its chain serially but shares no pipe. Returns the time of that wave over the time the
// wave-quantization stretch gives it (ctas_per_sm CTAs sharing each SM).
double sparse_wave_factor(const KernelTime& t, const KernelCost& k, const Gpu& gpu) {
  const double slots = gpu.sm_count * k.ctas_per_sm;
  if (!k.efficiency.overlap_across_ctas || k.ctas >= slots || k.ctas_per_sm <= 1) return 1.0;
  const double on_sm = std::ceil(k.ctas / gpu.sm_count);
  const double overlap = k.efficiency.softmax_overlap * (on_sm - 1.0) / (k.ctas_per_sm - 1.0);
  return compute_seconds_at_overlap(t, overlap) / unquantized_compute_seconds(t, k) * (on_sm / k.ctas_per_sm);
}

// A CTA that issues its loads one after another, each waiting for the one before (nothing else in
// flight to hide the wait), lasts its chain of L2 round trips whatever the bytes; CTAs of one wave
// wait side by side, waves one after another.
double dependent_load_seconds(const KernelCost& k, const Gpu& gpu) {
  if (k.dependent_l2_loads_per_cta <= 0 || !gpu.l2_latency_seconds) return 0.0;
  const double slots = gpu.sm_count * std::max(k.ctas_per_sm, 1.0);
  const double waves = k.ctas > 0 ? std::ceil(k.ctas / slots) : 1.0;
  return waves * k.dependent_l2_loads_per_cta * l2_round_trip_seconds(gpu);
}

// Sections taken one at a time under a lock (KernelCost::serialized_sections): however many CTAs
// wait, the lock passes from one to the next, so the chain of sections is a floor on the kernel.
double serialized_section_seconds(const KernelCost& k, const Gpu& gpu) {
  if (k.serialized_sections <= 0) return 0.0;
  const double clock_hz = gpu.priced_clock_hz();
  const double l2_seconds = k.serialized_section_l2_bytes / (kL2BytesPerClockPerSm * k.efficiency.l2_wait_rate * clock_hz);
  double tensor_seconds = 0.0;
  if (k.serialized_section_tensor_flops > 0) {
    const TensorPath path = k.efficiency.tensor_path.value_or(gpu.native_tensor_path());
    const auto peak = gpu.tensor_peak(k.tensor_dtype, path);
    if (peak) tensor_seconds = k.serialized_section_tensor_flops / (*peak / gpu.sm_count * k.efficiency.tensor);
  }
  const double wait_seconds = k.serialized_section_round_trips * l2_round_trip_seconds(gpu);
  return k.serialized_sections * (l2_seconds + tensor_seconds + wait_seconds);
}

}  // namespace

KernelTime time_kernel(const KernelCost& k, const Gpu& gpu) {
  KernelTime t;
  t.name = k.name;
  if (k.tensor_flops > 0) {
    const TensorPath path = k.efficiency.tensor_path.value_or(gpu.native_tensor_path());
    const auto peak = gpu.tensor_peak(k.tensor_dtype, path);
    if (!peak) {
      throw InvalidInput("dtype", std::string(dtype_name(k.tensor_dtype)) + " has no " + tensor_path_name(path) +
                                      " tensor-core path on " + gpu.id);
    }
    t.tensor_seconds = k.tensor_flops / (*peak * k.efficiency.tensor);
  }
  t.exp_seconds = k.exp_ops / gpu.exp_per_second();
  t.vector_seconds = k.vector_flops / (gpu.vector_flops_per_second() * k.efficiency.vector);
  const double hbm_bytes_per_second = gpu.hbm_bytes_per_second * k.efficiency.hbm.value_or(gpu.hbm_efficiency);
  t.hbm_seconds = (k.hbm_read_bytes + k.hbm_write_bytes) / hbm_bytes_per_second;
  t.launch_seconds = k.efficiency.launch_seconds.value_or(gpu.kernel_launch_seconds);

  t.operand_load_seconds = (k.efficiency.operand_fetch_serial * k.shared_memory_read_bytes +
                            kSpillCostInSharedMemoryBytes * k.register_spill_bytes) /
                           (kSharedMemoryBytesPerClockPerSm * gpu.sm_count * gpu.priced_clock_hz());
  if (k.l2_wait_bytes > 0) {
    t.l2_wait_seconds +=
        k.l2_wait_bytes / (kL2BytesPerClockPerSm * k.efficiency.l2_wait_rate * gpu.sm_count * gpu.priced_clock_hz());
  }
  if (k.dram_wait_bytes > 0) {
    t.l2_wait_seconds += k.dram_wait_bytes / (hbm_bytes_per_second * k.efficiency.l2_wait_rate);
  }
  if (k.l2_round_trips > 0) {
    // The CTAs resident on one SM wait at the same time.
    const double waiting_together = std::max(1.0, k.ctas_per_sm);
    t.l2_wait_seconds += k.l2_round_trips * l2_round_trip_seconds(gpu) / (waiting_together * gpu.sm_count);
  }
  if (k.serial_loop_clocks_per_cta > 0 && k.ctas > 0) {
    // The CTAs of one SM run their loops side by side (latency, not a pipe, bounds each).
    t.serial_loop_seconds =
        k.ctas * k.serial_loop_clocks_per_cta / (gpu.sm_count * std::max(1.0, k.ctas_per_sm) * gpu.priced_clock_hz());
  }
  const double compute_seconds = unquantized_compute_seconds(t, k);
  // A partial last wave leaves SMs idle: compute stretches by waves / (CTAs / slots).
  double quantized_compute_seconds = compute_seconds;
  if (k.ctas > 0 && k.ctas_per_sm > 0) {
    const double slots = gpu.sm_count * k.ctas_per_sm;
    t.waves = std::ceil(k.ctas / slots);
    if (t.waves * slots > k.ctas) quantized_compute_seconds = compute_seconds * (t.waves * slots / k.ctas);
    // Uneven CTAs (a causal mask): the list schedule's makespan, which includes the partial waves.
    if (k.schedule_stretch > 0) quantized_compute_seconds = compute_seconds * k.schedule_stretch;
    quantized_compute_seconds *= sparse_wave_factor(t, k, gpu);
  }
  // Pipeline fill (KernelCost::key_blocks_per_cta): CTAs of equal work start each wave together, so
  // each exposes 1/blocks of the shorter part. Unequal (causal) CTAs drift apart over the waves and
  // a later CTA's first loads can run under a neighbour's compute: not modelled. FlashAttention-2's
  // B = 64 decode (two waves, two CTAs an SM) ranks the H100 and H200 as measured with it.
  const double pipelined_share = k.key_blocks_per_cta > 0 ? 1.0 - 1.0 / std::max(1.0, k.key_blocks_per_cta) : 1.0;
  const double throughput_seconds =
      std::max(quantized_compute_seconds, t.hbm_seconds) +
      (1.0 - k.efficiency.memory_overlap * pipelined_share) * std::min(quantized_compute_seconds, t.hbm_seconds);
  t.lock_chain_seconds = serialized_section_seconds(k, gpu);
  const double dependent_seconds = dependent_load_seconds(k, gpu);
  const double load_chain_seconds = std::max(dependent_seconds, t.lock_chain_seconds);
  const double body_seconds = std::max(throughput_seconds, load_chain_seconds);
  t.wave_quantization_seconds =
      std::max(0.0, std::max(quantized_compute_seconds, t.hbm_seconds) - std::max(compute_seconds, t.hbm_seconds));
  t.seconds = body_seconds + t.launch_seconds;

  if (t.launch_seconds >= body_seconds) {
    t.bound = "latency";
  } else if (load_chain_seconds > throughput_seconds) {
    // A lock passed from CTA to CTA is named apart from a CTA's own chain of dependent loads.
    t.bound = t.lock_chain_seconds >= dependent_seconds ? "lock" : "latency";
  } else if (t.hbm_seconds >= quantized_compute_seconds) {
    t.bound = "memory";
  } else if (std::max(t.serial_loop_seconds, t.l2_wait_seconds) >
             std::max({t.tensor_seconds, t.operand_load_seconds, t.exp_seconds + t.vector_seconds})) {
    t.bound = "latency";  // CTAs waiting on their own loads or dependent chains, not a pipe, set the pace
  } else if (t.exp_seconds > std::max(t.tensor_seconds, t.vector_seconds)) {
    t.bound = "exp";
  } else {
    t.bound = "compute";
  }
  return t;
}

double compute_seconds(const KernelCost& k, const Gpu& gpu) {
  return unquantized_compute_seconds(time_kernel(k, gpu), k);
}

Prediction time_cost(Cost cost, const Workload& workload, const Gpu& gpu) {
  Prediction p;
  p.workload = workload;
  p.gpu = gpu.id;
  p.sm_clock_hz = gpu.priced_clock_hz();
  std::map<std::string, double> seconds_by_bound;
  for (const KernelCost& k : cost.kernels) {
    KernelTime t = time_kernel(k, gpu);
    p.tensor_flops += k.tensor_flops;
    p.exp_flops += k.exp_ops;
    p.vector_flops += k.vector_flops;
    p.hbm_read_bytes += k.hbm_read_bytes;
    p.hbm_write_bytes += k.hbm_write_bytes;
    p.tensor_seconds += t.tensor_seconds;
    p.operand_load_seconds += t.operand_load_seconds;
    p.l2_wait_seconds += t.l2_wait_seconds;
    p.serial_loop_seconds += t.serial_loop_seconds;
    p.lock_chain_seconds += t.lock_chain_seconds;
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
