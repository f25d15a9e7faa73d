# Where the built module and the CLI binary are: ctest passes them (python/CMakeLists.txt); run by
# hand, the default build tree (build/) is used.
import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
PYTHON_PATH = os.environ.get("ATTNSIM_PYTHON_PATH", str(REPO / "build" / "python"))
CLI = os.environ.get("ATTNSIM_CLI", str(REPO / "build" / "attnsim"))
sys.path.insert(0, PYTHON_PATH)
