// Turns a variant's counts into time: a roofline per kernel (tensor, SFU, vector, HBM), softmax
// overlap, wave quantization and launch latency. The one timing function every variant shares.
#pragma once

#include "model/cost.h"
#include "model/gpu.h"
#include "model/prediction.h"

namespace attnsim {

KernelTime time_kernel(const KernelCost& kernel, const Gpu& gpu);
// The kernel's compute time with every SM busy: tensor, exp and vector work with the softmax
// overlap applied; no waves, memory or launch (the simulator spreads it over tile steps).
double compute_seconds(const KernelCost& kernel, const Gpu& gpu);
Prediction time_cost(Cost cost, const Workload& workload, const Gpu& gpu);

}  // namespace attnsim
