#include "validate/ncu_report.h"

#include <cmath>
#include <fstream>
#include <iterator>
#include <sstream>

#include "model/error.h"
#include "validate/fccp_csv.h"

namespace attnsim {
namespace {

constexpr const char* kNvtxColumn = "thread Domain:Push/Pop_Range:PL_Type:PL_Value:CLR_Type:Color:Msg_Type:Msg";
constexpr const char* kReadColumn = "dram__bytes_read.sum";
constexpr const char* kWriteColumn = "dram__bytes_write.sum";
constexpr const char* kDurationColumn = "gpu__time_duration.sum";

struct Row {
  std::string id, name, nvtx, read, write, duration;
};

std::string at(const std::string& source, unsigned line) { return source + ":" + std::to_string(line); }

// Nsight Compute's unit names (--print-units base gives byte and ns) to bytes or seconds.
double unit_scale(const std::string& unit, const char* column, const std::string& where, bool is_time) {
  static const std::pair<const char*, double> kBytes[] = {{"byte", 1.0},   {"Kbyte", 1e3},  {"Mbyte", 1e6},
                                                          {"Gbyte", 1e9},  {"Tbyte", 1e12}, {"KB", 1e3},
                                                          {"MB", 1e6},     {"GB", 1e9}};
  static const std::pair<const char*, double> kTimes[] = {
      {"ns", 1e-9}, {"nsecond", 1e-9}, {"us", 1e-6}, {"usecond", 1e-6}, {"ms", 1e-3}, {"msecond", 1e-3},
      {"s", 1.0},   {"second", 1.0}};
  if (is_time) {
    for (const auto& [name, scale] : kTimes) {
      if (unit == name) return scale;
    }
  } else {
    for (const auto& [name, scale] : kBytes) {
      if (unit == name) return scale;
    }
  }
  throw InvalidInput(where, std::string("column ") + column + ": unknown unit '" + unit + "' (allowed: " +
                                (is_time ? "ns, us, ms, s" : "byte, Kbyte, Mbyte, Gbyte, Tbyte") + ")");
}

// "1,084,160" or "2.5" -> number; thousands separators are ncu's default number format.
double metric(std::string text, const char* column, const std::string& where) {
  std::string digits;
  for (char c : text) {
    if (c != ',') digits += c;
  }
  try {
    std::size_t used = 0;
    const double value = std::stod(digits, &used);
    if (used == digits.size() && std::isfinite(value) && value >= 0) return value;
  } catch (const std::exception&) {
  }
  throw InvalidInput(where, std::string("column ") + column + ": expected a non-negative number, got '" + text + "'");
}

bool is_banner(const std::string& line) { return line.rfind("==", 0) == 0; }  // ==PROF==, ==WARNING==

}  // namespace

std::vector<NcuKernel> parse_ncu_csv(std::istream& stream, const std::string& source) {
  // ncu's own messages (==PROF== ...) may precede the CSV when stdout was redirected: skip them,
  // and count them so that line numbers stay those of the file.
  std::string text((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  unsigned skipped = 0;
  std::size_t begin = 0;
  while (begin < text.size()) {
    const std::size_t end = text.find('\n', begin);
    const std::string line = text.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    if (!is_banner(line)) break;
    ++skipped;
    begin = end == std::string::npos ? text.size() : end + 1;
  }
  if (begin >= text.size()) throw InvalidInput(source, "no CSV header (expected ncu --csv --page raw output)");

  std::vector<NcuKernel> kernels;
  try {
    io::CSVReader<6, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(
        source, text.data() + begin, text.data() + text.size());
    in.read_header(io::ignore_extra_column | io::ignore_missing_column, "ID", "Kernel Name", kNvtxColumn, kReadColumn,
                   kWriteColumn, kDurationColumn);
    for (const char* column : {"ID", "Kernel Name", kReadColumn, kWriteColumn, kDurationColumn}) {
      if (!in.has_column(column)) {
        throw InvalidInput(at(source, skipped + 1), std::string("missing column '") + column +
                                                        "' (export with: ncu -i REPORT --csv --page raw; profile "
                                                        "with --metrics dram__bytes_read.sum,dram__bytes_write.sum,"
                                                        "gpu__time_duration.sum)");
      }
    }
    double read_scale = 1.0, write_scale = 1.0, time_scale = 1e-9;
    Row r;
    bool first = true;
    while (in.read_row(r.id, r.name, r.nvtx, r.read, r.write, r.duration)) {
      const unsigned line = in.get_file_line() + skipped;
      const std::string where = at(source, line);
      if (first && r.id.empty()) {  // the units row
        read_scale = unit_scale(r.read, kReadColumn, where, false);
        write_scale = unit_scale(r.write, kWriteColumn, where, false);
        time_scale = unit_scale(r.duration, kDurationColumn, where, true);
        first = false;
        continue;
      }
      first = false;
      NcuKernel k;
      k.line = line;
      k.id = r.id;
      k.name = r.name;
      k.nvtx_range = r.nvtx;
      k.dram_read_bytes = metric(r.read, kReadColumn, where) * read_scale;
      k.dram_write_bytes = metric(r.write, kWriteColumn, where) * write_scale;
      k.duration_seconds = metric(r.duration, kDurationColumn, where) * time_scale;
      kernels.push_back(std::move(k));
    }
  } catch (const io::error::base& e) {
    throw InvalidInput(source, std::string(e.what()) + " (expected ncu --csv --page raw output)");
  }
  if (kernels.empty()) throw InvalidInput(source, "has a header but no kernels");
  return kernels;
}

std::vector<NcuKernel> read_ncu_csv(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in || !std::filesystem::is_regular_file(file)) throw InvalidInput("ncu", "cannot read '" + file.string() + "'");
  return parse_ncu_csv(in, file.string());
}

std::vector<NcuCall> group_ncu_calls(const std::vector<NcuKernel>& kernels, const std::string& source) {
  std::vector<NcuCall> calls;
  bool open = false;
  for (const NcuKernel& k : kernels) {
    if (k.name == kNcuRunMarker) {
      if (!open) calls.push_back(NcuCall{k.line, {}, 0, 0, 0});
      open = !open;
      continue;
    }
    if (!open) continue;
    NcuCall& call = calls.back();
    call.kernels.push_back(k);
    call.dram_read_bytes += k.dram_read_bytes;
    call.dram_write_bytes += k.dram_write_bytes;
    call.duration_seconds += k.duration_seconds;
  }
  if (calls.empty()) {
    throw InvalidInput(source, std::string("no ") + kNcuRunMarker +
                                   " kernels: profile attnsim-bench --profile or pytorch_attention_bench.py --profile "
                                   "(validate/README.md), whose marker kernels delimit each call");
  }
  if (open) {
    throw InvalidInput(at(source, calls.back().first_line),
                       std::string(kNcuRunMarker) + " opens a call that no later marker closes (report cut short?)");
  }
  return calls;
}

}  // namespace attnsim
