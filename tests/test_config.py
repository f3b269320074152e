"""Typed configuration: YAML files, key=value overrides, unknown keys and bad types rejected with clear messages."""

import dataclasses
from typing import Literal

import pytest

from sgfns.config import build, parse_overrides
from sgfns.errors import UserError


@dataclasses.dataclass
class Model:
    name: str = "sgfns"
    embed_dim: int = 64
    dropout: float = 0.1
    fusion: Literal["gated", "none"] = "gated"
    layers: list[int] = dataclasses.field(default_factory=lambda: [1, 2])


@dataclasses.dataclass
class Cfg:
    seed: int = 0
    resume: bool = False
    device: str | None = None
    model: Model = dataclasses.field(default_factory=Model)


def _yaml(tmp_path, text):
    p = tmp_path / "c.yaml"
    p.write_text(text)
    return p


def test_defaults_then_yaml_then_overrides(tmp_path):
    p = _yaml(tmp_path, "seed: 3\nmodel:\n  embed_dim: 128\n  fusion: none\n")
    cfg = build(Cfg, p, ["model.embed_dim=256", "device=cuda:1", "model.dropout=0", "model.layers=[3, 4]"])
    assert cfg.seed == 3 and cfg.model.fusion == "none"
    assert cfg.model.embed_dim == 256 and cfg.device == "cuda:1"
    assert cfg.model.dropout == 0.0 and isinstance(cfg.model.dropout, float) and cfg.model.layers == [3, 4]
    assert build(Cfg).model.embed_dim == 64  # defaults are not shared between builds


def test_unknown_key_lists_valid_keys(tmp_path):
    with pytest.raises(UserError) as e:
        build(Cfg, None, ["model.embed=3"])
    assert (
        "override 'model.embed=3': model: unknown key 'embed'; valid keys: dropout, embed_dim, fusion, layers, name"
        in str(e.value)
    )
    with pytest.raises(UserError, match=r"c.yaml: unknown key 'sed'; valid keys: device, model, resume, seed"):
        build(Cfg, _yaml(tmp_path, "sed: 1\n"))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("seed=abc", "seed: expected an integer, got 'abc'"),
        ("seed=1.5", "seed: expected an integer, got 1.5"),
        ("resume=maybe", "resume: expected true or false, got 'maybe'"),
        ("model.dropout=high", "model.dropout: expected a number, got 'high'"),
        ("model.fusion=cross", "model.fusion: 'cross' is not one of 'gated', 'none'"),
        ("model.layers=3", "model.layers: expected a list, got 3"),
        ("model=3", "'model' is a section"),
        ("seed", "override 'seed': expected key=value"),
    ],
)
def test_type_errors_name_the_key(override, message):
    with pytest.raises(UserError) as e:
        build(Cfg, None, [override])
    assert message in str(e.value)


def test_yaml_errors_name_the_file_and_line(tmp_path):
    with pytest.raises(UserError, match=r"c.yaml:2: not valid YAML"):
        build(Cfg, _yaml(tmp_path, "seed: 1\nmodel: @x\n"))
    with pytest.raises(UserError, match="c.yaml: expected a mapping of config keys, got list"):
        build(Cfg, _yaml(tmp_path, "- 1\n- 2\n"))
    with pytest.raises(UserError, match="absent.yaml: file not found"):
        build(Cfg, tmp_path / "absent.yaml")
    assert build(Cfg, _yaml(tmp_path, "")).seed == 0  # an empty file is an empty mapping


def test_parse_overrides_nests_dotted_keys():
    assert parse_overrides(["a.b=1", "a.c=x", "d=[1, 2]"]) == {"a": {"b": 1, "c": "x"}, "d": [1, 2]}
