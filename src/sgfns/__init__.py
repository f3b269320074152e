"""SGFNS: image-text matching with scene graphs (library).

The library never imports the application package (`sgfns_app`)."""

__version__ = "0.1.0"
