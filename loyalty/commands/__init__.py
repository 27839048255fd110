"""One module per command group; each command's docstring is its --help, with a real example."""
