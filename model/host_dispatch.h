// How a framework issues a call's kernels. In PyTorch eager mode the host dispatches every operator
// (Python, the dispatcher, the launch) while the GPU works through what is queued, so a call or a
// step takes the longer of the two; under a CUDA graph or a compiled program host time vanishes and
// each kernel costs only its launch gap.
#pragma once

#include <string_view>

namespace attnsim {

enum class Dispatch { graph, eager };
std::string_view dispatch_name(Dispatch dispatch);
Dispatch parse_dispatch(std::string_view name);  // throws InvalidInput("runtime", ...)

// Host time per top-level aten operator in eager mode: CPU-dependent. Measured on the H200
// machine's Xeon (validate/data/h200/capacity/prefill_mechanisms.csv): Llama-3.2-1B's host-bound
// forwards (N <= 2048) take 21.6 ms for 870 operators with sdpa (24.8 us each) and 17.5 ms for
// 1119 with eager attention (15.6 us): 20.2 us, their mean. Fitted on Llama alone; Qwen2.5-0.5B, the
// H100 machine's runs and the single calls of validate/data/h200/mechanisms/training.csv test it.
inline constexpr double kHostSecondsPerOperator = 20.2e-6;

// PyTorch's cuDNN attention (aten/src/ATen/native/cudnn/MHA.cpp) caches the cuDNN graph it builds
// by the call's shapes. A decode step attends over one more key than the last, so every step misses
// and builds a graph again (MLX, calling the same cuDNN API, says so: ml-explore/mlx#2743, "the cuDNN
// graph is currently recreated whenever sequence length increases"). Measured on the H100 machines'
// Xeons: Llama-3.2-1B's decode steps took 88-92 ms for 893 operators (18 ms at 20.2 us each), and
// cProfile put 59 ms of a 76 ms step in scaled_dot_product_attention
// (validate/data/h100-sxm/decode_host/). 72 ms a step, the mean of the first machine's two Llama
// points; Qwen2.5-0.5B's step on it tests the value. CPU-dependent, like the time per operator.
inline constexpr double kCudnnGraphBuildSecondsPerDecodeStep = 72e-3;

// The entry point that calls a backend: its own library API (flash_attn_func, cuDNN's graph) or
// PyTorch's scaled_dot_product_attention, whose wrapper adds kernels to some backends
// (model/sdpa_wrapper.h).
enum class Entry { kernel, sdpa };
std::string_view entry_name(Entry entry);
Entry parse_entry(std::string_view name);  // throws InvalidInput("entry", ...)

struct HostDispatch {
  Dispatch dispatch = Dispatch::graph;
  double seconds_per_operator = kHostSecondsPerOperator;
  Entry entry = Entry::kernel;
};

}  // namespace attnsim
