# The binding against the CLI binary: every function returns the numbers of `attnsim <command>
# --format json`, errors raise InvalidInput with the CLI's line, and the module imports anywhere.
import json
import os
import subprocess
import sys

import pytest

import attnsim
from conftest import CLI, PYTHON_PATH


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


def test_sweep_gives_a_dataframe_when_pandas_is_there():
    pandas = pytest.importorskip("pandas")
    frame = attnsim.sweep(gpu="h100-sxm", variant="flash2", seq=[1024, 2048])
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame["seq_kv"]) == [1024, 2048]


def test_capacity_equals_cli_json():
    got = attnsim.capacity(model="llama-3.2-1b", gpu="rtx4090", impl=["eager", "flash2"])
    assert got == cli_json("capacity", "--model", "llama-3.2-1b", "--gpu", "rtx4090", "--impl", "eager,flash2")


def test_plan_equals_cli_json():
    got = attnsim.plan(model="llama-3.1-8b", context=32768, gpus=["h100-sxm", "rtx4090"])
    assert got == cli_json("plan", "--model", "llama-3.1-8b", "--context", "32768", "--gpus", "h100-sxm,rtx4090")
    assert isinstance(got["gpus"][0]["fits"], bool)


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
