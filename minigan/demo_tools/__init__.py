"""What only the demos use: command-line arguments (cli.py), figures (plots.py) and their words in
English or Korean (figure_text.py). The library never imports it."""
