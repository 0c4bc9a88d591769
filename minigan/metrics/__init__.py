"""Measuring a generator: distances between distributions and mode statistics.

A GAN's losses do not say how good its samples are (the tutorials' complaint
that a GAN "has no objective measure"). These metrics compare samples with
the data distribution directly. They run on the host: inputs may be backend
arrays and are copied with ``backend.to_numpy`` first.

| module | what |
| --- | --- |
| distributions.py | W1 and JS on a line; modes captured, high-quality samples, reverse KL on the ring and grid |
| parzen.py | the Parzen-window log-likelihood of the GAN paper's Table 1 |
| frechet.py | the Fréchet distance between Gaussians fitted to features |
| classes.py | class coverage, histogram and label accuracy of generated digits |
| classifier.py | minigan's own MNIST classifier, whose predictions and features those read |
"""
from .classes import (class_coverage, class_histogram, kl_from_uniform, label_accuracy,
                      label_accuracy_per_class)
from .distributions import (PAPER_NUM_SAMPLES, REFERENCE_QUANTILES, js_divergence, mean_and_standard_error,
                            mode_metrics, wasserstein_1d)
from .frechet import frechet_distance, frechet_distance_from_features, gaussian_statistics
from .parzen import (PAPER_TABLE1, PARZEN_SIGMAS, parzen_log_densities, parzen_log_likelihood,
                     parzen_select_sigma)
