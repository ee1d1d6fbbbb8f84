"""Data in and out: the readout interchange format (format.py, specified in
docs/interchange-format.md), importing a file of it (importing.py), and synthetic sample
archives for demos and benchmarks (synthetic.py)."""
