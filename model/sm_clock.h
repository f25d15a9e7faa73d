// Which SM clock a prediction prices compute at. A datacenter GPU under its power limit does not hold
// one clock: an isolated call (or the first second of back-to-back calls) runs at the maximum clock,
// and sustained tensor-core work settles lower, by how much power the kernel draws
// (validate/data/h100-sxm/clock_regimes/README.md: 1455-1770 MHz late in 12 s of back-to-back
// calls, 1980 MHz in a burst). A benchmark's median over a few calls after idle is a burst; serving
// and training are sustained.
#pragma once

#include <string>

#include "model/gpu.h"

namespace attnsim {

struct ClockSetting {
  enum class Kind {
    sustained,  // the profile's sustained_clock_mhz: long compute-bound work (the default)
    burst,      // the profile's max_clock_mhz: short calls after idle, benchmarks
    fixed,      // a clock the user locked (nvidia-smi -lgc): every kernel runs at it
  } kind = Kind::sustained;
  double fixed_hz = 0;
};

// "sustained", "burst" or a clock in MHz (100-10000); throws InvalidInput("clock", ...) otherwise.
ClockSetting parse_clock_setting(const std::string& text);

// The GPU with its SM clock set; throws InvalidInput("clock", ...) for burst on a profile without
// max_clock_mhz.
Gpu at_clock(Gpu gpu, const ClockSetting& clock);

// "sustained", "burst" or "fixed", as the output's clock column says it.
const char* clock_kind_name(ClockSetting::Kind kind);

}  // namespace attnsim
