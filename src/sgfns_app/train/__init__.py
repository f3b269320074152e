"""The one training loop for every model: configs, loop, checkpoints, distributed setup."""
