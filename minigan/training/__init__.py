"""The training harness: what runs Algorithm 1 for hours without losing anything.

Not the algorithm (that is ``minigan.gan``) but the loop around it:

| module | what |
| --- | --- |
| toy_loop.py | the toy demos' loop: learning-rate decay, snapshots for figures, checkpoints (``ToyLoop``, ``fit``) |
| image_experiment.py | what an image GAN's recipe says: networks, data stream, outputs (``ImageExperiment``) |
| image_loop.py | the MNIST models' loop: epochs, checkpoints, resume, summary (``train``) |
| checkpoint.py | atomic save and load; the rules of a run that checkpoints (refuse, resume, last good) |
| progress.py | the progress line |
| health.py | the failure signs of training (D winning, vanishing gradients, ...) |
| image_sampling.py | samples from a trained image generator; generator files |
"""
