"""One decode step of a whole Hugging Face causal LM as generate() runs it: random bf16 weights from
the published config (no download), a DynamicCache already holding `context` random keys and values
per sequence (filled by cache.update, as a prefill would leave it), then
model(input_ids=(B, 1), past_key_values=cache, use_cache=True) under torch.no_grad(), eager mode,
attn_implementation="sdpa". Each step appends one position to the cache.

Files written under --out-dir:
  decode_steps.csv    per (model, batch, context): 3 warm-up steps, then 10 steps each timed by CUDA
                      events around the call (host dispatch included): one row per timed step
  decode_kernels.csv  one more step traced by torch.profiler: every kernel with the innermost module
                      range around its launch (the cache's update runs inside a range named
                      DynamicCache.update) and the outermost aten operator, its duration (us)
  decode_ops.csv      per point, the traced step's kernels and top-level aten operators

--points host: only three batch-1 and batch-64 points at N = 1024, for the host's time per step.

usage: python3 measure_decode_step.py --out-dir DIR [--points all|host]
"""
import argparse
import csv
import os
import sys

import torch
from torch.profiler import record_function
from transformers import AutoModelForCausalLM, DynamicCache

from measure_prefill_kernels import traced_kernels_and_ops, wrap_modules_in_ranges
from measure_prefill_time import CONFIGS  # shapes from models/*.toml: one definition

# (batch, context) per model; the largest hold 32-39 GB of cache on an 80 GB GPU.
HOST_POINTS = {"llama-3.2-1b": [(1, 1024), (64, 1024)], "qwen2.5-0.5b": [(1, 1024)]}
POINTS = {
    "llama-3.2-1b": [(1, 1024), (1, 32768), (16, 1024), (16, 8192), (32, 32768), (64, 1024), (64, 8192)],
    "qwen2.5-0.5b": [(1, 1024), (1, 32768), (64, 1024), (64, 8192), (64, 32768)],
}
WARMUP_STEPS = 3
TIMED_STEPS = 10


def filled_cache(model, batch, context):
    config = model.config
    try:
        cache = DynamicCache(config=config)
    except TypeError:
        cache = DynamicCache()
    head_dim = getattr(config, "head_dim", None) or config.hidden_size // config.num_attention_heads
    shape = (batch, config.num_key_value_heads, context, head_dim)
    for layer in range(config.num_hidden_layers):
        k = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
        v = torch.randn(shape, device="cuda", dtype=torch.bfloat16)
        cache.update(k, v, layer)
    update = cache.update

    def update_in_range(*args, **kwargs):
        with record_function("DynamicCache.update"):
            return update(*args, **kwargs)
    cache.update = update_in_range
    return cache


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--points", choices=["all", "host"], default="all")
    args = p.parse_args()
    grid = POINTS if args.points == "all" else HOST_POINTS
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "decode_steps.csv"), "w", newline="") as sf, \
            open(os.path.join(args.out_dir, "decode_kernels.csv"), "w", newline="") as kf, \
            open(os.path.join(args.out_dir, "decode_ops.csv"), "w", newline="") as of:
        ow = csv.writer(of)
        ow.writerow(["model", "batch", "context", "kernels", "top_level_aten_ops"])
        sw = csv.writer(sf)
        sw.writerow(["model", "batch", "context", "step", "events_seconds", "gpu_name", "torch_version"])
        kw = csv.DictWriter(kf, fieldnames=["model", "batch", "context", "index", "module", "aten_op", "kernel",
                                            "duration_us", "grid", "block"], extrasaction="ignore")
        kw.writeheader()
        for model_name, points in grid.items():
            model = AutoModelForCausalLM.from_config(CONFIGS[model_name](), dtype=torch.bfloat16,
                                                     attn_implementation="sdpa")
            model = model.to("cuda").eval()
            for batch, context in points:
                try:
                    cache = filled_cache(model, batch, context)
                    ids = torch.randint(0, model.config.vocab_size, (batch, 1), device="cuda")

                    def step():
                        with torch.no_grad():
                            return model(input_ids=ids, past_key_values=cache, use_cache=True)
                    for _ in range(WARMUP_STEPS):
                        step()
                    torch.cuda.synchronize()
                    times = []
                    for i in range(TIMED_STEPS):
                        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                        start.record()
                        step()
                        end.record()
                        end.synchronize()
                        times.append(start.elapsed_time(end) / 1e3)
                    # The module ranges' hooks cost host time: installed for the traced step only.
                    hooks = wrap_modules_in_ranges(model)
                    rows, ops = traced_kernels_and_ops(step)
                    for h in hooks:
                        h.remove()
                except Exception as exc:  # one point's failure is reported, the others go on
                    print(f"{model_name} B={batch} N={context}: {str(exc).splitlines()[0][:200]}", file=sys.stderr)
                    cache = None
                    torch.cuda.empty_cache()
                    continue
                for i, t in enumerate(times):
                    sw.writerow([model_name, batch, context, i, f"{t:.6e}", torch.cuda.get_device_name(0),
                                 torch.__version__])
                ow.writerow([model_name, batch, context, len(rows), ops])
                for i, r in enumerate(rows):
                    kw.writerow({"model": model_name, "batch": batch, "context": context, "index": i, **r})
                sf.flush()
                kf.flush()
                of.flush()
                kernel_ms = sum(r["duration_us"] for r in rows) / 1e3
                print(f"{model_name} B={batch} N={context}: step median {sorted(times)[len(times) // 2] * 1e3:.2f} ms,"
                      f" {len(rows)} kernels, {kernel_ms:.2f} ms of kernels", file=sys.stderr, flush=True)
                del cache
                torch.cuda.empty_cache()
            del model
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
