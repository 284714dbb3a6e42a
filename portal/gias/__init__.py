"""Importing the DfE register of establishments (GIAS): parsing, preview, import and the CLI."""
