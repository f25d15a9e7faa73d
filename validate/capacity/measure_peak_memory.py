"""Peak device memory of a whole Hugging Face causal LM forward pass (prefill with a KV cache), to
check attnsim's capacity model. The model is built from its published config with random weights
(no download), in bf16 on one GPU; each point runs one forward over a random prompt of N tokens
under torch.no_grad() and records torch.cuda.max_memory_allocated() around it.

usage: python3 measure_peak_memory.py --out peak_memory.csv [--models llama-3.2-1b] [--seqs 1024,2048,...]
Reads GPU state only; changes no clocks or settings.
"""
import argparse
import csv
import inspect
import sys
import time

import torch
import transformers
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

# Shapes from models/*.toml (the published config.json of each checkpoint).
CONFIGS = {
    "llama-3.2-1b": lambda: LlamaConfig(
        vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
        num_attention_heads=32, num_key_value_heads=8, head_dim=64, tie_word_embeddings=True,
        max_position_embeddings=131072, rope_theta=500000.0),
    "qwen2.5-0.5b": lambda: Qwen2Config(
        vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
        num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True,
        max_position_embeddings=131072),
}


def measure(model, seq, logits_to_keep):
    ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=True, logits_to_keep=logits_to_keep)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated()
    reserved = torch.cuda.max_memory_reserved()
    dtype = str(out.logits.dtype)
    del out, ids
    torch.cuda.empty_cache()
    return before, peak, reserved, dtype


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--models", default="llama-3.2-1b,qwen2.5-0.5b")
    p.add_argument("--seqs", default="1024,2048,4096,8192,16384,32768")
    p.add_argument("--impls", default="eager,sdpa")
    args = p.parse_args()
    print("torch", torch.__version__, "transformers", transformers.__version__, file=sys.stderr)
    free, total = torch.cuda.mem_get_info()
    print("after CUDA init: used by all processes", total - free, "bytes of", total, file=sys.stderr)
    fields = ["model", "impl", "seq", "logits", "status", "weights_allocated_bytes", "peak_allocated_bytes",
              "peak_reserved_bytes", "logits_dtype", "seconds"]
    with open(args.out, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for name in args.models.split(","):
            for impl in args.impls.split(","):
                torch.cuda.empty_cache()
                config = CONFIGS[name]()
                config._attn_implementation = impl
                torch.manual_seed(0)
                model = AutoModelForCausalLM.from_config(config, torch_dtype=torch.bfloat16, attn_implementation=impl)
                model = model.to("cuda").eval()
                weights = torch.cuda.memory_allocated()
                for keep, label in ((0, "all"), (1, "last")):
                    for seq in [int(s) for s in args.seqs.split(",")]:
                        row = {"model": name, "impl": impl, "seq": seq, "logits": label, "weights_allocated_bytes": weights}
                        start = time.time()
                        try:
                            before, peak, reserved, dtype = measure(model, seq, keep)
                            row.update(status="ok", peak_allocated_bytes=peak, peak_reserved_bytes=reserved, logits_dtype=dtype)
                        except torch.OutOfMemoryError:
                            row.update(status="oom")
                            torch.cuda.empty_cache()
                        row["seconds"] = round(time.time() - start, 3)
                        w.writerow(row)
                        f.flush()
                        print(row, file=sys.stderr)
                del model
                torch.cuda.empty_cache()
    src = inspect.getsource(transformers.models.llama.modeling_llama.LlamaForCausalLM.forward)
    print("== LlamaForCausalLM.forward lines with logits", file=sys.stderr)
    for line in src.splitlines():
        if "logits" in line and ("lm_head" in line or "float" in line):
            print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
