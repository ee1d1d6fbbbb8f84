"""Data in and out: the readout interchange format (specified in docs/interchange-format.md),
read by format.py and written by export.py; the records readouts name, on lines of their
own (catalogue.py); importing a file of it (importing.py); and synthetic sample archives for
demos and benchmarks (synthetic.py)."""
