// What a variant counts for one attention call: per-kernel work and traffic, before any timing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/dtype.h"
#include "model/gpu.h"
#include "model/tiling.h"

namespace attnsim {

// A variant's efficiency constants; each default names its source in the variant file.
struct Efficiency {
  double tensor = 1.0;  // fraction of the dense tensor peak a compute-bound main loop reaches
  double vector = 1.0;  // fraction of the FP32 vector peak (CUDA-core matmuls, elementwise)
  double softmax_overlap =
      0.0;  // share of the shorter pipes (operand loads, exp + vector, tensor) hidden under the longest
  std::string source;
  std::optional<double> hbm = std::nullopt;  // fraction of peak HBM bandwidth; absent: the profile's hbm_efficiency
  std::optional<double> launch_seconds = std::nullopt;  // fixed cost per kernel; absent: the profile's
  // Share of the warps' shared-memory operand loads (KernelCost::shared_memory_read_bytes) that
  // adds to tensor time instead of hiding under it: 1 for mma.sync kernels whose warps issue both
  // (measured on H100, see model/variants/flash2.cpp); 0 where `tensor` is a whole-kernel figure.
  double operand_fetch_serial = 0.0;
  // True where the work that fills one CTA's gaps comes from other CTAs on the SM (FlashAttention-2:
  // the warps of a CTA synchronise every key block), false where it comes from inside the CTA
  // (warp-specialised kernels) or is not modelled.
  bool overlap_across_ctas = false;
  // Share of the shorter of compute and HBM time hidden under the longer: 1 for kernels whose loads
  // stream under their math (the roofline's max), below 1 where a phase waits for the other
  // (cuBLAS's GEMM epilogue writes a tile after its main loop).
  double memory_overlap = 1.0;
  // The tensor-core instruction the kernel's matmuls issue; absent: the GPU's newest (cuBLAS).
  std::optional<TensorPath> tensor_path = std::nullopt;
  // Share of the L2 rate per SM that KernelCost::l2_wait_bytes move at (see model/timing.cpp).
  double l2_wait_rate = 1.0;
};

struct KernelCost {
  std::string name;
  double tensor_flops = 0;  // executed on tensor cores, padded and masked tile work included
  Dtype tensor_dtype = Dtype::bf16;
  double exp_ops = 0;       // SFU exponentials
  double vector_flops = 0;  // FP32 CUDA-core work (softmax bookkeeping, elementwise, SIMT matmul)
  double hbm_read_bytes = 0;
  double hbm_write_bytes = 0;
  double l2_read_bytes = 0;  // tile-level reads before L2 filtering (equal to HBM reads if no reuse)
  // Launch shape; ctas == 0 marks a library kernel (cuBLAS, elementwise) assumed to fill the GPU.
  double ctas = 0;
  double ctas_per_sm = 0;
  double shared_memory_per_cta_bytes = 0;
  // Bytes the warps load from shared memory into registers.
  double shared_memory_read_bytes = 0;
  // Global-memory bytes (served by L2) a CTA loads or stores between its matmuls and waits on:
  // accumulator tiles read back and written out, operand tiles fetched at the start of a matmul.
  // They add to the load pipe (model/timing.cpp); 0 where loads stream under the math.
  double l2_wait_bytes = 0;
  // The same kind of waited bytes when their working set does not fit L2: they come from DRAM, at
  // the same share of its bandwidth (model/timing.cpp).
  double dram_wait_bytes = 0;
  // Global round trips the CTAs wait on one after another (a matmul's first operand stage, an
  // accumulator tile read back, a lock taken or a fence), summed over all CTAs.
  double l2_round_trips = 0;
  // Clocks each CTA spends in a loop bound by its own chain of dependent instructions, which no pipe
  // of its own overlaps (CUTLASS fMHA backward's D = rowsum(dO * O) loop); CTAs on one SM run theirs
  // side by side (model/timing.cpp).
  double serial_loop_clocks_per_cta = 0;
  // Local-memory traffic of registers spilled above the per-thread limit: stored and reloaded.
  double register_spill_bytes = 0;
  // Loads each CTA issues one after another, each waiting for the one before, from data in L2 (a
  // combine kernel walking its splits): the kernel lasts at least waves x loads x the L2 round trip.
  // l2_round_trips above waits on the same round trip, spread over the SMs; both are priced at the
  // profile's measured l2_latency_ns (model/timing.cpp).
  double dependent_l2_loads_per_cta = 0;
  // Key blocks each CTA that has work walks, on average. A CTA loads block i + 1 while it computes
  // block i, so its first block's loads and last block's compute are exposed: 1/blocks of the
  // shorter of compute and HBM time (a one-block split-KV CTA of a decode call loads, then
  // computes). Every wave of equal CTAs starts in step (model/timing.cpp).
  // 0: not modelled, so many blocks that nothing is exposed.
  double key_blocks_per_cta = 0;
  // A section CTAs enter one at a time under a lock (CUTLASS fMHA backward's split-key dQ tile):
  // the kernel lasts at least `serialized_sections` of them back to back, each moving its bytes
  // between one SM and L2 at the kernel's waited-load rate, running its matmul on one SM's tensor
  // cores and waiting its round trips (lock, fences) (model/timing.cpp). 0: none. The count is the
  // variant's estimate of the longest chain (exact where every CTA of a round starts together).
  double serialized_sections = 0;
  double serialized_section_l2_bytes = 0;
  double serialized_section_tensor_flops = 0;
  double serialized_section_round_trips = 0;
  // Makespan of the CTAs' list schedule over the slots, over the perfectly balanced time (>= 1);
  // it replaces the wave-quantization stretch when set (0: not modelled, use waves).
  double schedule_stretch = 0;
  Efficiency efficiency;
};

struct Cost {
  std::vector<KernelCost> kernels;
  double model_flops = 0;             // useful matmul FLOPs: 2*(d+dv) per visible score element (x2.5 backward)
  double compulsory_read_bytes = 0;   // the call's inputs read once
  double compulsory_write_bytes = 0;  // the call's outputs written once
  double io_bytes = 0;                // Q, K, V, O (and dO, dQ, dK, dV for backward) resident
  double workspace_bytes = 0;         // peak device memory beyond io_bytes
  std::optional<Tiling> tiling;       // the main kernel's tile, when the variant is tiled
  // Top-level framework operators the call dispatches (its host cost in eager mode): one per pass
  // for a fused call (predict() fills that in when a variant leaves 0), one per step of a chain.
  double framework_operators = 0;
  std::vector<std::string> notes;  // fallbacks and assumptions the user should see
  // The mask the counts were made for, where the variant models another than the call names
  // (sliding-window is causal with its window; the SSM scan is causal by construction); absent:
  // the workload's own. Outputs report this, not the input.
  struct Mask {
    bool causal = false;
    std::optional<std::int64_t> window;
  };
  std::optional<Mask> modelled_mask;
};

}  // namespace attnsim
