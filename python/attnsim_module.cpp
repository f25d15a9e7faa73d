// attnsim._attnsim: the command line's in-process entry (cli::run) for Python. It only converts:
// argument lists in, the command's JSON text out (io/ renders it from the same typed rows as the
// CLI), and the CLI's one-line errors raised as attnsim.InvalidInput (exit status 2) or RuntimeError.
#include <dlfcn.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/app.h"
#include "io/data_location.h"

namespace py = pybind11;

namespace {

// The CLI's exit status 2, raised in Python as attnsim.InvalidInput.
class CliInvalidInput : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CliResult {
  int status = 0;
  std::string out;
  std::string err;
};

// Runs one command with the GIL released: nothing here touches a Python object.
CliResult run_cli(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  CliResult result;
  result.status = attnsim::cli::run(args, out, err);
  result.out = out.str();
  result.err = err.str();
  return result;
}

// The CLI's message without its trailing newline: "attnsim: error: --seq: must be 1..2^40".
std::string one_line(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// The file of this shared object, so data folders are found beside it (io/data_location.h).
const int kAnchor = 0;  // any object of this shared object, for dladdr

void name_program_file() {
  Dl_info info{};
  if (dladdr(&kAnchor, &info) != 0 && info.dli_fname != nullptr && *info.dli_fname != '\0') {
    attnsim::set_program_file(info.dli_fname);
  }
}

}  // namespace

PYBIND11_MODULE(_attnsim, m) {
  m.doc() = "attnsim's command line in-process: run(args) returns the command's JSON text";
  name_program_file();
  auto& invalid_input = py::register_exception<CliInvalidInput>(m, "InvalidInput", PyExc_ValueError);
  invalid_input.attr("__module__") = "attnsim";  // shown as attnsim.InvalidInput, where users catch it
  m.def(
      "run",
      [](const std::vector<std::string>& args) {
        CliResult result;
        {
          py::gil_scoped_release release;
          result = run_cli(args);
        }
        if (result.status == 2) throw CliInvalidInput(one_line(result.err));
        if (result.status != 0) throw std::runtime_error(one_line(result.err));
        return result.out;
      },
      py::arg("args"),
      "Run one attnsim command (e.g. ['predict', '--seq', '4096', '--format', 'json']) and return its "
      "standard output; raises InvalidInput (exit status 2) or RuntimeError (1) with the CLI's message.");
}
