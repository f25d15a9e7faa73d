// Reads Nsight Compute's CSV export (one row per profiled kernel) and groups the kernels into the
// calls that attnsim-bench --profile and pytorch_attention_bench.py --profile bracket with
// attnsim_run_marker kernels.
//
// The export validate/README.md documents:
//   ncu --metrics dram__bytes_read.sum,dram__bytes_write.sum,gpu__time_duration.sum --nvtx
//       --clock-control none -o report PROGRAM ...      (one line)
//   ncu -i report.ncu-rep --csv --page raw --print-units base > report.csv
// Columns read: "ID", "Kernel Name", the three metrics, and the NVTX push/pop column when present;
// the row after the header holds the units (byte/Kbyte/..., ns/us/ms/s); numbers may carry
// thousands separators ("1,084,160").
#pragma once

#include <filesystem>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace attnsim {

struct NcuKernel {
  unsigned line = 0;  // line in the file, for messages
  std::string id;
  std::string name;
  std::string nvtx_range;  // ncu's NVTX push/pop state for the launch, empty when not recorded
  double dram_read_bytes = 0;
  double dram_write_bytes = 0;
  double duration_seconds = 0;
};

// Every kernel in the export, in launch order. `source` names the input in messages; errors are
// InvalidInput("source:line", "column ...: ...") and never leave a partial result.
std::vector<NcuKernel> parse_ncu_csv(std::istream& in, const std::string& source);
std::vector<NcuKernel> read_ncu_csv(const std::filesystem::path& file);

// The kernel that brackets each profiled call (validate/cuda/profile_pass.h).
inline constexpr const char* kNcuRunMarker = "attnsim_run_marker";

// One profiled call: the kernels between an opening and a closing marker, summed.
struct NcuCall {
  unsigned first_line = 0;  // the opening marker's line
  std::vector<NcuKernel> kernels;
  double dram_read_bytes = 0;
  double dram_write_bytes = 0;
  double duration_seconds = 0;  // sum of kernel durations: no launch gaps
  double dram_bytes() const { return dram_read_bytes + dram_write_bytes; }
};

// Pairs markers in order (1st opens, 2nd closes, 3rd opens, ...); kernels outside a pair (input
// fills, warm-up calls) are ignored. Throws InvalidInput when there is no marker or an odd count.
std::vector<NcuCall> group_ncu_calls(const std::vector<NcuKernel>& kernels, const std::string& source);

}  // namespace attnsim
