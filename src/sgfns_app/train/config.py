"""Training configuration: typed dataclasses, filled from a preset (`sgfns_app.train.presets`) and `key=value`
overrides.

`model` holds the chosen model's `name` and its options; the options are checked against what that model takes
(`sgfns.models.model_options`), so an option for another model, or a typo, is an error naming the model. The `neg`
section is the generated-negative loss's own `NegConfig` (`sgfns.losses.generated`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from sgfns.errors import UserError
from sgfns.losses.generated import NegConfig

#: options a model takes that the loop sets from the data (the vocabulary size, the region feature dimension)
DATA_OPTIONS = ("vocab_size", "img_dim")


@dataclass
class OptimConfig:
    name: Literal["adam", "adamw"] = "adam"
    lr: float = 2e-4
    weight_decay: float = 0.0
    grad_clip: float = 2.0
    schedule: Literal["step", "cosine", "none"] = "step"
    step_epochs: int = 15  # step schedule: lr x step_gamma every step_epochs
    step_gamma: float = 0.1
    warmup_steps: int = 0  # linear lr warm-up (both schedules)


@dataclass
class LossConfig:
    name: Literal["hinge", "infonce"] = "hinge"  # infonce: symmetric softmax loss at `temperature`
    temperature: float = 0.05
    margin: float = 0.2
    hardest: bool = True
    warmup_epochs: int = 1  # epochs with the sum of hinges before hardest negatives (VSE∞); 0 = none
    # each named score term (`Matcher.similarity_parts`, e.g. [relation]) also matched alone, its loss added with
    # `term_weight`: a signal for one term that the full score's hardest negatives rarely give (docs/method.md)
    terms: list[str] = field(default_factory=list)
    term_weight: float = 1.0


@dataclass
class DataConfig:
    batch_size: int = 128
    text_graphs: Literal["auto", "provided", "parser"] = "auto"  # auto: provided graphs, else the parser (cached)
    min_word_freq: int = 1
    max_train_images: int = 0  # 0 = all; a cap for quick experiments
    max_val_images: int = 1000  # validation rSum is computed on at most this many images (the first ones)


@dataclass
class DistConfig:
    gather_negatives: bool = False  # mine hardest negatives over the gathered global batch
    backend: Literal["auto", "gloo", "nccl"] = "auto"


@dataclass
class TrainConfig:
    seed: int = 0
    epochs: int = 30
    device: str = "cpu"
    deterministic: bool = False
    threads: int = 0  # torch intra-op threads; 0 = torch's default
    max_steps: int = 0  # stop after this many optimisation steps (0: the epochs' worth); validation then runs once
    eval_batch_size: int = 256
    log_every: int = 50
    save_every_steps: int = 0  # also checkpoint mid-epoch every N steps (resume continues mid-epoch)
    progress: bool = True
    model: dict[str, Any] = field(default_factory=lambda: {"name": "sgfns"})
    optim: OptimConfig = field(default_factory=OptimConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    neg: NegConfig = field(default_factory=NegConfig)
    data: DataConfig = field(default_factory=DataConfig)
    dist: DistConfig = field(default_factory=DistConfig)

    def validate(self) -> TrainConfig:
        """Range checks on numbers and the model's options; raises a one-line UserError naming the key."""
        checks = [
            ("epochs", self.epochs, 1), ("threads", self.threads, 0), ("max_steps", self.max_steps, 0),
            ("eval_batch_size", self.eval_batch_size, 1), ("log_every", self.log_every, 0),
            ("save_every_steps", self.save_every_steps, 0), ("data.batch_size", self.data.batch_size, 2),
            ("data.min_word_freq", self.data.min_word_freq, 1),
            ("data.max_train_images", self.data.max_train_images, 0),
            ("data.max_val_images", self.data.max_val_images, 0), ("optim.weight_decay", self.optim.weight_decay, 0),
            ("optim.grad_clip", self.optim.grad_clip, 0), ("optim.warmup_steps", self.optim.warmup_steps, 0),
            ("optim.step_epochs", self.optim.step_epochs, 1), ("loss.margin", self.loss.margin, 0),
            ("loss.warmup_epochs", self.loss.warmup_epochs, 0), ("loss.term_weight", self.loss.term_weight, 0),
        ]  # fmt: skip
        for key, value, low in checks:
            if value < low:
                extra = " (in-batch negatives)" if key == "data.batch_size" else ""
                raise UserError(f"{key}: must be at least {low}{extra}, got {value}")
        if self.optim.lr <= 0:
            raise UserError(f"optim.lr: must be positive, got {self.optim.lr}")
        if self.loss.temperature <= 0:
            raise UserError(f"loss.temperature: must be positive, got {self.loss.temperature}")
        if not 0 < self.optim.step_gamma <= 1:
            raise UserError(f"optim.step_gamma: must be in (0, 1], got {self.optim.step_gamma}")
        self.neg.validate()
        self.model = check_model_options(self.model)
        return self

    @property
    def model_name(self) -> str:
        return str(self.model["name"])

    def model_options(self) -> dict[str, Any]:
        """The options given for the model (its registered defaults fill the rest)."""
        return {k: v for k, v in self.model.items() if k != "name"}


def check_model_options(model: dict[str, Any]) -> dict[str, Any]:
    """`model` ({"name": ..., option: value}) with each option checked against what that model takes, and converted
    to the type of the model's default (an int where a float is expected, ...)."""
    from sgfns.models import list_models, model_options

    name = model.get("name")
    if not isinstance(name, str) or name not in list_models():
        raise UserError(f"model.name: unknown model {name!r}; available: {', '.join(list_models())}")
    takes = {k: v for k, v in model_options(name).items() if k not in DATA_OPTIONS}
    out: dict[str, Any] = {"name": name}
    for key, value in model.items():
        if key == "name" or value is None:  # None: the model's own default (how run folders before 0.2 saved it)
            continue
        if key not in takes:
            valid = ", ".join(sorted(takes)) or "none"
            raise UserError(f"model.{key}: model {name!r} takes no option {key!r}; its options: {valid}")
        default = takes[key]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise UserError(f"model.{key}: expected true or false, got {value!r}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise UserError(f"model.{key}: expected an integer, got {value!r}")
            if value < (1 if key in ("embed_dim", "word_dim", "text_layers") else 0):
                raise UserError(f"model.{key}: must be at least {1 if key != 'gcn_layers' else 0}, got {value}")
        elif isinstance(default, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise UserError(f"model.{key}: expected a number, got {value!r}")
            value = float(value)
        out[key] = value
    return out
