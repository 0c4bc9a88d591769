"""What only the demos use: command-line arguments (cli.py; a trained generator's flags in
generator_args.py), figures (plots.py, translation_plots.py) and their words in English or Korean
(figure_text.py). The library never imports it."""
