"""The rows this project transcribed from SageAttention's kernel-speed figures and one GitHub comment
(sources and caveats: ../README.md, "GeForce and A100 forward rows"). Every number below is a printed
bar label or printed text, typed in by hand once; the script turns them into rows of the published
schema with the source's own FLOP count (4*B*H*N^2*d, halved when causal).

The rows were appended once to ../a100-sxm-80gb.csv and ../rtx4090.csv and make ../rtx3090.csv and
../rtx5090.csv; rerunning writes them again, per profile, to OUT_DIR/<profile>.csv, for comparison.

usage: python3 sageattention_figures.py OUT_DIR
"""
import os
import sys
import csv
HDR = "source,variant,backend,batch,heads,kv_heads,seq_q,seq_kv,head_dim,head_dim_v,causal,window,dtype,pass,tile,status,median_seconds,min_seconds,max_seconds,repeats,timing,cache_state,peak_extra_memory_bytes,gpu_name,sm_count,driver,cuda_version,torch_version,reported_value,reported_unit,locator,certainty".split(',')
SEQ = [1024, 2048, 4096, 8192, 16384, 32768]
SEQL = ['1K', '2K', '4K', '8K', '16K', '32K']
B, H = 4, 32

SAGE_COMMON = ("thu-ml/SageAttention commit d1a57a5 (HEAD 2026-01-17), image assets/{img} (blob unchanged since commit 9ac460b, 2024-12-26; "
               "same baseline labels already in resource/{v1}.png of the first commit 4eb7d14, 2024-10-03, i.e. the SageAttention paper arXiv 2410.02367 era); "
               "panel '{title}', series '{series}', x = {xl}; B=4, H=32 (kv_heads=32), fp16, forward only, from bench/bench_baseline.py defaults "
               "(batch_size=4, num_heads=32; committed 2024-11-21, after the figure); TOPS = 4*B*H*N^2*d/(2 if causal)/mean_time; "
               "mean of 100 runs (flash_attn.utils.benchmark.benchmark_forward, torch.utils.benchmark Timer) after 5 warm-up calls, no L2 flush")
SERIES = {
    # The figures were drawn by 2024-10-03, before torch 2.5.0 (2024-10-17) made the math backend upcast fp16
    # to fp32: these calls ran the half-precision chain (matmul, mask add, softmax in fp16), which is what the
    # `standard` variant prices, not `sdpa-math`'s fp32 one.
    'Torch': ('pytorch', 'standard', "pytorch-sdpa-math, torch <= 2.4 (label 'Torch'; bench_baseline.py --method torch: only math SDPA enabled)"),
    'xformers': ('pytorch', 'mem-efficient', "pytorch-sdpa-efficient (label 'xformers'; bench_baseline.py --method xformers: only mem-efficient SDPA enabled)"),
    'FlashAttn2': ('pytorch', 'flash2', "pytorch-sdpa-flash FA2 (label 'FlashAttn2'; bench_baseline.py --method fa2: only flash SDPA enabled)"),
}
def secs(tflops, b, h, n, d, causal, mult=1.0):
    f = 4 * b * h * n * n * d / (2 if causal else 1) * mult
    return f / (tflops * 1e12)

rows = {}
def add(profile, r):
    rows.setdefault(profile, []).append(r)

def sage(profile, gpu, sm, img, v1, d, causal, title, data, extra=''):
    for series, vals in data.items():
        src, var, backend = SERIES[series]
        for n, nl, v in zip(SEQ, SEQL, vals):
            if v is None:
                continue  # OOM in the figure: no row (as in the existing files)
            loc = SAGE_COMMON.format(img=img, v1=v1, title=title, series=series, xl=nl) + extra
            ooms = [l for l, x in zip(SEQL, vals) if x is None]
            if ooms:
                loc += f"; this series is labelled OOM at {','.join(ooms)} (no row)"
            add(profile, dict(source=src, variant=var, backend=backend, batch=B, heads=H, kv_heads=H, seq_q=n, seq_kv=n,
                 head_dim=d, head_dim_v=d, causal=str(causal).lower(), window='', dtype='fp16', **{'pass': 'forward'}, tile='',
                 status='ok', median_seconds=f"{secs(v, B, H, n, d, causal):.6e}", min_seconds='', max_seconds='', repeats=100,
                 timing='published', cache_state='', peak_extra_memory_bytes='', gpu_name=gpu, sm_count=sm, driver='',
                 cuda_version='', torch_version='', reported_value=v, reported_unit='TOPS (= TFLOP/s, source FLOP count)',
                 locator=loc, certainty='read-from-bar-label'))

O = None
# RTX 4090
g, sm = 'NVIDIA GeForce RTX 4090', 128
sage('rtx4090', g, sm, '4090_hd128.png', '4090_hd128', 128, False, 'RTX4090, (Head dim = 128, causal = False)',
     {'Torch': [46, 42, 55, O, O, O], 'xformers': [93, 96, 104, 105, 106, 106], 'FlashAttn2': [145, 151, 161, 164, 164, 164]},
     "; FlashAttn2 labels also equal the 'FlashAttn' series of assets/4090_sageattn2++.png and arXiv 2505.21136 (SageAttention2++) Fig. (RTX4090 hd128)")
sage('rtx4090', g, sm, '4090_hd128.png', '4090_hd128', 128, True, 'RTX4090, (Head dim = 128, causal = True)',
     {'Torch': [16, 14, 16, O, O, O], 'xformers': [78, 89, 100, 104, 105, 106], 'FlashAttn2': [118, 138, 155, 160, 161, 161]},
     "; FlashAttn2 labels also equal the 'FlashAttn' series of assets/4090_sageattn2++.png and arXiv 2505.21136 Fig. (RTX4090 hd128)")
sage('rtx4090', g, sm, '4090_hd64.png', '4090_hd64', 64, False, 'RTX4090, (Head dim = 64, causal = False)',
     {'Torch': [26, 22, 28, O, O, O], 'xformers': [116, 125, 128, 127, 123, 124], 'FlashAttn2': [143, 153, 161, 167, 167, 167]})
sage('rtx4090', g, sm, '4090_hd64.png', '4090_hd64', 64, True, 'RTX4090, (Head dim = 64, causal = True)',
     {'Torch': [9, 7, 8, O, O, O], 'xformers': [88, 106, 117, 123, 125, 126], 'FlashAttn2': [94, 124, 150, 159, 162, 164]})
# RTX 3090
g, sm = 'NVIDIA GeForce RTX 3090', 82
sage('rtx3090', g, sm, '3090_hd128.png', '3090_hd128', 128, False, '3090, (Head dim = 128, causal = False)',
     {'Torch': [35, 24, 31, O, O, O], 'xformers': [43, 47, 47, 47, 46, 45], 'FlashAttn2': [62, 70, 71, 71, 70, 68]})
sage('rtx3090', g, sm, '3090_hd128.png', '3090_hd128', 128, True, '3090, (Head dim = 128, causal = True)',
     {'Torch': [13, 8, 10, O, O, O], 'xformers': [38, 41, 43, 44, 45, 44], 'FlashAttn2': [56, 60, 62, 63, 62, 60]})
sage('rtx3090', g, sm, '3090_hd64.png', '3090_hd64', 64, False, '3090, (Head dim = 64, causal = False)',
     {'Torch': [24, 14, 19, O, O, O], 'xformers': [53, 54, 54, 54, 54, 50], 'FlashAttn2': [62, 67, 69, 69, 68, 66]})
sage('rtx3090', g, sm, '3090_hd64.png', '3090_hd64', 64, True, '3090, (Head dim = 64, causal = True)',
     {'Torch': [8, 5, 6, O, O, O], 'xformers': [46, 49, 52, 53, 53, 50], 'FlashAttn2': [49, 58, 62, 62, 63, 64]})
# A100 (variant not stated)
g, sm = 'NVIDIA A100 (memory size and form factor not stated)', 108
A100X = "; the figure says only 'A100' (40GB or 80GB, SXM or PCIe not stated); no first-commit version of this image (added 2024-11-17, commit dd93125)"
SAGE_A100 = SAGE_COMMON.replace("same baseline labels already in resource/{v1}.png of the first commit 4eb7d14, 2024-10-03, i.e. the SageAttention paper arXiv 2410.02367 era", "image first added as resource/A100_hd128.png in commit dd93125, 2024-11-17")
_old = SAGE_COMMON
SAGE_COMMON = SAGE_A100
sage('a100-sxm-80gb', g, sm, 'A100_hd128.png', '', 128, False, 'A100, (Head dim = 128, causal = False)',
     {'Torch': [61, 45, 59, 69, O, O], 'xformers': [85, 106, 110, 110, 111, 111], 'FlashAttn2': [160, 176, 203, 204, 204, 204]}, A100X)
sage('a100-sxm-80gb', g, sm, 'A100_hd128.png', '', 128, True, 'A100, (Head dim = 128, causal = True)',
     {'Torch': [17, 13, 17, 19, O, O], 'xformers': [84, 96, 103, 107, 109, 110], 'FlashAttn2': [142, 170, 181, 186, 193, 193]}, A100X)
SAGE_COMMON = _old

# RTX 5090: SageAttention2++ figure, 'FlashAttn' series only
g, sm = 'NVIDIA GeForce RTX 5090', 170
for causal, vals in ((False, [173, 198, 208, 212, 215, 214]), (True, [147, 175, 192, 202, 207, 209])):
    for n, nl, v in zip(SEQ, SEQL, vals):
        loc = (f"thu-ml/SageAttention commit d1a57a5, image assets/5090_sageattn2++.png (added commit 89b4025 'Release SageAttention2++', 2025-07-01) = arXiv 2505.21136 (SageAttention2++) "
               f"kernel-speed figure, panel 'RTX5090, (Head dim = 128, causal = {causal})', series 'FlashAttn' (FlashAttention2; the label is also present as PDF text, "
               f"scribd copy of the paper), x = {nl}; B=4, H=32, fp16, forward only from the repo bench scripts' defaults (batch_size=4, num_heads=32, not printed in the figure); "
               "TOPS = 4*B*H*N^2*d/(2 if causal)/mean_time; mean of 100 runs (flash_attn.utils.benchmark.benchmark_forward); bench_baseline.py runs FA2 through the flash SDPA backend")
        add('rtx5090', dict(source='pytorch', variant='flash2', backend="FA2 (label 'FlashAttn'; via pytorch-sdpa-flash in bench_baseline.py --method fa2)", batch=B, heads=H, kv_heads=H,
             seq_q=n, seq_kv=n, head_dim=128, head_dim_v=128, causal=str(causal).lower(), window='', dtype='fp16', **{'pass': 'forward'}, tile='', status='ok',
             median_seconds=f"{secs(v, B, H, n, 128, causal):.6e}", min_seconds='', max_seconds='', repeats=100, timing='published', cache_state='',
             peak_extra_memory_bytes='', gpu_name=g, sm_count=sm, driver='', cuda_version='', torch_version='', reported_value=v,
             reported_unit='TOPS (= TFLOP/s, source FLOP count)', locator=loc, certainty='read-from-bar-label'))

# RTX 4090: AlpinDale in ROCm/flash-attention issue #27 (2023-12-10), FA2 forward, d64 non-causal
g, sm = 'NVIDIA GeForce RTX 4090', 128
for (b, n, v) in ((32, 512, 150.90), (16, 1024, 154.49), (8, 2048, 171.80), (4, 4096, 172.81), (2, 8192, 172.96), (1, 16384, 173.04)):
    loc = (f"github.com/ROCm/flash-attention issue #27 'RDNA3 support', comment by AlpinDale 2023-12-10, block 'RTX 4090', line '### causal=False, headdim=64, batch_size={b}, seqlen={n} ###' "
           f"'Flash2 fwd: {v:.2f} TFLOPs/s'; output format and (batch, seqlen) grid of Dao-AILab/flash-attention benchmarks/benchmark_flash_attention.py (dim=2048 -> nheads=32 for d64: "
           "heads NOT printed, taken from that script), FLOPs 4*B*H*N^2*d; that script: fp16, mean of 30 repeats (torch.utils.benchmark); the exact script variant (forward-only edit) and flash-attn version are not shown")
    add('rtx4090', dict(source='flash_attn', variant='flash2', backend='flash-attn-2 (version not stated, Dec 2023)', batch=b, heads=32, kv_heads=32,
         seq_q=n, seq_kv=n, head_dim=64, head_dim_v=64, causal='false', window='', dtype='fp16', **{'pass': 'forward'}, tile='', status='ok',
         median_seconds=f"{secs(v, b, 32, n, 64, False):.6e}", min_seconds='', max_seconds='', repeats=30, timing='published', cache_state='',
         peak_extra_memory_bytes='', gpu_name=g, sm_count=sm, driver='', cuda_version='', torch_version='', reported_value=f"{v:.2f}",
         reported_unit='TFLOP/s', locator=loc, certainty='exact'))

for prof, rs in rows.items():
    with open(os.path.join(sys.argv[1], f'{prof}.csv'), 'w', newline='') as fh:
        w = csv.DictWriter(fh, fieldnames=HDR)
        w.writeheader()
        for r in rs:
            w.writerow(r)
    print(prof, len(rs))
