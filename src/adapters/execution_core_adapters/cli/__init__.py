"""The ``execution-core`` command line: one module a command group, and the terminal rendering."""
