"""`sgfns train`: train any registered model with the one loop (single process, or DDP under torchrun)."""

from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train",
        help="train a model into a run folder",
        description="Train a model. Config: defaults < preset (--config NAME or FILE; default: cpu) < the preset's "
        "entry for the model < key=value overrides (e.g. optim.lr=1e-4). `--model sgfns` trains SGFNS with its "
        "generated negatives (neg.weight=0 switches them off). Under torchrun the same command runs DDP.",
    )
    p.add_argument("--data", help="dataset folder (canonical layout)")
    p.add_argument("--out", help="run folder to create (or continue with --resume)")
    p.add_argument("--model", default=None, help="model name (see --list-models; default sgfns)")
    p.add_argument("--config", default=None,
                   help="preset name (see --list-configs; default cpu) or a YAML file of the same shape")  # fmt: skip
    p.add_argument("--list-configs", action="store_true", help="list the shipped presets and exit")
    p.add_argument("--list-models", action="store_true", help="list the registered models and exit")
    p.add_argument("--val-split", default=None, help="validation split for model selection (default: val, else dev)")
    p.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    p.add_argument("--device", default=None, help="cpu | cuda | cuda:N (overrides device=)")
    p.add_argument("--seed", type=int, default=None, help="overrides seed=")
    p.add_argument("--epochs", type=int, default=None, help="overrides epochs=")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("overrides", nargs="*", metavar="key=value", help="config overrides")
    p.set_defaults(func=run)
    p.__class__ = _intermixed(type(p))


def _intermixed(base: type) -> type:
    """The same parser class, but flags and key=value overrides may come in any order."""

    class Intermixed(base):
        _busy = False

        def parse_known_args(self, args=None, namespace=None):
            if self._busy:  # parse_known_intermixed_args calls back into parse_known_args
                return super().parse_known_args(args, namespace)
            self._busy = True
            try:
                return self.parse_known_intermixed_args(args, namespace)
            finally:
                self._busy = False

    return Intermixed


def run(args) -> int:
    import json
    from pathlib import Path

    from sgfns.errors import UserError
    from sgfns_app.train.presets import build_train_config

    if args.list_configs or args.list_models:
        _print_lists(args.list_configs, args.list_models)
        return 0
    missing = [f"--{k}" for k in ("data", "out") if not getattr(args, k)]
    if missing:
        raise UserError(f"the following arguments are required: {', '.join(missing)}")
    overrides = [o for o in args.overrides if o != "--"]
    for o in overrides:
        if "=" not in o:
            raise UserError(f"unexpected argument {o!r}: overrides are key=value")
    if args.model:
        overrides.append(f"model.name={args.model}")
    if args.device:
        overrides.append(f"device={args.device}")
    if args.seed is not None:
        overrides.append(f"seed={args.seed}")
    if args.epochs is not None:
        overrides.append(f"epochs={args.epochs}")
    if args.no_progress:
        overrides.append("progress=false")
    config = args.config
    if args.resume and config is None and (Path(args.out) / "config.yaml").exists():
        config = Path(args.out) / "config.yaml"  # continue with the run's own resolved config (+ overrides)
    cfg = build_train_config(config, overrides)
    from sgfns_app.train.loop import train

    summary = train(args.data, args.out, cfg, val_split=args.val_split, resume=args.resume)
    import os

    if int(os.environ.get("RANK", "0")) == 0:
        print(json.dumps(summary))
    return 0


def _print_lists(configs: bool, models: bool) -> None:
    if configs:
        from sgfns_app.train.presets import DEFAULT_PRESET, list_presets

        print("presets (sgfns train --config NAME):")
        for name, desc in list_presets().items():
            print(f"  {name:<8} {desc}{'  [default]' if name == DEFAULT_PRESET else ''}")
    if models:
        from sgfns.models import list_models, model_options

        print("models (sgfns train --model NAME; options as model.KEY=VALUE):")
        for name in list_models():
            opts = [k for k in model_options(name) if k not in ("vocab_size", "img_dim")]
            print(f"  {name:<12} {', '.join(opts) or '(no options)'}")
