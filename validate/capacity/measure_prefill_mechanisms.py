"""Whole-model prefill of a Hugging Face causal LM split into what the GPU does and what the host
adds: random bf16 weights from the published config (no download), one
model(input_ids, use_cache=False, logits_to_keep=1) under torch.no_grad(), per prompt length N:

  timing `cuda-events-per-call`: CUDA events around one eager-mode call, 2 warm-ups then the median
      of 5 (host dispatch included: short prompts are host-bound);
  timing `cuda-graph-replay`: the same call captured in a CUDA graph and replayed back to back (GPU
      time and the graph's launch gaps only);
and once per (model, implementation), at N = 512, torch.profiler's count of the CUDA kernels one
forward launches and of the aten operators it dispatches (columns kernels_per_forward,
aten_ops_per_forward, repeated on every row of that pair).

usage: python3 measure_prefill_mechanisms.py --out prefill_mechanisms.csv
"""
import argparse
import csv
import statistics
import sys

import os

import torch
from transformers import AutoModelForCausalLM

from measure_prefill_kernels import is_top_level_aten
from measure_prefill_time import CONFIGS, DEFAULT_MODELS  # shapes from models/*.toml: one definition

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from cuda_graphs import capture, replay_seconds  # noqa: E402

SEQS = {"eager": [128, 512, 1024, 2048, 4096, 8192], "sdpa": [128, 512, 1024, 2048, 4096, 8192, 16384, 32768]}
COLUMNS = ["model", "impl", "seq", "timing", "status", "median_seconds", "min_seconds", "max_seconds",
           "kernels_per_forward", "aten_ops_per_forward", "gpu_name", "torch_version"]


def events_per_call(call):
    times = []
    for i in range(7):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        call()
        end.record()
        torch.cuda.synchronize()
        if i >= 2:
            times.append(start.elapsed_time(end) / 1e3)
    return statistics.median(times), min(times), max(times)


def graph_replay(call):
    graph = capture(call)
    result = replay_seconds(graph, replays=1)
    del graph
    return result


def count_launches(call):
    from torch.profiler import ProfilerActivity, profile
    call()
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
        call()
        torch.cuda.synchronize()
    kernels = sum(1 for e in prof.events() if e.device_type == torch.autograd.DeviceType.CUDA)
    aten = sum(1 for e in prof.events() if is_top_level_aten(e))
    return kernels, aten


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    args = p.parse_args()
    name = torch.cuda.get_device_name(0)
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLUMNS)
        w.writeheader()
        for model_name in DEFAULT_MODELS:
            make = CONFIGS[model_name]
            for impl, seqs in SEQS.items():
                model = AutoModelForCausalLM.from_config(make(), torch_dtype=torch.bfloat16, attn_implementation=impl)
                model = model.to("cuda").eval()
                counts = ("", "")
                for seq in seqs:
                    ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")

                    def call():
                        with torch.no_grad():
                            return model(input_ids=ids, use_cache=False, logits_to_keep=1)
                    if seq == 512:
                        try:
                            counts = count_launches(call)
                        except Exception as exc:  # the counts are extra; the timings go on
                            print(f"profiler failed: {exc}", file=sys.stderr)
                    for timing, measure in (("cuda-events-per-call", events_per_call), ("cuda-graph-replay", graph_replay)):
                        row = {"model": model_name, "impl": impl, "seq": seq, "timing": timing, "gpu_name": name,
                               "torch_version": torch.__version__}
                        try:
                            median, lo, hi = measure(call)
                            row.update(status="ok", median_seconds=f"{median:.6e}", min_seconds=f"{lo:.6e}",
                                       max_seconds=f"{hi:.6e}")
                        except Exception as exc:
                            row.update(status=("oom" if "out of memory" in str(exc).lower() else
                                               "error: " + str(exc).splitlines()[0][:160]))
                            torch.cuda.empty_cache()
                        rows_pending.append(row)
                    torch.cuda.empty_cache()
                for row in rows_pending:
                    row.update(kernels_per_forward=counts[0], aten_ops_per_forward=counts[1])
                    w.writerow(row)
                    print(row, file=sys.stderr, flush=True)
                rows_pending.clear()
                f.flush()
                del model
                torch.cuda.empty_cache()


rows_pending = []

if __name__ == "__main__":
    main()
