"""The SGFNS application: command line, training loop, distributed set-up and logging.

It imports the library (`sgfns`); the library never imports it."""
