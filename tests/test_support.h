// Helpers shared by the test files: GPUs and models from the built-in files and a default workload.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "model/efficiency.h"
#include "io/gpu_profile.h"
#include "io/model_config.h"
#include "model/variant.h"

namespace attnsim::testing {

inline const Gpu& gpu(const std::string& id) {
  static std::map<std::string, Gpu> cache;
  auto it = cache.find(id);
  if (it == cache.end()) it = cache.emplace(id, find_gpu(id)).first;
  return it->second;
}

inline const capacity::ModelConfig& model(const std::string& id) {
  static std::map<std::string, capacity::ModelConfig> cache;
  auto it = cache.find(id);
  if (it == cache.end()) it = cache.emplace(id, find_model(id)).first;
  return it->second;
}

// A documented command line as the words a shell would pass (the docs' commands quote nothing).
inline std::vector<std::string> split_words(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  std::string word;
  while (in >> word) words.push_back(word);
  return words;
}

inline Workload workload(std::int64_t seq, std::int64_t heads = 32, std::int64_t head_dim = 128) {
  Workload w;
  w.heads = heads;
  w.kv_heads = heads;
  w.seq_q = seq;
  w.seq_kv = seq;
  w.head_dim = head_dim;
  w.head_dim_v = head_dim;
  return w;
}

inline Prediction run(const std::string& variant, const Workload& w, const std::string& gpu_id = "h100-sxm",
                      const VariantKnobs& knobs = {}) {
  return predict(w, gpu(gpu_id), find_variant(variant), knobs);
}

// FlashMLA's decoding kernel is compiled for one shape on one architecture (d = 576, dv = 512, one
// shared latent cache, sm90, forward): property tests run it on that shape, one query token per
// request, and skip other GPUs.
inline bool runs_on(const std::string& variant, const std::string& gpu_id) {
  return variant != "flash-mla" || arch_family(gpu(gpu_id)) == "sm90";
}
inline Workload shaped_for(const std::string& variant, Workload w) {
  if (variant != "flash-mla") return w;
  w.kv_heads = 1;
  w.seq_q = 1;
  w.head_dim = 576;
  w.head_dim_v = 512;
  w.window.reset();
  w.pass = Pass::forward;
  w.dtype = w.dtype == Dtype::fp16 ? Dtype::fp16 : Dtype::bf16;
  return w;
}

}  // namespace attnsim::testing
