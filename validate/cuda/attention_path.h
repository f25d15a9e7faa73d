// What every backend hands the timing and checking code: a callable that launches one attention
// call (all its kernels, nothing else) on a stream, plus the buffers it owns. Workspace is
// allocated here, before any timing, so that the timed call allocates nothing and the bytes it
// needs beyond Q, K, V and O are known exactly.
#pragma once

#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <functional>
#include <string>
#include <vector>

#include "device_memory.h"

namespace attnsim::bench {

using bf16 = __nv_bfloat16;

// Q, K, V, O on the device. Q and O: (B, H, Nq, d); K and V: (B, Hkv, Nk, d). O is written by the
// path; its layout is the path's own (OutputLayout).
struct DeviceTensors {
  const bf16* q = nullptr;
  const bf16* k = nullptr;
  const bf16* v = nullptr;
  bf16* o = nullptr;
};

enum class OutputLayout {
  bhnd,  // (B, H, Nq, d): the fused kernels
  bnhd,  // (B, Nq, H, d): Hugging Face eager ends with transpose(1, 2).contiguous()
};

struct AttentionPath {
  std::function<void(cudaStream_t)> run;  // one call
  std::vector<DeviceBytes> workspace;     // allocated for the path beyond Q, K, V, O
  std::vector<DeviceBytes> prebuilt;      // built once before the calls (eager's mask): not counted,
                                          // as the PyTorch run builds its mask beforehand too
  const float* lse = nullptr;             // (B, H, Nq) natural-log logsumexp, when the path writes one
  OutputLayout output_layout = OutputLayout::bhnd;
  std::string note;  // e.g. "32 KV splits", printed beside the row

  double workspace_bytes() const {
    double bytes = 0;
    for (const DeviceBytes& b : workspace) bytes += static_cast<double>(b.bytes());
    return bytes;
  }
};

}  // namespace attnsim::bench
