// One vocabulary across the commands (cli/vocabulary.cpp, docs/glossary.md "Option names"): the
// old spellings still give the same output with a note on standard error, every command defaults
// --logits the same way, and every output states the scenario it assumed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/cli/cli_support.h"

namespace attnsim::cli {
namespace {

using testing::attnsim;
using testing::Result;

struct Spelling {
  std::vector<std::string> old_args;
  std::vector<std::string> new_args;
  std::string note;
};

TEST(Vocabulary, OldSpellingsGiveTheSameOutputAndOneNoteOnStandardError) {
  const std::vector<Spelling> table = {
      {{"capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--impl", "eager,flash2", "--context", "8192"},
       {"capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "eager,flash2", "--seq", "8192"},
       "--impl is now --variant"},
      {{"plan", "--model", "llama-3.1-8b", "--context=32768", "--gpus", "h100-sxm,rtx4090"},
       {"plan", "--model", "llama-3.1-8b", "--seq=32768", "--gpu", "h100-sxm,rtx4090"},
       "--gpus is now --gpu"},
      {{"ring", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--context", "65536", "--gpus", "1,4"},
       {"ring", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "65536", "--gpu-count", "1,4"},
       "--gpus is now --gpu-count"},
      {{"serve", "--model", "llama-3.1-8b", "--impl=flash2", "--context", "4096", "--batch", "1"},
       {"serve", "--model", "llama-3.1-8b", "--variant=flash2", "--seq", "4096", "--batch", "1"},
       "--context is now --seq"},
      {{"crossover", "--impl", "eager", "--seq", "1024,4096"},
       {"crossover", "--variant", "eager", "--seq", "1024,4096"},
       "--impl is now --variant"},
  };
  for (const Spelling& s : table) {
    SCOPED_TRACE(s.new_args.front());
    for (const std::string format : {"table", "json"}) {
      std::vector<std::string> old_args = s.old_args;
      std::vector<std::string> new_args = s.new_args;
      old_args.insert(old_args.end(), {"--format", format});
      new_args.insert(new_args.end(), {"--format", format});
      const Result old_run = attnsim(old_args);
      const Result new_run = attnsim(new_args);
      ASSERT_EQ(old_run.status, 0) << old_run.err;
      ASSERT_EQ(new_run.status, 0) << new_run.err;
      EXPECT_EQ(old_run.out, new_run.out);
      EXPECT_TRUE(new_run.err.empty()) << new_run.err;
      EXPECT_NE(old_run.err.find("attnsim: note: " + s.note), std::string::npos) << old_run.err;
      if (format == "json") {
        EXPECT_TRUE(nlohmann::json::accept(old_run.out));  // notes stay off stdout
      }
    }
  }
}

TEST(Vocabulary, AnOldSpellingIsNotedOncePerRunAndOnlyWhereItMeantSomething) {
  const Result twice = attnsim({"capacity", "--impl", "flash2", "--impl", "eager", "--seq", "4096"});
  // Boost refuses the repeated option: one error line, no note.
  EXPECT_EQ(twice.status, 2);
  EXPECT_EQ(std::count(twice.err.begin(), twice.err.end(), '\n'), 1) << twice.err;
  EXPECT_EQ(twice.err.find("note"), std::string::npos) << twice.err;
  // predict never had --impl: still unknown there, not silently renamed.
  const Result predict = attnsim({"predict", "--impl", "flash2"});
  EXPECT_EQ(predict.status, 2);
  EXPECT_NE(predict.err.find("impl"), std::string::npos) << predict.err;
}

TEST(Vocabulary, AFailingCommandWithAnOldSpellingPrintsOnlyItsErrorLine) {
  const Result r = attnsim({"plan", "--context", "0"});
  EXPECT_EQ(r.status, 2);
  EXPECT_EQ(r.err, "attnsim: error: --seq: must be 1..2^40 tokens\n");
}

TEST(Vocabulary, AGpuCountWhereGpuIdsBelongSaysSo) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"plan", "--gpus", "8"}, std::vector<std::string>{"plan", "--gpu", "h100-sxm,8"},
        std::vector<std::string>{"capacity", "--gpu", "2"}}) {
    const Result r = attnsim(args);
    EXPECT_EQ(r.status, 2);
    EXPECT_NE(r.err.find("names GPUs (attnsim gpus), not a count"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("did you mean"), std::string::npos) << r.err;
  }
}

double peak_bytes(const std::vector<std::string>& args, const char* list, const char* key) {
  std::vector<std::string> all = args;
  all.insert(all.end(), {"--format", "json"});
  const Result r = attnsim(all);
  EXPECT_EQ(r.status, 0) << r.err;
  return nlohmann::json::parse(r.out)[list][0][key].get<double>();
}

// llama-3.1-8b on an H100 at 131072 tokens once gave 64.98 GiB in capacity (all
// logits) and 44.16 GiB in plan (last). One default now: both give the same peak (the figures below
// are the memory model's today, with the allocator's rounding and per-step copies).
TEST(Vocabulary, CapacityAndPlanAssumeTheSameLogitsByDefault) {
  const double capacity =
      peak_bytes({"capacity", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--variant", "flash2", "--seq", "131072"},
                 "results", "peak_bytes");
  const double plan =
      peak_bytes({"plan", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--seq", "131072"}, "gpus", "peak_bytes");
  EXPECT_EQ(capacity, plan);
  const double gib = 1024.0 * 1024.0 * 1024.0;
  EXPECT_NEAR(plan / gib, 46.16, 0.005);
  const double all = peak_bytes({"capacity", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--variant", "flash2",
                                 "--seq", "131072", "--logits", "all"},
                                "results", "peak_bytes");
  EXPECT_NEAR(all / gib, 63.98, 0.005);
}

TEST(Vocabulary, TrainingDefaultsToEveryPositionsLogitsAndRefusesLast) {
  const Result train = attnsim({"capacity", "--phase", "train", "--variant", "flash2", "--format", "json"});
  ASSERT_EQ(train.status, 0) << train.err;
  EXPECT_NE(nlohmann::json::parse(train.out)["scenario"].get<std::string>().find("logits: all positions"),
            std::string::npos);
  const Result last = attnsim({"capacity", "--phase", "train-recompute", "--logits", "last"});
  EXPECT_EQ(last.status, 2);
  EXPECT_NE(last.err.find("--logits: training computes the loss over every position"), std::string::npos) << last.err;
}

// Every command that computes says, in its table's first line and its JSON's "scenario", what it
// assumed; the whole-model commands all name the logits they counted.
TEST(Vocabulary, EveryOutputStatesItsScenario) {
  const std::vector<std::vector<std::string>> runs = {
      {"predict", "--seq", "4096"},
      {"predict", "--seq", "4096", "--runtime", "eager"},
      {"sweep", "--variant", "flash2", "--gpu", "h100-sxm", "--seq", "1024,2048"},
      {"tiles", "--seq", "2048", "--block-m", "64", "--block-n", "64", "--stages", "1", "--jobs", "1"},
      {"capacity", "--variant", "flash2"},
      {"plan", "--gpu", "h100-sxm"},
      {"serve", "--seq", "4096", "--batch", "1"},
      {"crossover", "--seq", "1024,2048"},
      {"ring", "--seq", "65536", "--gpu-count", "1,2"},
  };
  for (const std::vector<std::string>& args : runs) {
    SCOPED_TRACE(args.front());
    std::vector<std::string> json_args = args;
    json_args.insert(json_args.end(), {"--format", "json"});
    const Result json = attnsim(json_args);
    const Result table = attnsim(args);
    ASSERT_EQ(json.status, 0) << json.err;
    ASSERT_EQ(table.status, 0) << table.err;
    const std::string scenario = nlohmann::json::parse(json.out)["scenario"].get<std::string>();
    EXPECT_FALSE(scenario.empty());
    const std::string first_line = table.out.substr(0, table.out.find('\n'));
    EXPECT_NE(first_line.find(scenario), std::string::npos) << first_line << "\nvs " << scenario;
    const bool whole_model = args.front() != "predict" && args.front() != "sweep" && args.front() != "tiles";
    if (whole_model) {
      EXPECT_NE(scenario.find("logits: last position"), std::string::npos) << scenario;
    }
    if (args.front() == "predict") {
      EXPECT_NE(scenario.find(args.size() > 3 ? "runtime eager" : "runtime graph"), std::string::npos) << scenario;
    }
  }
}

}  // namespace
}  // namespace attnsim::cli
