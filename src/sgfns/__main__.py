"""`python -m sgfns ...` (and so `torchrun -m sgfns train ...`) runs the command line."""

from sgfns_app.cli.main import main

if __name__ == "__main__":
    raise SystemExit(main())
