# docs/python.md's worked example runs as a doctest, so its printed output cannot go stale.
import doctest

from conftest import REPO


def test_python_md_example_output():
    result = doctest.testfile(str(REPO / "docs" / "python.md"), module_relative=False, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
