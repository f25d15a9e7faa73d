"""Peak device memory of a whole Hugging Face causal LM forward pass (prefill with or without a KV
cache), to check attnsim's capacity model. The model is built from its published config with random
weights (no download), in bf16 on one GPU; each point runs one forward over a random prompt of N
tokens under torch.no_grad() and records torch.cuda.max_memory_allocated() and
torch.cuda.max_memory_reserved() around it, the bytes still allocated while the output is held, and
the bytes of the distinct storages the returned cache keeps alive (a cached view keeps its whole
buffer: Phi-3's V is a slice of the fused qkv output).

usage: python3 measure_peak_memory.py --out peak_memory.csv [--models llama-3.2-1b] [--seqs 1024,...]
           [--impls eager,sdpa] [--kv-cache dynamic,none] [--logits all,last]
The defaults of the first version (validate/data/h100-sxm/capacity/peak_memory.csv) are
--models llama-3.2-1b,qwen2.5-0.5b --kv-cache dynamic --continue-after-oom.
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
    # Fused qkv_proj and gate_up_proj; no rope scaling (it changes no tensor size).
    "phi-3-mini": lambda: transformers.Phi3Config(
        vocab_size=32064, hidden_size=3072, intermediate_size=8192, num_hidden_layers=32,
        num_attention_heads=32, num_key_value_heads=32, tie_word_embeddings=False,
        max_position_embeddings=131072, sliding_window=262144),
    # Parallel hybrid; the logits are multiplied by lm_head_multiplier. Values of Falcon-H1-0.5B's config.json
    # as NVIDIA Megatron-Bridge's bridge test reproduces it (FALCON_H1_500M_CONFIG).
    "falcon-h1-0.5b": lambda: transformers.FalconH1Config(
        vocab_size=32784, hidden_size=1024, intermediate_size=2048, num_hidden_layers=36,
        num_attention_heads=8, num_key_value_heads=2, head_dim=64, tie_word_embeddings=False,
        mamba_d_ssm=1536, mamba_n_heads=24, mamba_d_head=64, mamba_d_state=128, mamba_d_conv=4,
        mamba_n_groups=1, mamba_chunk_size=128, mamba_expand=2, mamba_rms_norm=False,
        mamba_norm_before_gate=False, mamba_conv_bias=True, mamba_proj_bias=False, mamba_use_mlp=True,
        lm_head_multiplier=0.0390625, embedding_multiplier=5.656854249492381, attention_in_multiplier=1.0,
        attention_out_multiplier=0.9375, key_multiplier=0.39062499999999994,
        mlp_multipliers=[0.8838834764831844, 0.5859375], max_position_embeddings=131072),
    # Text decoder of Gemma 3 27B: 5 local (1024-token window) layers per global one.
    "gemma-3-27b": lambda: transformers.Gemma3TextConfig(
        vocab_size=262208, hidden_size=5376, intermediate_size=21504, num_hidden_layers=62,
        num_attention_heads=32, num_key_value_heads=16, head_dim=128, sliding_window=1024,
        layer_types=["full_attention" if (i + 1) % 6 == 0 else "sliding_attention" for i in range(62)],
        tie_word_embeddings=True, max_position_embeddings=131072),
}
# Models built directly on the GPU: random init on the host is slow (75 s for Llama-3.2-1B on the
# device's CPU, peak_memory_v2.log). The first version's models stay on the host path, so that
# peak_memory.csv and peak_memory_v2.csv are built the same way.
ON_DEVICE = {"gemma-3-27b", "phi-3-mini", "falcon-h1-0.5b"}


def cache_storage_bytes(cache):
    """Bytes of the distinct storages behind every tensor the cache object holds."""
    seen, total = set(), 0
    objs = [cache] + list(getattr(cache, "layers", []) or [])
    for obj in objs:
        for value in vars(obj).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            for t in items:
                if isinstance(t, torch.Tensor) and t.is_cuda:
                    s = t.untyped_storage()
                    if s.data_ptr() not in seen:
                        seen.add(s.data_ptr())
                        total += s.nbytes()
    return total


def measure(model, seq, logits_to_keep, use_cache):
    ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        out = model(input_ids=ids, use_cache=use_cache, logits_to_keep=logits_to_keep)
    torch.cuda.synchronize()
    peak = torch.cuda.max_memory_allocated()
    reserved = torch.cuda.max_memory_reserved()
    held = torch.cuda.memory_allocated()
    cache = getattr(out, "past_key_values", None)
    cache_bytes = cache_storage_bytes(cache) if cache is not None else 0
    dtype = str(out.logits.dtype)
    del out, ids, cache
    torch.cuda.empty_cache()
    return peak, reserved, held, cache_bytes, dtype


def build(name, impl):
    config = CONFIGS[name]()
    config._attn_implementation = impl
    torch.manual_seed(0)
    if name in ON_DEVICE:
        with torch.device("cuda"):
            model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16, attn_implementation=impl)
    else:
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16, attn_implementation=impl)
    return model.to("cuda").eval()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    p.add_argument("--models", default="llama-3.2-1b,qwen2.5-0.5b,falcon-h1-0.5b,phi-3-mini")
    p.add_argument("--seqs", default="1024,2048,4096,8192,16384,32768")
    p.add_argument("--impls", default="eager,sdpa")
    p.add_argument("--kv-cache", default="dynamic,none", help="dynamic (use_cache=True), none (use_cache=False)")
    p.add_argument("--logits", default="all,last")
    p.add_argument("--continue-after-oom", action="store_true", help="keep going up a series after an OOM")
    p.add_argument("--append", action="store_true")
    args = p.parse_args()
    print("torch", torch.__version__, "transformers", transformers.__version__, file=sys.stderr)
    free, total = torch.cuda.mem_get_info()
    print("after CUDA init: mem_get_info free", free, "total", total, "used by all processes", total - free,
          file=sys.stderr)
    try:
        from transformers.models.falcon_h1 import modeling_falcon_h1 as fh
        print("falcon_h1 is_fast_path_available", getattr(fh, "is_fast_path_available", None), file=sys.stderr)
    except Exception as e:  # noqa: BLE001 - diagnostic only
        print("falcon_h1 import", repr(e), file=sys.stderr)
    fields = ["model", "impl", "kv_cache", "seq", "logits", "status", "weights_allocated_bytes",
              "peak_allocated_bytes", "peak_reserved_bytes", "held_after_bytes", "cache_storage_bytes",
              "logits_dtype", "free_after_init_bytes", "total_bytes", "seconds"]
    with open(args.out, "a" if args.append else "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        if not args.append:
            w.writeheader()
        for name in args.models.split(","):
            for impl in args.impls.split(","):
                torch.cuda.empty_cache()
                start = time.time()
                try:
                    model = build(name, impl)
                except Exception as e:  # noqa: BLE001 - a model this library version cannot build is logged
                    print("build failed", name, impl, repr(e), file=sys.stderr)
                    torch.cuda.empty_cache()
                    continue
                weights = torch.cuda.memory_allocated()
                print("built", name, impl, "in", round(time.time() - start, 1), "s, weights", weights, file=sys.stderr)
                for kv in args.kv_cache.split(","):
                    for label in args.logits.split(","):
                        keep = 0 if label == "all" else 1
                        for seq in [int(s) for s in args.seqs.split(",")]:
                            row = {"model": name, "impl": impl, "kv_cache": kv, "seq": seq, "logits": label,
                                   "weights_allocated_bytes": weights, "free_after_init_bytes": free,
                                   "total_bytes": total}
                            start = time.time()
                            oom = False
                            try:
                                peak, reserved, held, cache_bytes, dtype = measure(model, seq, keep, kv == "dynamic")
                                row.update(status="ok", peak_allocated_bytes=peak, peak_reserved_bytes=reserved,
                                           held_after_bytes=held, cache_storage_bytes=cache_bytes, logits_dtype=dtype)
                            except torch.OutOfMemoryError:
                                row.update(status="oom")
                                oom = True
                                torch.cuda.empty_cache()
                            row["seconds"] = round(time.time() - start, 3)
                            w.writerow(row)
                            f.flush()
                            print(row, file=sys.stderr)
                            if oom and not args.continue_after_oom:
                                break
                del model
                torch.cuda.empty_cache()
    for cls in ("LlamaForCausalLM", "FalconH1ForCausalLM"):
        mod = getattr(transformers, cls, None)
        if mod is None:
            continue
        print("==", cls + ".forward lines with logits", file=sys.stderr)
        for line in inspect.getsource(mod.forward).splitlines():
            if "logits" in line and ("lm_head" in line or "float" in line or "multiplier" in line):
                print(line, file=sys.stderr)


if __name__ == "__main__":
    main()
