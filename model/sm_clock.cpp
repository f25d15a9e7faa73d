#include "model/sm_clock.h"

#include <cmath>
#include <cstdlib>

#include "model/error.h"

namespace attnsim {

ClockSetting parse_clock_setting(const std::string& text) {
  if (text == "sustained") return {ClockSetting::Kind::sustained, 0};
  if (text == "burst") return {ClockSetting::Kind::burst, 0};
  char* end = nullptr;
  const double mhz = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(mhz) || mhz < 100 || mhz > 10000) {
    throw InvalidInput("clock", "'" + text + "' is not a clock; allowed: sustained, burst, or an SM clock in MHz (100-10000)");
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
      if (!gpu.burst_clock_hz) {
        throw InvalidInput("clock", "burst needs the profile's burst_clock_mhz, which " + gpu.id +
                                        " does not give; allowed here: sustained, or an SM clock in MHz");
      }
      gpu.sm_clock_hz = *gpu.burst_clock_hz;
      gpu.sm_clock_fixed = false;
      break;
    case ClockSetting::Kind::fixed:
      gpu.sm_clock_hz = clock.fixed_hz;
      gpu.sm_clock_fixed = true;
      break;
  }
  return gpu;
}

const char* clock_kind_name(ClockSetting::Kind kind) {
  switch (kind) {
    case ClockSetting::Kind::sustained:
      return "sustained";
    case ClockSetting::Kind::burst:
      return "burst";
    case ClockSetting::Kind::fixed:
      return "fixed";
  }
  return "?";
}

}  // namespace attnsim
