#include "correctness_check.h"

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "attention_inputs.h"
#include "cpu_reference.h"
#include "cuda_check.h"
#include "tensor_fill.h"

namespace attnsim::bench {
namespace {

constexpr double kLseMaxAbsError = 1e-3;  // fp32 scores and sums: ~1e-5 expected

struct CheckCase {
  AttentionShape shape;
  std::vector<BackendChoice> backends;
};

std::vector<CheckCase> check_cases(bool edges_only) {
  std::vector<CheckCase> cases;
  auto prefill_backends = [] {
    std::vector<BackendChoice> b = {{BackendKind::eager, {}, 0}};
    for (const Flash2Tile& t : flash2_tiles()) b.push_back({BackendKind::flash2, t, 0});
    return b;
  };
  // (B, H, Hkv, Nq, Nk): smaller than one tile; a multiple of no tile, with GQA; Nk > Nq;
  // a multiple of every tile, with MQA.
  const std::int64_t prefill[][5] = {{2, 4, 4, 37, 37}, {2, 4, 2, 200, 200}, {2, 4, 4, 100, 260}, {1, 4, 1, 256, 256}};
  for (const auto& p : prefill) {
    if (edges_only && p[3] == 256) continue;
    for (std::int64_t d : {64, 128}) {
      for (bool causal : {false, true}) {
        cases.push_back({{p[0], p[1], p[2], p[3], p[4], d, causal}, prefill_backends()});
      }
    }
  }
  // Decoding: one query, H/Hkv in {1, 4, 8}, Nk from a single key to several thousand.
  for (std::int64_t kv_heads : {8, 2, 1}) {
    for (std::int64_t seq_kv : {1, 37, 1000, 5000}) {
      if (edges_only && (seq_kv == 5000 || kv_heads == 2)) continue;
      for (std::int64_t d : {64, 128}) {
        std::vector<BackendChoice> backends = {{BackendKind::flash_decode, {}, 0},  {BackendKind::flash_decode, {}, 1},
                                               {BackendKind::flash_decode, {}, 7},  // leaves empty splits at Nk = 1000
                                               {BackendKind::eager, {}, 0},         {BackendKind::flash2, {64, 32}, 0},
                                               {BackendKind::flash2, {128, 128}, 0}};
        cases.push_back({{3, 8, kv_heads, 1, seq_kv, d, false}, backends});
      }
    }
  }
  return cases;
}

// Index of element (b, h, i, c) of O in a given layout.
std::size_t output_index(const AttentionShape& s, OutputLayout layout, std::int64_t b, std::int64_t h, std::int64_t i,
                         std::int64_t c) {
  const std::int64_t index = layout == OutputLayout::bhnd ? ((b * s.heads + h) * s.seq_q + i) * s.head_dim + c
                                                          : ((b * s.seq_q + i) * s.heads + h) * s.head_dim + c;
  return static_cast<std::size_t>(index);
}

struct Errors {
  double relative_l2 = 0;
  std::int64_t non_finite = 0;
  double lse_max_abs = 0;
  std::int64_t lse_non_finite = 0;
  bool has_lse = false;
};

Errors compare(const AttentionShape& s, const ReferenceAttention& ref, const std::vector<std::uint16_t>& out_bits,
               OutputLayout layout, const std::vector<float>* lse) {
  Errors e;
  double diff_squared = 0, ref_squared = 0;
  for (std::int64_t b = 0; b < s.batch; ++b) {
    for (std::int64_t h = 0; h < s.heads; ++h) {
      for (std::int64_t i = 0; i < s.seq_q; ++i) {
        for (std::int64_t c = 0; c < s.head_dim; ++c) {
          const double expected = ref.o[output_index(s, OutputLayout::bhnd, b, h, i, c)];
          const double got = bf16_bits_to_double(out_bits[output_index(s, layout, b, h, i, c)]);
          if (!std::isfinite(got)) ++e.non_finite;
          diff_squared += (got - expected) * (got - expected);
          ref_squared += expected * expected;
        }
      }
    }
  }
  e.relative_l2 = std::sqrt(diff_squared / ref_squared);
  if (lse != nullptr) {
    e.has_lse = true;
    for (std::size_t r = 0; r < lse->size(); ++r) {
      const double got = (*lse)[r];
      const double expected = ref.lse[r];
      if (std::isnan(got) || (std::isinf(got) != std::isinf(expected))) {
        ++e.lse_non_finite;
        continue;
      }
      if (std::isfinite(expected)) e.lse_max_abs = std::max(e.lse_max_abs, std::abs(got - expected));
    }
  }
  return e;
}

}  // namespace

int run_correctness_checks(const BackendContext& context, std::uint64_t seed, bool edges_only, cudaStream_t stream,
                           std::ostream& log) {
  int failures = 0, runs = 0;
  const std::vector<CheckCase> cases = check_cases(edges_only);
  for (std::size_t c = 0; c < cases.size(); ++c) {
    const AttentionShape& shape = cases[c].shape;
    // Fresh random inputs for every case: the kernels must compute the same function on any input.
    const AttentionInputs inputs(shape, seed + c, stream);
    const ReferenceAttention ref = reference_attention(shape, inputs.copy_q(), inputs.copy_k(), inputs.copy_v());
    for (const BackendChoice& choice : cases[c].backends) {
      ++runs;
      std::string verdict;
      bool pass = false;
      try {
        AttentionPath path = prepare_backend(choice, shape, inputs.tensors(), context);
        poison_with_nan(inputs.output().as<void>(), inputs.output().bytes(), stream);
        for (DeviceBytes& w : path.workspace) poison_with_nan(w.as<void>(), w.bytes(), stream);
        path.run(stream);
        CUDA_CHECK(cudaStreamSynchronize(stream));
        const std::vector<std::uint16_t> out = copy_to_host_bits(inputs.output());
        std::vector<float> lse;
        if (path.lse != nullptr) {
          lse.resize(static_cast<std::size_t>(shape.batch * shape.heads * shape.seq_q));
          CUDA_CHECK(cudaMemcpy(lse.data(), path.lse, lse.size() * sizeof(float), cudaMemcpyDeviceToHost));
        }
        const Errors e = compare(shape, ref, out, path.output_layout, path.lse != nullptr ? &lse : nullptr);
        const double bound = output_error_bound(choice.kind);
        pass = e.non_finite == 0 && e.relative_l2 <= bound && e.lse_non_finite == 0 && e.lse_max_abs <= kLseMaxAbsError;
        char text[256];
        std::snprintf(text, sizeof text, "rel_l2 %.2e (bound %.0e), non-finite %lld", e.relative_l2, bound,
                      static_cast<long long>(e.non_finite));
        verdict = text;
        if (e.has_lse) {
          std::snprintf(text, sizeof text, "; lse max abs %.2e (bound %.0e), non-finite %lld", e.lse_max_abs,
                        kLseMaxAbsError, static_cast<long long>(e.lse_non_finite));
          verdict += text;
        }
        if (!path.note.empty()) verdict += "; " + path.note;
      } catch (const CudaOutOfMemory& e) {
        verdict = std::string("out of memory: ") + e.what();
      } catch (const std::invalid_argument& e) {
        verdict = std::string("refused: ") + e.what();
      }
      if (!pass) ++failures;
      log << (pass ? "PASS " : "FAIL ") << describe(choice) << "  " << shape.describe() << "  " << verdict << '\n';
    }
  }
  log << (failures == 0 ? "check passed: " : "check FAILED: ") << runs - failures << " of " << runs
      << " runs within bounds\n"
      << std::flush;
  return failures;
}

}  // namespace attnsim::bench
