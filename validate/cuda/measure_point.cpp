#include "measure_point.h"

#include <stdexcept>

#include "cuda_check.h"

namespace attnsim::bench {

MeasuredRow unmeasured_row(const BackendChoice& choice, const AttentionShape& shape, const std::string& status) {
  MeasuredRow row;
  row.variant = variant_name(choice.kind);
  row.backend = backend_label(choice.kind);
  row.shape = shape;
  row.tile = choice.kind == BackendKind::flash2 ? choice.tile.label() : "";
  row.status = status;
  return row;
}

MeasuredRow measure_backend(const BackendChoice& choice, const AttentionShape& shape, const DeviceTensors& tensors,
                            const BackendContext& context, L2Flusher& flusher, cudaStream_t stream, std::string* note) {
  MeasuredRow row = unmeasured_row(choice, shape, "ok");
  try {
    const AttentionPath path = prepare_backend(choice, shape, tensors, context);
    if (note != nullptr) *note = path.note;
    row.timing = time_cold_calls(path.run, stream, flusher);
    // validate/README.md: peak extra memory includes the output O (B * Nq * H * dv * 2 bytes).
    row.peak_extra_memory_bytes = path.workspace_bytes() + static_cast<double>(shape.o_elements()) * 2.0;
  } catch (const CudaOutOfMemory&) {
    row = unmeasured_row(choice, shape, "oom");
  } catch (const std::invalid_argument& e) {
    row = unmeasured_row(choice, shape, std::string("unsupported: ") + e.what());
  }
  return row;
}

double attention_flops(const AttentionShape& s) {
  const double nq = static_cast<double>(s.seq_q);
  const double nk = static_cast<double>(s.seq_kv);
  // Bottom-right causal with Nq <= Nk: row i sees i + 1 + (Nk - Nq) keys.
  const double pairs = s.causal ? nq * (nk - nq) + nq * (nq + 1.0) / 2.0 : nq * nk;
  return 4.0 * static_cast<double>(s.batch * s.heads) * pairs * static_cast<double>(s.head_dim);
}

}  // namespace attnsim::bench
