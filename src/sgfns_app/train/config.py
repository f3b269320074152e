"""Training configuration: typed dataclasses, filled from `configs/*.yaml` and `key=value` overrides.

`model` is one flat section for every model; each model takes the options it knows (`sgfns.models.model_options`)
and an option that no model uses is an error, so a typo never passes silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from sgfns.errors import UserError


@dataclass
class ModelConfig:
    """Model options; None means the registered model's own default (so `sgfns-tiny` stays tiny)."""

    name: str = "sgfns"
    embed_dim: int | None = None
    word_dim: int | None = None
    text_layers: int | None = None
    residual_mlp: bool | None = None
    # sgfns / sgm
    alpha: float | None = None
    beta: float | None = None
    gamma: float | None = None
    use_global: bool | None = None
    use_obj: bool | None = None
    use_rel: bool | None = None
    use_count: bool | None = None
    fusion: bool | None = None
    gcn_layers: int | None = None
    use_labels: bool | None = None
    global_nodes: bool | None = None
    rel_center: bool | None = None
    rel_roles: bool | None = None
    count_keys: bool | None = None
    text_encoder: str | None = None  # gru | minilm (frozen pretrained word and sentence vectors)
    # scan
    lambda_softmax: float | None = None


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


@dataclass
class NegConfig:
    """Generated negatives (L_neg, `sgfns.losses.generated`): off while weight is 0."""

    weight: float = 0.0
    margin: float = 0.2
    rules: list[str] = field(default_factory=list)
    # the seed the caption negatives are generated with (None: the run's seed). A fixed value gives every seed of
    # an experiment the same negatives, generated (and cached) once: generation costs more than a short run on
    # frozen features. The per-step draws among them still follow the run's seed.
    seed: int | None = None
    per_positive: int = 1
    text_side: bool = True
    image_side: bool = True
    # true: negatives encoded without gradient (faster, learns worse); "captions" / "images": only that side's
    # negatives (docs/negatives.md, "Epoch time")
    stop_gradient: bool | Literal["captions", "images"] = False
    # how a positive's caption negative is drawn among its own: "uniform" (each of its rules alike) or "balanced"
    # (rule r weighted by 1 / the number of training captions with an r negative, so rare rules such as count
    # are drawn whenever a caption has one; docs/negatives.md)
    rule_sampling: Literal["uniform", "balanced"] = "balanced"


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
    eval_batch_size: int = 256
    log_every: int = 50
    save_every_steps: int = 0  # also checkpoint mid-epoch every N steps (resume continues mid-epoch)
    progress: bool = True
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    loss: LossConfig = field(default_factory=LossConfig)
    neg: NegConfig = field(default_factory=NegConfig)
    data: DataConfig = field(default_factory=DataConfig)
    dist: DistConfig = field(default_factory=DistConfig)

    def validate(self) -> TrainConfig:
        if self.epochs < 1:
            raise UserError(f"epochs: must be at least 1, got {self.epochs}")
        if self.data.batch_size < 2:
            raise UserError(f"data.batch_size: must be at least 2 (in-batch negatives), got {self.data.batch_size}")
        if self.optim.lr <= 0:
            raise UserError(f"optim.lr: must be positive, got {self.optim.lr}")
        if self.loss.temperature <= 0:
            raise UserError(f"loss.temperature: must be positive, got {self.loss.temperature}")
        if self.neg.weight < 0:
            raise UserError(f"neg.weight: must be >= 0, got {self.neg.weight}")
        return self
