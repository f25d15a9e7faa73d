#include "model/materialized.h"

#include <utility>
#include <vector>

#include "model/efficiency.h"

namespace attnsim {

Efficiency materialized_step_efficiency(const Gpu& gpu, std::string_view variant_id) {
  const std::vector<ArchEfficiency> table = {
      {"sm80",
       {0.78, 0.78, 0.0,
        "elementwise kernels at the profile's hbm_efficiency; GEMMs and softmax measured "
        "(validate/data/h200/mechanisms/microbench.csv)"}},
  };
  return efficiency_for(gpu, variant_id, table);
}

KernelCost elementwise_kernel(std::string name, double elements, double read_bytes_per_element,
                              double write_bytes_per_element, double flops_per_element, const Efficiency& eff) {
  KernelCost k;
  k.name = std::move(name);
  k.vector_flops = elements * flops_per_element;
  k.hbm_read_bytes = elements * read_bytes_per_element;
  k.l2_read_bytes = k.hbm_read_bytes;
  k.hbm_write_bytes = elements * write_bytes_per_element;
  k.efficiency = eff;
  return k;
}

KernelCost element_bound_kernel(std::string name, double elements, double read_bytes, double write_bytes,
                                ElementBoundPath path, const Gpu& gpu, const Efficiency& eff) {
  // Elements per SM per clock at the clock such light kernels hold (the FP32 figure's maximum boost;
  // the H100 ran them at 1980 MHz). Medians over every such kernel of PyTorch 2.11 on the H100 that
  // ran 20 us or more, bf16 and fp32, 17 M to 1.1 G elements (validate/data/h100-sxm/breakdown/
  // kernels.csv, elements = grid x 512 for elementwise_kernel<128, 4>, grid x block x 4 unrolled):
  // broadcast copies (repeat_kv) 443-470 G/s, median 460; permute copies 317-395, median 382; the
  // broadcast mask add 349-350; bf16 -> fp32 unrolled copies 292-361, median 322. A streaming kernel
  // moving the same bytes takes 1.5-3x less time. The rate is assumed to carry to other GPUs per SM
  // and clock (integer index math on the SM's INT32 lanes, 64 per clock on sm80-sm90 alike).
  constexpr double kMeasuredSms = 132, kMeasuredClockHz = 1980e6;
  double elements_per_second_on_h100 = 0;
  switch (path) {
    case ElementBoundPath::broadcast_copy:
      elements_per_second_on_h100 = 460e9;
      break;
    case ElementBoundPath::permute_copy:
      elements_per_second_on_h100 = 382e9;
      break;
    case ElementBoundPath::broadcast_add:
      elements_per_second_on_h100 = 349e9;
      break;
    case ElementBoundPath::widening_copy:
      elements_per_second_on_h100 = 322e9;
      break;
    case ElementBoundPath::concatenate:
      // CatArrayBatchedCopy<OpaqueType<2>, unsigned int, 4, 64, 64>, three fp16 inputs of 33.6 M
      // elements stacked into a (B, S, 3, H, d) gradient: 100.7 M elements in 434-440 us, median
      // 439 us (standard attention's backward, validate/data/h100-sxm/breakdown/run2/kernels.csv,
      // points 19, 20, 22).
      elements_per_second_on_h100 = 229e9;
      break;
    case ElementBoundPath::softmax_rows:
      // cunn_SoftMaxForwardReg<c10::Half, float, c10::Half> of standard attention: 0.98-1.22
      // elements per SM per clock over 4096- and 8192-element rows (five kernels of 1.1-4.3 G
      // elements, median 1.055; validate/data/h100-sxm/breakdown/run2/kernels.csv).
      elements_per_second_on_h100 = 1.055 * kMeasuredSms * kMeasuredClockHz;
      break;
  }
  const double per_clock_per_sm = elements_per_second_on_h100 / (kMeasuredSms * kMeasuredClockHz);
  KernelCost k = elementwise_kernel(std::move(name), 1.0, read_bytes, write_bytes, 0.0, eff);
  k.vector_flops = elements;
  k.efficiency.vector = per_clock_per_sm * gpu.sm_count * gpu.element_kernel_clock_hz() / gpu.vector_flops_per_second();
  k.efficiency.source =
      "PyTorch's non-vectorized elementwise kernels, elements per SM per clock measured on the "
      "H100 (validate/data/h100-sxm/breakdown/kernels.csv)";
  return k;
}

KernelCost gemm_kernel(std::string name, double flops, double read_bytes, double write_bytes, bool on_tensor_cores,
                       Dtype dtype, const Efficiency& eff) {
  KernelCost k;
  k.name = std::move(name);
  if (on_tensor_cores) {
    k.tensor_flops = flops;
    k.tensor_dtype = dtype;
  } else {
    k.vector_flops = flops;
  }
  k.hbm_read_bytes = read_bytes;
  k.l2_read_bytes = read_bytes;
  k.hbm_write_bytes = write_bytes;
  k.efficiency = eff;
  return k;
}

Efficiency library_gemm_efficiency(const Gpu& gpu, bool on_tensor_cores) {
  // Fitted on the ten bf16 and ten fp32 (TF32 off) batched matmuls of microbench.csv (32 heads,
  // N = 1024-16384, d = 64-256) against the H200 profile: bf16 main loop at 60% of the wgmma rate
  // with 70% of the shorter of compute and HBM time (reads and writes) hidden (7.5% MAPE, worst 16%;
  // the 0.78 and full overlap assumed before gave 23%, worst 37%); fp32 SGEMM at 91% of the FP32
  // rate at the sustained clock, 10% of its HBM time hidden (7.4%, worst 13%). A short K (= head
  // dim) makes Q K^T write-bound: 2 d FLOPs per 2-byte score.
  constexpr double kTensorCoreGemm = 0.6, kTensorCoreGemmMemoryOverlap = 0.7;
  constexpr double kSgemm = 0.91, kSgemmMemoryOverlap = 0.1;
  const std::vector<ArchEfficiency> table = {
      {"sm80",
       {on_tensor_cores ? kTensorCoreGemm : kSgemm, kSgemm, 0.0,
        "cuBLAS batched matmuls at attention shapes, validate/data/h200/mechanisms/microbench.csv"}}};
  Efficiency e = efficiency_for(gpu, "library-gemm", table);
  e.memory_overlap = on_tensor_cores ? kTensorCoreGemmMemoryOverlap : kSgemmMemoryOverlap;
  return e;
}

namespace {

// A kernel class measured at a share of a streaming kernel's bandwidth (the profile's hbm_efficiency).
Efficiency at_share_of_streaming(const Gpu& gpu, const Efficiency& elementwise, double share, const char* source) {
  Efficiency e = elementwise;
  e.hbm = gpu.hbm_efficiency * share;
  e.source = source;
  return e;
}

// fp32 softmax over 4096-element rows moved 2.56-2.60 TB/s (read + write) from 256 MiB to 8 GiB
// on the H200, 54% of its 4800 GB/s, where a plain scale kernel moved 4.25-4.29 TB/s (89%, the
// profile's hbm_efficiency): the row reductions cost it 0.6x a streaming kernel's rate
// (validate/data/h200/mechanisms/microbench.csv).
Efficiency softmax_class_efficiency(const Gpu& gpu, const Efficiency& elementwise) {
  constexpr double kSoftmaxOverStreaming = 2.58 / 4.27;
  return at_share_of_streaming(
      gpu, elementwise, kSoftmaxOverStreaming,
      "fp32 softmax at 0.6x a streaming kernel's bandwidth, validate/data/h200/mechanisms/microbench.csv");
}

constexpr double kFp32SoftmaxBytesPerElement = 8.0;  // one fp32 read, one fp32 write

// host_softmax and host_softmax_backward (aten/src/ATen/native/cuda/SoftMax.cu) give a row of at
// most 1024 elements and 4096 bytes of the input type to one warp (dispatch_softmax_forward /
// _backward): the row sits in the warp's registers and its max and sum are warp shuffles, with no
// block-wide reduction between the read and the write. On the H100 that kernel
// (softmax_warp_forward<float, float, float, 10>, 1024-element fp32 rows) moved its 268 MB in
// 87.3-88.9 us, 0.93x the bytes per second of the bf16 copy kernel profiled beside it (201 MB in
// 61.4-61.9 us; validate/data/h100-sxm/ncu/ncu_pytorch.csv), where the block kernel of 4096-element
// rows reached 0.70-0.78x. A 16-bit row stays bound by elements at the block kernel's rate: the
// A100's published standard attention (fp16 softmax over 512- and 1024-element rows,
// validate/data/published/a100-sxm-80gb.csv) is met within 5% at that rate and predicted 23-27%
// fast at a copy's bandwidth.
constexpr double kWarpSoftmaxMaxRowElements = 1024.0;
constexpr double kWarpSoftmaxMaxRowBytes = 4096.0;
constexpr double kWarpSoftmaxOverStreaming = 0.93;

bool takes_warp_softmax(double row_elements, double input_bytes_per_element) {
  return row_elements <= kWarpSoftmaxMaxRowElements &&
         row_elements * input_bytes_per_element <= kWarpSoftmaxMaxRowBytes;
}

Efficiency warp_softmax_efficiency(const Gpu& gpu, const Efficiency& elementwise) {
  return at_share_of_streaming(gpu, elementwise, kWarpSoftmaxOverStreaming,
                               "PyTorch's warp-per-row softmax (rows <= 1024 elements) at 0.93x a copy's bandwidth, "
                               "validate/data/h100-sxm/ncu/ncu_pytorch.csv");
}

}  // namespace

KernelCost softmax_forward_kernel(std::string name, double elements, double row_elements, double read_bytes_per_element,
                                  double write_bytes_per_element, const Gpu& gpu, const Efficiency& eff) {
  const bool narrow = read_bytes_per_element + write_bytes_per_element < kFp32SoftmaxBytesPerElement;
  if (!narrow && takes_warp_softmax(row_elements, read_bytes_per_element)) {
    KernelCost k = elementwise_kernel(std::move(name), elements, read_bytes_per_element, write_bytes_per_element, 3.0,
                                      warp_softmax_efficiency(gpu, eff));
    k.exp_ops = elements;
    return k;
  }
  // The softmax is bound by elements, not bytes: on the H100 the fp16 kernel ran 0.98-1.22 elements
  // per SM per clock and the fp32 one 1.03-1.12 over 4096-element rows
  // (validate/data/h100-sxm/breakdown/run2/kernels.csv), so fp16 moved half fp32's bytes per second
  // (1.1-1.3 against 2.2-2.4 TB/s). A 16-bit softmax is therefore priced by elements at its own
  // measured rate; fp32 keeps the class measured on the H200 (a bandwidth share, which also tracks
  // that GPU's 16% faster fp32 softmax: 1.24 elements per SM per clock against the H100's 1.07).
  KernelCost k =
      narrow ? element_bound_kernel(std::move(name), elements, elements * read_bytes_per_element,
                                    elements * write_bytes_per_element, ElementBoundPath::softmax_rows, gpu, eff)
             : elementwise_kernel(std::move(name), elements, read_bytes_per_element, write_bytes_per_element, 3.0,
                                  softmax_class_efficiency(gpu, eff));
  k.exp_ops = elements;
  if (narrow) {
    // The measured rate includes the exponentials, which the timing adds to the vector work: the
    // vector pipe keeps the rest of each element's time.
    const double vector_seconds = k.vector_flops / (gpu.vector_flops_per_second() * k.efficiency.vector);
    const double exp_seconds = k.exp_ops / gpu.exp_per_second();
    if (vector_seconds > 2.0 * exp_seconds) k.efficiency.vector *= vector_seconds / (vector_seconds - exp_seconds);
  }
  return k;
}

std::vector<KernelCost> softmax_backward_kernels(const std::string& name, double elements, double bytes_per_element,
                                                 const Efficiency& eff) {
  // Both stream: on the H100 at 4096-element rows the fp32 multiply took 2076-2078 us and the
  // backward kernel (cunn_SoftMaxBackwardSmem) 2063-2065 us for 6.4 GB each, 3.1 TB/s; fp16 the
  // same, 2071 and 2069 us for 6.4 GB (validate/data/h100-sxm/breakdown/run2/kernels.csv, points 16,
  // 17 and 19). Unlike the forward, the backward kernel has one row reduction and no exponential.
  return {elementwise_kernel(name + ": grad * output", elements, 2.0 * bytes_per_element, bytes_per_element, 1.0, eff),
          elementwise_kernel(name, elements, 2.0 * bytes_per_element, bytes_per_element, 2.0, eff)};
}

double full_score_elements(const Workload& w) {
  return double(w.batch) * double(w.heads) * double(w.seq_q) * double(w.seq_kv);
}

}  // namespace attnsim
