"""The GPU path, kept honest on a CPU: library code must not mix plain NumPy into backend math.

CuPy arrays refuse implicit conversion to NumPy. The strict NumPy in
``strict_numpy.py`` refuses it the same way, so these tests fail on a CPU where
the same code would fail on a GPU.
"""
import numpy as np
import pytest

from minigan import backend, losses, nn, optim


def test_the_strict_backend_catches_plain_numpy_math(strict_backend):
    x = backend.rng().normal((2, 3))
    with pytest.raises(strict_backend.MixedNumPyError):
        np.tanh(x)
    with pytest.raises(strict_backend.MixedNumPyError):
        x + np.ones((2, 3))


def test_every_layer_loss_and_optimizer_runs_on_the_strict_backend(strict_backend):
    g = nn.Conditional(10, 4, nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 8), nn.LeakyReLU(0.2),
                                            nn.Dropout(0.3), nn.Linear(8, 3), nn.Tanh()))
    d = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid())
    labels = backend.rng().integers(10, (5,))
    out = d(g(backend.rng().normal((5, 2)), labels))
    for loss_fn, inp in ((losses.BCELoss(), out), (losses.BCEWithLogitsLoss(), out)):
        loss = loss_fn(inp, backend.xp.ones_like(inp))
        assert np.isfinite(float(loss))
        g.backward(d.backward(loss_fn.backward()))
    for opt in (optim.Adam(g.parameters()), optim.SGD(d.parameters(), lr=0.1, momentum=0.9)):
        opt.step(); opt.step(); opt.zero_grad()
    assert type(g.parameters()[0].data) is strict_backend.StrictArray
    assert isinstance(g.state_dict()["body.layers.0.weight"], np.ndarray)


def test_gan_training_toy_data_and_figure_snapshots_run_on_the_strict_backend(strict_backend):
    from minigan.experiments import toy_1d
    from minigan.data import toy
    from minigan.training.toy_loop import fit

    for target in (toy.Gaussian1D(4, 1.25), toy.GaussianMixture1D([-2, 2], [0.5, 0.5])):
        recipe = toy_1d.Recipe(steps=3, batch_size=8, k=2)
        g = toy_1d.build(recipe, 1, *toy_1d.data_scale(target, 100))
        fit(g, toy.batches(target, 8), 3, final_lr_factor=0.5, progress=False)
        snap = toy_1d.snapshot_1d(g, np.linspace(0, 8, 11), num_samples=50, num_lines=5)
        assert snap["d_grid"].shape == (11,) and type(snap["samples"]) is np.ndarray
        assert np.isfinite(g.history["d_loss"]).all()
    ring = toy.ring()
    assert type(ring.sample(4)) is strict_backend.StrictArray


def test_the_weight_average_and_a_packed_minibatch_d_run_on_the_strict_backend(strict_backend):
    from minigan.experiments import toy_2d
    from minigan.data import toy

    recipe = toy_2d.Recipe2D(hidden=(8,), batch_size=4, pack=2, minibatch_kernels=2, ema_decay=0.9, steps=3)
    g = toy_2d.build_2d(recipe)
    data = toy.batches(toy.grid(), recipe.batch_size * recipe.pack)
    for _ in range(3):
        g.train_step(data)
    assert type(g.generate(5)) is strict_backend.StrictArray and g.average.updates == 3
    assert type(g.state_dict()["generator_average"]["average"]["layers.0.weight"]) is np.ndarray
