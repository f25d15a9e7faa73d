// Turns a variant's counts into time: a roofline per kernel (tensor, SFU, vector, HBM), softmax
// overlap, wave quantization and launch latency. The one timing function every variant shares.
#pragma once

#include "model/cost.h"
#include "model/gpu.h"
#include "model/prediction.h"

namespace attnsim {

KernelTime time_kernel(const KernelCost& kernel, const Gpu& gpu);
Prediction time_cost(Cost cost, const Workload& workload, const Gpu& gpu);

}  // namespace attnsim
