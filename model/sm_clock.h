// Which SM clock a prediction prices compute at. A datacenter GPU under its power limit holds no one
// clock (validate/data/h100-sxm/kernel_clocks/README.md, measured inside the kernels): a tensor-core
// kernel alone after idle runs below the maximum clock (H100 SXM: 1688-1865 MHz, median 1806.5,
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
  } kind = Kind::sustained;
  double fixed_hz = 0;
};

// "sustained", "burst" or a clock in MHz (100-10000); throws InvalidInput("clock", ...) otherwise.
ClockSetting parse_clock_setting(const std::string& text);

// The GPU with its SM clock set; throws InvalidInput("clock", ...) for burst on a profile without
// burst_clock_mhz.
Gpu at_clock(Gpu gpu, const ClockSetting& clock);

// "sustained", "burst" or "fixed", as the output's clock column says it.
const char* clock_kind_name(ClockSetting::Kind kind);

}  // namespace attnsim
