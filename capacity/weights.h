// What a model's weights weigh in memory, and what one step reads of them. A mixture-of-experts
// step reads only the experts its tokens are routed to: with B tokens each picking k of E experts
// uniformly and independently (the assumption; real routers are skewed), an expert is missed by all
// of them with probability (1 - k/E)^B, so a layer reads E x (1 - (1 - k/E)^B) distinct experts in
// expectation: k at B = 1, all E as B grows (Mixtral, k/E = 2/8: 3.5 at B = 2, 7.2 at B = 8).
#pragma once

#include "capacity/model_config.h"
#include "capacity/scenario.h"

namespace attnsim::capacity {

// Every parameter at its stored size (quantized matrices with their scales), no allocator rounding.
double weight_bytes(const ModelConfig& model, const Scenario& scenario);

// E x (1 - (1 - k/E)^B): distinct experts B tokens touch in one MoE layer, under uniform routing.
double expected_distinct_experts(double experts, double experts_per_token, double tokens);

// Weight bytes a step over `tokens` tokens reads: all of them, less the routed experts none of the
// tokens is routed to (expected count, every MoE layer).
double weight_bytes_read(const ModelConfig& model, const Scenario& scenario, double tokens);

}  // namespace attnsim::capacity
