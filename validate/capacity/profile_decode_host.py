"""Where the host's time of a transformers decode step goes: cProfile around decode steps of
Llama-3.2-1B (random bf16 weights from the published config) with a DynamicCache holding 1024
positions, B = 1, sdpa, no profiler hooks, after 3 warm-up steps. Each step is synchronised, so the
profile holds the host's work alone.

Files written under --out-dir:
  decode_host_profile.txt   the 60 functions with the most own time, then the 60 with the most
                            cumulative time, over --steps steps (pstats' text)
  decode_host_steps.csv     per step: wall seconds (time.perf_counter around call and synchronize),
                            with and without cProfile

usage: python3 profile_decode_host.py --out-dir DIR [--steps 10]
"""
import argparse
import cProfile
import csv
import io
import os
import pstats
import time

import torch
from transformers import AutoModelForCausalLM, DynamicCache

from measure_prefill_time import CONFIGS


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out-dir", required=True)
    p.add_argument("--steps", type=int, default=10)
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    model = AutoModelForCausalLM.from_config(CONFIGS["llama-3.2-1b"](), dtype=torch.bfloat16,
                                             attn_implementation="sdpa").to("cuda").eval()
    config = model.config
    cache = DynamicCache(config=config)
    shape = (1, config.num_key_value_heads, 1024, config.head_dim)
    for layer in range(config.num_hidden_layers):
        cache.update(torch.randn(shape, device="cuda", dtype=torch.bfloat16),
                     torch.randn(shape, device="cuda", dtype=torch.bfloat16), layer)
    ids = torch.randint(0, config.vocab_size, (1, 1), device="cuda")

    def step():
        with torch.no_grad():
            model(input_ids=ids, past_key_values=cache, use_cache=True)
        torch.cuda.synchronize()

    for _ in range(3):
        step()
    rows = []
    for i in range(args.steps):
        t0 = time.perf_counter()
        step()
        rows.append(["plain", i, time.perf_counter() - t0])
    profiler = cProfile.Profile()
    for i in range(args.steps):
        t0 = time.perf_counter()
        profiler.enable()
        step()
        profiler.disable()
        rows.append(["cprofile", i, time.perf_counter() - t0])
    with open(os.path.join(args.out_dir, "decode_host_steps.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mode", "step", "wall_seconds"])
        w.writerows(rows)
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(60)
    stats.sort_stats("cumulative").print_stats(60)
    with open(os.path.join(args.out_dir, "decode_host_profile.txt"), "w") as f:
        f.write(text.getvalue())
    plain = sorted(r[2] for r in rows if r[0] == "plain")
    print(f"decode step, B=1, N=1024: median {plain[len(plain) // 2] * 1e3:.2f} ms without cProfile", flush=True)


if __name__ == "__main__":
    main()
