# The binding against the CLI binary: every function returns the numbers of `attnsim <command>
# --format json`, errors raise InvalidInput with the CLI's line, and the module imports anywhere.
import json
import os
import pathlib
import subprocess
import sys

import pytest

import attnsim
from conftest import CLI, PYTHON_PATH, REPO


def cli_json(*args):
    done = subprocess.run([CLI, *args, "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def cli_error(*args):
    done = subprocess.run([CLI, *args], capture_output=True, text=True)
    assert done.returncode == 2
    return done.stderr.strip()


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(gpu="h100-sxm", variant="flash2", seq=4096, heads=32, head_dim=128, causal=True),
         ["--gpu", "h100-sxm", "--variant", "flash2", "--seq", "4096", "--heads", "32", "--head-dim", "128", "--causal"]),
        (dict(gpu="rtx4090", variant="eager", seq=8192, batch=2, dtype="fp16"),
         ["--gpu", "rtx4090", "--variant", "eager", "--seq", "8192", "--batch", "2", "--dtype", "fp16"]),
        (dict(variant="flash-decode", seq_q=1, seq=131072, heads=32, kv_heads=8, batch=16),
         ["--variant", "flash-decode", "--seq-q", "1", "--seq", "131072", "--heads", "32", "--kv-heads", "8",
          "--batch", "16"]),
        (dict(variant="flash2", seq=2048, engine="sim"), ["--variant", "flash2", "--seq", "2048", "--engine", "sim"]),
    ],
)
def test_predict_equals_cli_json(kwargs, args):
    got = attnsim.predict(**kwargs)
    assert got == cli_json("predict", *args)
    assert isinstance(got["predicted_seconds"], float)


def test_sweep_points_equal_cli_json():
    got = attnsim.sweep(gpu="h100-sxm", variant=["eager", "flash2"], seq=[1024, 4096, 16384], as_frame=False)
    want = cli_json("sweep", "--gpu", "h100-sxm", "--variant", "eager,flash2", "--seq", "1024,4096,16384")
    assert got == want["points"]
    assert len(got) == 6


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(gpu="h100-sxm,rtx4090", variant=["eager", "flash3"], seq="512:131072:x4", causal=True),
         ["--gpu", "h100-sxm,rtx4090", "--variant", "eager,flash3", "--seq", "512:131072:x4", "--causal"]),
        # fp32 values, a window, decoding: the rows' doubles, ints, strings and nulls as the JSON's.
        (dict(variant=["sliding-window", "flash-decode"], seq=[4096, 65536], seq_q=1, window=1024, dtype="fp16",
              runtime="eager"),
         ["--variant", "sliding-window,flash-decode", "--seq", "4096,65536", "--seq-q", "1", "--window", "1024",
          "--dtype", "fp16", "--runtime", "eager"]),
        (dict(variant="flash2", seq=1024), ["--variant", "flash2", "--seq", "1024"]),  # one point: null fits
    ],
)
def test_sweep_rows_equal_the_whole_cli_json(kwargs, args):
    # The typed rows, converted without JSON, against the command's JSON: every key, type and value.
    want = cli_json("sweep", *args)
    got = attnsim.sweep_rows(**kwargs)
    assert got == want
    for got_point, want_point in zip(got["points"], want["points"]):
        assert {k: type(v) for k, v in got_point.items()} == {k: type(v) for k, v in want_point.items()}
    # Keys in the rows' order (the CSV's), where the JSON text sorts them.
    columns = attnsim.sweep_rows(columns=True, **kwargs)["points"]
    assert sorted(columns) == sorted(want["points"][0])
    assert [dict(zip(columns, row)) for row in zip(*columns.values())] == want["points"]


def test_sweep_gives_a_dataframe_when_pandas_is_there():
    pandas = pytest.importorskip("pandas")
    frame = attnsim.sweep(gpu="h100-sxm", variant=["eager", "flash2"], seq=[1024, 2048])
    assert isinstance(frame, pandas.DataFrame)
    want = cli_json("sweep", "--gpu", "h100-sxm", "--variant", "eager,flash2", "--seq", "1024,2048")["points"]
    assert list(frame["seq_kv"]) == [p["seq_kv"] for p in want]
    assert list(frame["predicted_seconds"]) == [p["predicted_seconds"] for p in want]
    assert frame["fits_in_memory"].dtype == bool


def test_capacity_equals_cli_json():
    got = attnsim.capacity(model="llama-3.2-1b", gpu="rtx4090", variant=["eager", "flash2"])
    assert got == cli_json("capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--variant", "eager,flash2")
    assert "logits: last position" in got["scenario"]


def test_capacity_of_a_config_json_equals_capacity_of_its_model_id():
    # The Python path to a Hugging Face config.json is the CLI's --model: the same numbers as the model id.
    fixture = REPO / "tests" / "data" / "hf_configs" / "llama-3.2-1b.json"
    got = attnsim.capacity(model=str(fixture), gpu="rtx4090", variant=["eager", "flash2"])
    assert got == attnsim.capacity(model="llama-3.2-1b", gpu="rtx4090", variant=["eager", "flash2"])
    assert got == cli_json("capacity", "--model", str(fixture), "--gpu", "rtx4090", "--impl", "eager,flash2")


def test_unknown_model_type_raises_with_the_cli_message(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"model_type": "bert", "hidden_size": 768}')
    with pytest.raises(attnsim.InvalidInput) as raised:
        attnsim.capacity(model=str(config))
    assert str(raised.value) == cli_error("capacity", "--model", str(config))
    assert "unknown model_type 'bert'; supported: llama" in str(raised.value)


def test_plan_equals_cli_json():
    got = attnsim.plan(model="llama-3.1-8b", seq=32768, gpu=["h100-sxm", "rtx4090"])
    assert got == cli_json("plan", "--model", "llama-3.1-8b", "--seq", "32768", "--gpu", "h100-sxm,rtx4090")
    assert isinstance(got["gpus"][0]["fits"], bool)


@pytest.mark.parametrize(
    "function, old, new",
    [
        ("capacity", dict(impl="flash2", context=8192), dict(variant="flash2", seq=8192)),
        ("plan", dict(context=32768, gpus="h100-sxm"), dict(seq=32768, gpu="h100-sxm")),
        ("ring", dict(context=65536, gpus=[1, 4]), dict(seq=65536, gpu_count=[1, 4])),
        ("serve", dict(impl="flash2", context=4096, batch=1), dict(variant="flash2", seq=4096, batch=1)),
    ],
)
def test_old_keywords_warn_and_give_the_same_result(function, old, new):
    with pytest.warns(DeprecationWarning, match=r"is now (variant|seq|gpu|gpu_count)="):
        got = getattr(attnsim, function)(**old)
    assert got == getattr(attnsim, function)(**new)


def test_ring_serve_crossover_equal_cli_json():
    assert attnsim.ring(seq=65536, gpu_count=[1, 4]) == cli_json("ring", "--seq", "65536", "--gpu-count", "1,4")
    assert attnsim.serve(seq=[4096, 8192], batch=[1, 8]) == cli_json("serve", "--seq", "4096,8192", "--batch", "1,8")
    assert attnsim.crossover(seq=[1024, 4096]) == cli_json("crossover", "--seq", "1024,4096")


def test_tiles_equals_cli_json():
    kwargs = dict(seq=2048, heads=8, block_m=[64, 128], block_n=[32, 64], stages=1, jobs=1)
    got = attnsim.tiles(**kwargs)
    assert got == cli_json("tiles", "--seq", "2048", "--heads", "8", "--block-m", "64,128", "--block-n", "32,64",
                           "--stages", "1", "--jobs", "1")
    assert len(got["candidates"]) == 4
    assert "Nk=2048" in got["scenario"]


def test_validate_equals_cli_json():
    measured = REPO / "validate" / "data" / "h200" / "pytorch_attention.csv"
    got = attnsim.validate(measured=measured, gpu="h200")  # a pathlib.Path, as a path is passed
    assert got == cli_json("validate", "--measured", str(measured), "--gpu", "h200")
    assert len(got["rows"]) > 0


def test_a_profile_or_model_file_loads_from_a_path():
    profile = REPO / "hw_profiles" / "rtx4090.toml"
    assert attnsim.predict(gpu=profile, seq=4096) == attnsim.predict(gpu="rtx4090", seq=4096)
    model = REPO / "models" / "llama-3.2-1b.toml"
    assert attnsim.capacity(model=str(model), gpu="rtx4090", variant="flash2") == attnsim.capacity(
        model="llama-3.2-1b", gpu="rtx4090", variant="flash2")


def test_gpus_and_variants_equal_cli_json():
    assert attnsim.gpus() == cli_json("gpus")
    assert attnsim.variants() == cli_json("variants")
    assert "flash2" in [v["id"] for v in attnsim.variants()]


def test_calls_from_threads_give_the_same_numbers():
    # The GIL is released while a command runs, so threads run the C++ side at once.
    from concurrent.futures import ThreadPoolExecutor

    seqs = [1024 * (k + 1) for k in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda n: attnsim.predict(variant="flash2", seq=n, engine="sim"), seqs))
    assert got == [attnsim.predict(variant="flash2", seq=n, engine="sim") for n in seqs]


def test_sweeps_from_threads_give_the_same_rows():
    # sweep_rows computes without the GIL and takes it back per chunk of 4096 points.
    from concurrent.futures import ThreadPoolExecutor

    variants = ["eager", "flash2", "flash3", "ssm-scan"]
    run = lambda v: attnsim.sweep_rows(variant=v, gpu="h100-sxm", seq="1:5000:+1")  # noqa: E731 (two chunks)
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(run, variants))
    assert got == [run(v) for v in variants]
    assert [len(g["points"]) for g in got] == [5000] * 4


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(seq=0), ["predict", "--seq", "0"]),
        (dict(variant="flash9"), ["predict", "--variant", "flash9"]),
        (dict(gpu="nosuchgpu"), ["predict", "--gpu", "nosuchgpu"]),
        (dict(heads=32, kv_heads=5), ["predict", "--heads", "32", "--kv-heads", "5"]),
    ],
)
def test_invalid_input_raises_with_the_cli_message(kwargs, args):
    with pytest.raises(attnsim.InvalidInput) as caught:
        attnsim.predict(**kwargs)
    assert str(caught.value) == cli_error(*args)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "kwargs, args",
    [
        (dict(seq="0:16:x2"), ["sweep", "--seq", "0:16:x2"]),
        (dict(variant=["flash2", "flash9"]), ["sweep", "--variant", "flash2,flash9"]),
        (dict(seq="1:200000:+1", variant="flash2", gpu="h100-sxm"),
         ["sweep", "--seq", "1:200000:+1", "--variant", "flash2", "--gpu", "h100-sxm"]),
    ],
)
def test_sweep_errors_raise_with_the_cli_message(kwargs, args):
    # The fast path reports errors as the command does: the same one line.
    with pytest.raises(attnsim.InvalidInput) as caught:
        attnsim.sweep(as_frame=False, **kwargs)
    assert str(caught.value) == cli_error(*args)


def test_output_options_are_refused():
    with pytest.raises(attnsim.InvalidInput, match="--out"):
        attnsim.predict(out="x.json")


def test_imports_from_another_folder(tmp_path):
    env = dict(os.environ, PYTHONPATH=PYTHON_PATH)
    env.pop("ATTNSIM_PROFILES", None)
    code = "import attnsim; print(attnsim.predict(seq=1024)['predicted_seconds'])"
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == attnsim.predict(seq=1024)["predicted_seconds"]


def test_user_site_path_file_names_this_build(tmp_path):
    # scripts/build.sh writes attnsim.pth into the user's site-packages; without it, skip.
    site = subprocess.run([sys.executable, "-m", "site", "--user-site"], capture_output=True, text=True).stdout.strip()
    pth = os.path.join(site, "attnsim.pth")
    if not os.path.exists(pth) or open(pth).read().strip() != PYTHON_PATH:
        pytest.skip("attnsim.pth (scripts/build.sh) does not name this build")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "ATTNSIM_PROFILES")}
    done = subprocess.run([sys.executable, "-c", "import attnsim; print(len(attnsim.gpus()))"], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
