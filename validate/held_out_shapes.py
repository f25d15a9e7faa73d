"""Rules that draw held-out attention shapes with a fixed seed, before anything is measured.

No torch import: the shapes (and attnsim's predictions of them) can be written down on a machine
without a GPU before the run. Each rule returns (batch, heads, kv_heads, seq_q, seq_kv, head_dim,
causal, backends) tuples; the rule and its seed are the record of the split.
"""

from __future__ import annotations

import random

FUSED = ["sdpa-flash", "sdpa-cudnn", "sdpa-efficient"]
# The short-query set whose predictions validate/data/predictions/short_queries.csv holds: (count, seed).
SHORT_QUERIES_SET = (24, 20261208)
MATERIALIZED = ["sdpa-math", "hf-eager"]
MAX_FORWARD_FLOPS = 2e12
MAX_SCORE_ELEMENTS = 2 ** 28  # one fp32 copy of B*H*Nq*Nk scores is 1 GiB


def forward_flops(batch, heads, seq_q, seq_kv, head_dim, causal):
    return 4 * batch * heads * seq_q * seq_kv * head_dim / (2 if causal else 1)


def random_shapes(count: int, seed: int) -> list[tuple]:
    """Shapes a user might ask about: batch, heads, GQA group, head dim, sequence length (powers of
    two and arbitrary multiples of 8), causal or not, and for non-causal calls sometimes a query
    length shorter than the key length."""
    rng = random.Random(seed)
    points = []
    while len(points) < count:
        head_dim = rng.choice([64, 64, 80, 96, 128, 128, 128, 160, 192, 256])
        heads = rng.choice([8, 12, 16, 20, 24, 28, 32, 40, 48, 64])
        group = rng.choice([g for g in (1, 1, 2, 4, 8) if heads % g == 0])
        if rng.random() < 0.5:
            seq_kv = 2 ** rng.randint(8, 15)
        else:
            seq_kv = 8 * round(2 ** rng.uniform(8, 15) / 8)
        causal = rng.random() < 0.5
        seq_q = seq_kv
        if not causal and rng.random() < 0.3:
            seq_q = max(8, 8 * round(seq_kv / rng.choice([2, 4, 8, 16]) / 8))
        batch = rng.choice([1, 1, 2, 4, 8, 16])
        while batch > 1 and forward_flops(batch, heads, seq_q, seq_kv, head_dim, causal) > MAX_FORWARD_FLOPS:
            batch //= 2
        if forward_flops(batch, heads, seq_q, seq_kv, head_dim, causal) > MAX_FORWARD_FLOPS:
            continue
        backends = FUSED + (MATERIALIZED if batch * heads * seq_q * seq_kv <= MAX_SCORE_ELEMENTS else [])
        points.append((batch, heads, heads // group, seq_q, seq_kv, head_dim, causal, backends))
    return points


def short_query_shapes(count: int, seed: int) -> list[tuple]:
    """Queries shorter than keys, without a mask (a chunk of a long prompt attending to all of it,
    cross-attention): 2 to 64 times fewer queries than keys, every head dim a fused kernel takes,
    one K/V head per query head (CUTLASS fMHA refuses grouped K/V), the fused backends only."""
    rng = random.Random(seed)
    points = []
    while len(points) < count:
        head_dim = rng.choice([64, 80, 96, 128, 160, 192, 256])
        heads = rng.choice([8, 12, 16, 24, 32, 40, 48, 64])
        if rng.random() < 0.5:
            seq_kv = 2 ** rng.randint(10, 15)
        else:
            seq_kv = 8 * round(2 ** rng.uniform(10, 15) / 8)
        seq_q = max(64, 8 * round(seq_kv / rng.choice([2, 4, 8, 16, 32, 64]) / 8))
        batch = rng.choice([1, 2, 4, 8, 16, 32])
        while batch > 1 and forward_flops(batch, heads, seq_q, seq_kv, head_dim, False) > MAX_FORWARD_FLOPS:
            batch //= 2
        if forward_flops(batch, heads, seq_q, seq_kv, head_dim, False) > MAX_FORWARD_FLOPS:
            continue
        points.append((batch, heads, heads, seq_q, seq_kv, head_dim, False, list(FUSED)))
    return points


if __name__ == "__main__":
    import argparse
    import csv
    import sys

    parser = argparse.ArgumentParser(description="print a rule's shapes as CSV")
    parser.add_argument("--grid", choices=("random", "short-queries"), default="random")
    parser.add_argument("--count", type=int, default=48)
    parser.add_argument("--seed", type=int, default=20261207)
    args = parser.parse_args()
    rule = random_shapes if args.grid == "random" else short_query_shapes
    out = csv.writer(sys.stdout)
    out.writerow(["batch", "heads", "kv_heads", "seq_q", "seq_kv", "head_dim", "causal", "backends"])
    for b, h, hkv, nq, nk, d, causal, backends in rule(args.count, args.seed):
        out.writerow([b, h, hkv, nq, nk, d, str(causal).lower(), " ".join(backends)])
