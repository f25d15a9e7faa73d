#include "model/sm_clock.h"

#include <algorithm>
#include <cstdlib>

#include "model/error.h"

namespace attnsim {

ClockSetting parse_clock_setting(const std::string& text) {
  if (text == "sustained") return {ClockSetting::Kind::sustained, 0};
  if (text == "burst") return {ClockSetting::Kind::burst, 0};
  const bool decimal = !text.empty() && text.find_first_not_of("0123456789.") == std::string::npos &&
                       std::count(text.begin(), text.end(), '.') <= 1 && text.front() != '.' && text.back() != '.';
  const double mhz = decimal ? std::strtod(text.c_str(), nullptr) : 0.0;
  if (!decimal || mhz < 100 || mhz > 10000) {
    throw InvalidInput("clock",
                       "'" + text + "' is not a clock; allowed: sustained, burst, or an SM clock in MHz (100-10000)");
  }
  return {ClockSetting::Kind::fixed, mhz * 1e6};
}

Gpu at_clock(Gpu gpu, const ClockSetting& clock) {
  switch (clock.kind) {
    case ClockSetting::Kind::sustained:
      gpu.sm_clock_hz = gpu.sustained_clock_hz;
      gpu.sm_clock_fixed = false;
      break;
    case ClockSetting::Kind::burst:
      gpu.sm_clock_hz = gpu.burst_clock_hz.value_or(gpu.sustained_clock_hz);
      gpu.sm_clock_fixed = false;
      break;
    case ClockSetting::Kind::fixed:
      gpu.sm_clock_hz = clock.hz;
      gpu.sm_clock_fixed = true;
      break;
    case ClockSetting::Kind::held:
      gpu.sm_clock_hz = clock.hz;
      gpu.sm_clock_fixed = false;
      break;
  }
  return gpu;
}

}  // namespace attnsim
