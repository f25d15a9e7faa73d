#include "validate/measured_clocks.h"

#include "model/error.h"
#include "validate/fccp_csv.h"

namespace attnsim {

ClockSetting measured_clock(const std::filesystem::path& data_folder, const std::string& file) {
  const std::filesystem::path table = data_folder / "measured_clocks.csv";
  io::CSVReader<2, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>> in(table.string());
  in.read_header(io::ignore_extra_column, "file", "clock");
  std::string listed, clock;
  while (in.read_row(listed, clock)) {
    if (listed == file) return parse_clock_setting(clock);
  }
  throw InvalidInput(table.string(), "lists no clock for '" + file + "'; add a row with its regime and evidence");
}

Gpu gpu_as_measured(const Gpu& gpu, const std::filesystem::path& data_folder, const std::string& file) {
  return at_clock(gpu, measured_clock(data_folder, file));
}

}  // namespace attnsim
