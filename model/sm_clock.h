// Which SM clock a prediction prices compute at. A datacenter GPU under its power limit holds no one
// clock (validate/data/h100-sxm/kernel_clocks/README.md, measured inside the kernels): a tensor-core
// kernel alone after idle runs below the maximum clock (H100 SXM: 1688-1867 MHz, median 1806.8,
// against 1980), because the regulation acts within the kernel by its draw; seconds of back-to-back
// work lower the ceiling further, by how much power the kernel draws (FlashAttention-2 about 1720
// MHz, cuDNN 1515-1595). Light kernels (elementwise, CUDA-core FP32) hold the maximum either way
// (Gpu::element_kernel_clock). A benchmark's median over isolated calls is a burst; serving and
// training are sustained.
#pragma once

#include <string>

#include "model/gpu.h"

namespace attnsim {

struct ClockSetting {
  enum class Kind {
    sustained,  // the profile's sustained_clock_mhz: long compute-bound work (the default)
    burst,      // the profile's burst_clock_mhz: isolated calls after idle, benchmarks
    fixed,      // a clock the user locked (nvidia-smi -lgc): every kernel runs at it
    held,       // a clock a measured run held inside its kernel: compute at it, light kernels as usual
  } kind = Kind::sustained;
  double hz = 0;  // fixed and held: the clock
};

// "sustained", "burst" or a clock in MHz (decimal digits, 100-10000); throws InvalidInput("clock", ...)
// otherwise.
ClockSetting parse_clock_setting(const std::string& text);

// The GPU with its SM clock set. Burst on a profile without burst_clock_mhz (no measurement or
// citation of it) prices the sustained clock: every prediction reports the clock it used
// (sm_clock_mhz), so a sweep over GPUs with and without the figure says which is which.
Gpu at_clock(Gpu gpu, const ClockSetting& clock);

}  // namespace attnsim
