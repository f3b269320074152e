"""The restricted unpickler refuses anything that could run code, and loads plain data."""

import os
import pickle

import pytest

from sgfns.data.safe_pickle import UnsafePickleError, safe_load, safe_loads
from sgfns.errors import UserError


class _Exploit:
    """Plain `pickle.load` of this object would run `os.system(...)`, creating the marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize("protocol", [0, 2, 3, 4, 5])
def test_code_running_pickle_is_refused_and_nothing_runs(tmp_path, protocol):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.joblib"
    path.write_bytes(pickle.dumps({"labels": ["dog"], "payload": _Exploit(marker)}, protocol=protocol))
    with pytest.raises(UnsafePickleError) as e:
        safe_load(path)
    msg = str(e.value)
    assert str(path) in msg and "refused to load" in msg and "system" in msg and "nothing was executed" in msg
    assert not marker.exists()


def test_class_instances_are_refused():
    with pytest.raises(UnsafePickleError, match="refused to load 'collections.OrderedDict'"):
        safe_loads(pickle.dumps(__import__("collections").OrderedDict(a=1), protocol=2))


@pytest.mark.parametrize("protocol", [0, 2, 3, 4, 5])
def test_plain_data_loads(protocol):
    data = {"a": [1, 2.5, None, True], "b": ("x", b"y"), "c": {"d": {1, 2}}, "e": frozenset({"f"}), 3: -7}
    assert safe_loads(pickle.dumps(data, protocol=protocol)) == data


def test_garbage_and_missing_files_are_user_errors(tmp_path):
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(pickle.dumps({"a": list(range(100))})[:-20])
    with pytest.raises(UserError, match="not a readable pickle"):
        safe_load(bad)
    with pytest.raises(UserError, match="file not found"):
        safe_load(tmp_path / "absent.pkl")
