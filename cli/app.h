// The attnsim command line: subcommands predict, sweep, gpus, variants. Errors become one line on
// `err` and an exit status: 2 for invalid input, 1 for runtime failures.
#pragma once

#include <exception>
#include <ostream>
#include <string>
#include <vector>

namespace attnsim::cli {

// The one line `run` writes for an error thrown by a command: "attnsim: error: --seq: ..." for
// invalid input (exit status 2), "attnsim: failed: ..." otherwise (1). For callers that run a
// command's library part themselves (the Python module's sweep).
std::string error_line(const std::exception& e);
bool is_invalid_input(const std::exception& e);

int run(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// Output sinks: standard output, or a file written whole at the end.
void emit(const std::string& text, const std::string& out_path, std::ostream& out);

int predict_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int sweep_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int gpus_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int calibrate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int validate_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int variants_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int tiles_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int capacity_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int plan_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int serve_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int crossover_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int ring_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);
int import_model_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace attnsim::cli
