"""The ``kb`` command: a thin layer that builds library objects and formats their output."""
