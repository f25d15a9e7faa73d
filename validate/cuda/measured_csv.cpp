#include "measured_csv.h"

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace attnsim::bench {
namespace {

constexpr const char* kHeader =
    "source,variant,backend,batch,heads,kv_heads,seq_q,seq_kv,head_dim,head_dim_v,causal,window,dtype,pass,tile,"
    "status,median_seconds,min_seconds,max_seconds,repeats,timing,cache_state,peak_extra_memory_bytes,gpu_name,"
    "sm_count,driver,cuda_version,torch_version";
constexpr const char* kSource = "attnsim-bench";
constexpr const char* kCacheState = "cold";

// RFC 4180: a field with a comma, quote or line break goes in quotes, quotes doubled. (Not named
// `quoted`: argument-dependent lookup would pick std::quoted for non-const strings.)
std::string csv_field(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) return field;
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c == '\n' || c == '\r' ? ' ' : c;
  }
  return out + "\"";
}

// Nine significant digits: the event timer's resolution is ~0.5 us, so nothing is lost.
std::string number(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.9g", value);
  return buffer;
}

std::string bytes(double value) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.0f", value);
  return buffer;
}

}  // namespace

MeasuredCsv::MeasuredCsv(const std::string& path, GpuEnvironment environment) : env_(std::move(environment)) {
  const bool needs_header = !std::filesystem::exists(path) || std::filesystem::file_size(path) == 0;
  out_.open(path, std::ios::app);
  if (!out_) throw std::invalid_argument("--out: cannot open '" + path + "' for appending");
  if (needs_header) out_ << kHeader << '\n' << std::flush;
}

void MeasuredCsv::append(const MeasuredRow& r) {
  const AttentionShape& s = r.shape;
  std::ostringstream line;
  line << kSource << ',' << r.variant << ',' << r.backend << ',' << s.batch << ',' << s.heads << ',' << s.kv_heads
       << ',' << s.seq_q << ',' << s.seq_kv << ',' << s.head_dim << ',' << s.head_dim << ','
       << (s.causal ? "true" : "false") << ",,bf16,forward," << r.tile << ',' << csv_field(r.status) << ',';
  if (r.timing) {
    line << number(r.timing->median_seconds) << ',' << number(r.timing->min_seconds) << ','
         << number(r.timing->max_seconds) << ',' << r.timing->repeats;
  } else {
    line << ",,,";
  }
  line << ',' << r.timing_label << ',' << kCacheState << ',';
  if (r.peak_extra_memory_bytes) line << bytes(*r.peak_extra_memory_bytes);
  line << ',' << csv_field(env_.gpu_name) << ',' << env_.sm_count << ',' << csv_field(env_.driver) << ','
       << env_.cuda_version << ",\n";  // torch_version: empty, no PyTorch involved
  out_ << line.str() << std::flush;
}

}  // namespace attnsim::bench
