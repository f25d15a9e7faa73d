"""CUDA-graph capture and replay timing shared by the measurement scripts: GPU time without the
framework's host dispatch (the graph's own launch gaps remain)."""

import statistics

import torch


def capture(step, steps_per_graph: int = 1) -> torch.cuda.CUDAGraph:
    """Warm-up on a side stream (as torch.cuda.graphs requires), then capture `steps_per_graph` steps."""
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(side):
        for _ in range(2):
            step()
    torch.cuda.current_stream().wait_stream(side)
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(steps_per_graph):
            step()
    return graph


def replay_seconds(graph: torch.cuda.CUDAGraph, replays: int, batches: int = 5):
    """Median, min, max seconds of one replay over `batches` batches of `replays` back-to-back replays."""
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(batches):
        start.record()
        for _ in range(replays):
            graph.replay()
        end.record()
        torch.cuda.synchronize()
        samples.append(start.elapsed_time(end) / 1e3 / replays)
    return statistics.median(samples), min(samples), max(samples)
