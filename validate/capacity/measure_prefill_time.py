"""Prefill time of a whole Hugging Face causal LM (random bf16 weights from the published config, no
download): one model(input_ids, use_cache=True, logits_to_keep=1) under torch.no_grad(), timed with
CUDA events around the call, 2 warm-up calls then the median of 5. The time includes the framework's
host dispatch, which dominates short prompts.

usage: python3 measure_prefill_time.py --out prefill_time.csv
"""
import argparse
import csv
import statistics

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, Phi3Config, Qwen2Config

CONFIGS = {  # shapes from models/*.toml
    "llama-3.2-1b": lambda: LlamaConfig(vocab_size=128256, hidden_size=2048, intermediate_size=8192,
                                        num_hidden_layers=16, num_attention_heads=32, num_key_value_heads=8,
                                        head_dim=64, tie_word_embeddings=True, max_position_embeddings=131072),
    "qwen2.5-0.5b": lambda: Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864,
                                        num_hidden_layers=24, num_attention_heads=14, num_key_value_heads=2,
                                        tie_word_embeddings=True, max_position_embeddings=131072),
    "llama-3.1-8b": lambda: LlamaConfig(vocab_size=128256, hidden_size=4096, intermediate_size=14336,
                                        num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
                                        head_dim=128, tie_word_embeddings=False, max_position_embeddings=131072),
    "qwen2.5-7b": lambda: Qwen2Config(vocab_size=152064, hidden_size=3584, intermediate_size=18944,
                                      num_hidden_layers=28, num_attention_heads=28, num_key_value_heads=4,
                                      tie_word_embeddings=False, max_position_embeddings=131072),
    "phi-3-mini": lambda: Phi3Config(vocab_size=32064, hidden_size=3072, intermediate_size=8192,
                                     num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=32,
                                     tie_word_embeddings=False, max_position_embeddings=131072),
}
# The models a run measures unless told otherwise (the data committed so far: the two small models).
DEFAULT_MODELS = ("llama-3.2-1b", "qwen2.5-0.5b")
SEQS = {"eager": [1024, 4096, 8192], "sdpa": [1024, 4096, 16384, 32768]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", required=True)
    args = p.parse_args()
    with open(args.out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["model", "impl", "seq", "median_seconds", "min_seconds", "max_seconds"])
        for name in DEFAULT_MODELS:
            make = CONFIGS[name]
            for impl, seqs in SEQS.items():
                model = AutoModelForCausalLM.from_config(make(), torch_dtype=torch.bfloat16, attn_implementation=impl)
                model = model.to("cuda").eval()
                for seq in seqs:
                    ids = torch.randint(0, model.config.vocab_size, (1, seq), device="cuda")
                    times = []
                    with torch.no_grad():
                        for i in range(7):
                            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                            start.record()
                            model(input_ids=ids, use_cache=True, logits_to_keep=1)
                            end.record()
                            torch.cuda.synchronize()
                            if i >= 2:
                                times.append(start.elapsed_time(end) / 1e3)
                    w.writerow([name, impl, seq, statistics.median(times), min(times), max(times)])
                    f.flush()
                del model
                torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
