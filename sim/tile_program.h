// What every simulated kernel provides to the schedule (sim/cta_schedule.h): its CTAs in launch
// order, and for each CTA a loop of tile steps whose loads and stores name whole-tile objects.
//
//   struct Program {
//     struct Cta { ...; std::int64_t steps; };     // >= 1 step per CTA
//     std::int64_t cta_count() const;
//     std::int64_t object_count() const;           // tiles are numbered below this
//     Cta start(std::int64_t cta) const;           // decode the launch index once
//     template <class Memory> void step(const Cta&, std::int64_t step, Memory&) const;
//   };
//
// Memory has load(object, bytes), load_pair(a, a_bytes, b, b_bytes) and store(object, bytes). Programs are templates'
// arguments, not virtual classes: the schedule calls step() tens of millions of times.
#pragma once

#include <cstdint>

#include "model/rounding.h"

namespace attnsim::sim {

// Numbering of one tensor's tiles inside the simulation's object space.
struct ObjectRange {
  std::int64_t base = 0;
  std::int64_t count = 0;
  std::int64_t end() const { return base + count; }
};

using attnsim::ceil_div;

}  // namespace attnsim::sim
