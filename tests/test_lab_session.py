"""minigan lab, without the server: LabSession's steps, settings, reset, look inside, arrows,
divergence, saving, the curves and the background trainer."""
from __future__ import annotations

import json
import math
import time

import numpy as np
import pytest

from minigan import backend
from minigan.lab import ConfigError, LabSession
from minigan.lab.curves import MAX_POINTS, Curves
from minigan.lab.session import Conflict
from minigan.lab.state import NUM_SAMPLES


def host(params):
    return [backend.to_numpy(p.data).copy() for p in params]


def grads(params):
    return [backend.to_numpy(p.grad).copy() for p in params]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


@pytest.fixture
def session(tmp_path):
    s = LabSession({"g_width": 16, "d_width": 16, "batch_size": 32}, save_dir=tmp_path)
    yield s
    s.close()


@pytest.mark.parametrize("player,counts,moved", [("d", (0, 2, 0), "D"), ("g", (0, 0, 2), "G")])
def test_a_one_player_step_moves_that_player_only_and_counts_its_steps_only(session, player, counts, moved):
    G, D = session.gan.generator.parameters(), session.gan.discriminator.parameters()
    g0, d0 = host(G), host(D)
    session.step(player, 2)
    state = session.state()
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == counts
    assert same(host(G), g0) == (moved == "D") and same(host(D), d0) == (moved == "G")


def test_a_both_step_is_one_iteration_of_algorithm_1_with_k_d_steps(session):
    session.configure({"k": 3})
    session.step("both", 2)
    state = session.state()
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == (2, 6, 2)
    assert state["config"]["k"] == 3 and session.gan.k == 3


@pytest.mark.parametrize("player,count,field", [("x", 1, "player"), ("both", 0, "count"), ("d", 10**6, "count"),
                                                ("g", True, "count"), ("both", 1.5, "count")])
def test_a_bad_step_names_its_field(session, player, count, field):
    with pytest.raises(ConfigError, match=f"^{field}: expected"):
        session.step(player, count)


@pytest.mark.parametrize("changes,field", [
    ({"k": 0}, "k"), ({"k": "3"}, "k"), ({"lr_d": -1.0}, "lr_d"), ({"lr_g": float("nan")}, "lr_g"),
    ({"dataset": "mnist"}, "dataset"), ({"loss": "wasserstein"}, "loss"), ({"noise": "cauchy"}, "noise"),
    ({"g_width": 1000}, "g_width"), ({"d_depth": 0}, "d_depth"), ({"pack": 9}, "pack"), ({"speed": -1}, "speed"),
    ({"colour": "red"}, "colour"), ({"dataset": "moons", "pack": 2}, "pack"),
    ({"dataset": "drawn", "points": [[0, 0]] * 3}, "points"), ({"dataset": "drawn", "points": [[0, 9]] * 10}, r"points\[0\]"),
    ({"points": [[0, 0]] * 10}, "points"),
])
def test_a_bad_setting_names_field_expected_and_given(session, changes, field):
    before = dict(session.config)
    with pytest.raises(ConfigError, match=f"^{field}: expected .+, got "):
        session.configure(changes)
    assert session.config == before


def test_a_live_setting_keeps_the_networks_and_a_shape_setting_resets_them(session):
    session.step("both", 3)
    session.configure({"lr_d": 0.01, "loss": "minimax", "noise": "uniform"})
    assert session.gan.iteration == 3 and session.gan.d_optimizer.lr == 0.01
    assert session.gan.generator_loss == "minimax" and session.gan.noise == "uniform"
    assert session.notice["kind"] == "applied"
    session.configure({"g_width": 8})
    assert session.gan.iteration == 0 and session.notice == {"kind": "reset", "fields": ["g_width"],
                                                             "id": session.notice["id"]}
    assert session.gan.generator.layers[0].out_features == 8


def test_a_data_set_without_packing_takes_pack_1(session):
    session.configure({"pack": 2})
    assert session.gan.pack == 2 and session.gan.discriminator.layers[1].in_features == 4
    session.configure({"dataset": "spiral"})
    assert session.config["pack"] == 1 and session.gan.pack == 1


def test_reset_starts_from_the_same_networks(session):
    first = host(session.gan.generator.parameters())
    session.step("both", 5)
    session.reset()
    assert session.gan.iteration == 0 and same(host(session.gan.generator.parameters()), first)


def test_every_data_set_draws_a_json_state(session):
    for dataset in ("ring", "grid", "moons", "spiral", "gaussian_1d", "drawn"):
        session.configure({"dataset": dataset})
        session.step("both", 2)
        state = json.loads(json.dumps(session.state(), allow_nan=False))
        assert len(state["fake"]) == NUM_SAMPLES == len(state["arrows"])
        assert ("one_d" in state) == (dataset == "gaussian_1d")
        if dataset in ("ring", "grid"):
            assert state["quality"]["num_modes"] == (8 if dataset == "ring" else 25)
        if dataset == "gaussian_1d":
            assert set(state["quality"]) == {"w1", "js"}


def test_drawn_points_become_the_data(session):
    points = [[1.0 + 0.01 * i, -1.0] for i in range(20)]
    session.configure({"dataset": "drawn", "points": points})
    x = backend.to_numpy(session.data.sample(2000))
    assert abs(x[:, 0].mean() - 1.095) < 0.02 and abs(x[:, 1].mean() + 1.0) < 0.02


def loss_of_x(session, x):
    """G's loss (non-saturating, per sample) of host samples x (n, 2), in float64."""
    logits = backend.to_numpy(session.gan.discriminator(backend.asarray(x)))[:, 0]
    return np.logaddexp(0.0, -logits)          # -log sigmoid(a)


def test_the_arrows_are_the_gradient_of_each_samples_own_loss(tmp_path):
    with backend.default_dtype("float64"):
        s = LabSession({"g_width": 16, "d_width": 16}, save_dir=tmp_path)
        s.step("both", 20)
        state = s.state()
        x, arrows = np.array(state["fake"][:5]), np.array(state["arrows"][:5])
        h = 1e-5
        for i in range(5):
            for j in range(2):
                up, down = x[i:i + 1].copy(), x[i:i + 1].copy()
                up[0, j] += h
                down[0, j] -= h
                numeric = (loss_of_x(s, up)[0] - loss_of_x(s, down)[0]) / (2 * h)
                assert arrows[i, j] == pytest.approx(numeric, rel=1e-3, abs=1e-4)


def test_look_inside_gives_each_layers_gradient_and_leaves_training_alone(tmp_path):
    with backend.default_dtype("float64"):
        s = LabSession({"g_width": 16, "d_width": 16, "pack": 2}, save_dir=tmp_path)
        s.step("both", 10)
        s.step("d", 1)
        gan = s.gan
        G, D = gan.generator.parameters(), gan.discriminator.parameters()
        gan.generator_step(64)                     # leave non-zero gradients in G to be kept
        before = (host(G), host(D), grads(G), grads(D))
        result = s.inspect(5)                      # the second sample of pack (4, 5)
        assert same(host(G), before[0]) and same(host(D), before[1])
        assert same(grads(G), before[2]) and same(grads(D), before[3])
        assert all(p.grad.base is gan.g_optimizer.grad for p in G)      # still views of the flat buffer
        layers = len(gan.generator.layers) + len(gan.discriminator.layers)
        steps = result["steps"]
        assert len(steps) == 1 + layers + 1       # the loss, every layer, the unpacking
        assert [st["network"] for st in steps[:2]] == ["loss", "D"] and steps[-1]["network"] == "G"
        # the loss's gradient is sigma(a) - 1 for the non-saturating loss (its mean over one row)
        sigma = 1 / (1 + math.exp(-result["logit"]))
        assert steps[0]["gradient"]["values"][0] == pytest.approx(sigma - 1, rel=1e-4)
        # dL/dz (G's first layer returned it) against a central difference of G's loss in z
        z = s.display.noise("normal", NUM_SAMPLES)[4:6]
        h, numeric = 1e-6, []
        for j in range(z.shape[1]):
            zp, zm = z.copy(), z.copy()
            zp[1, j] += h
            zm[1, j] -= h
            lp = loss_of_x(s, backend.to_numpy(gan.generate(2, z=zp)).reshape(1, 4))[0]
            lm = loss_of_x(s, backend.to_numpy(gan.generate(2, z=zm)).reshape(1, 4))[0]
            numeric.append((lp - lm) / (2 * h))
        assert steps[-1]["gradient"]["values"] == pytest.approx(numeric, rel=1e-4, abs=1e-7)
        assert same(grads(G), before[2])


def test_look_inside_names_the_code_that_ran(session):
    result = session.inspect(0)
    functions = [st["function"] for st in result["steps"]]
    assert functions[0] == "BCEWithLogitsLoss.backward" and "Linear.backward" in functions
    assert "LeakyReLU.backward" in functions and "Rescale.backward" in functions
    linear = result["sources"]["Linear.backward"]
    assert linear["file"] == "minigan/nn/linear.py" and linear["source"].lstrip().startswith("def backward")
    assert linear["chapter"]["en"] == {"page": "docs/02_backprop.md", "anchor": "linear--linearbackward"}
    with pytest.raises(ConfigError, match="^index: expected"):
        session.inspect(NUM_SAMPLES)


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")   # the NaN planted below
def test_a_divergence_pauses_training_and_waits_for_a_reset(session):
    session.step("both", 2)
    session.gan.generator.parameters()[0].data[0, 0] = float("nan")
    session.running = True
    session.step("both", 12)                   # the GAN checks its numbers at each read-back
    state = session.state()
    assert state["diverged"] is not None and not state["running"]
    assert [h["sign"] for h in state["health"]] == ["non_finite"]
    json.dumps(state, allow_nan=False)
    with pytest.raises(Conflict):
        session.step("both", 1)
    with pytest.raises(Conflict):
        session.play()
    with pytest.raises(Conflict, match="NaN"):
        session.save("bad")
    session.reset()
    assert session.state()["diverged"] is None
    session.step("both", 1)


def test_save_and_load_give_back_the_same_state(session):
    session.configure({"k": 2, "lr_g": 0.002})
    session.step("both", 7)
    session.save("run-1")
    saved = host(session.gan.generator.parameters() + session.gan.discriminator.parameters())
    curves = session.state()["curves"]
    session.configure({"k": 1, "g_depth": 3})
    session.step("both", 4)
    session.load("run-1")
    state = session.state()
    assert (state["iteration"], state["d_steps"], state["g_steps"]) == (7, 14, 7)
    assert state["config"]["k"] == 2 and state["config"]["lr_g"] == 0.002 and state["curves"] == curves
    assert same(host(session.gan.generator.parameters() + session.gan.discriminator.parameters()), saved)
    assert session.saves() == ["run-1"]
    for name, message in [("../etc", "name: expected 1 to 40"), ("nothing", "name: expected the name of a saved")]:
        with pytest.raises(ConfigError, match=message):
            session.load(name)


def test_a_step_of_one_player_alone_can_be_saved_and_loaded(session):
    """After a D step alone the curves have no G loss at that point (NaN in the file): not a diverged state."""
    session.step("d", 1)
    curves = session.state()["curves"]
    session.save("d-only")
    session.step("both", 3)
    session.load("d-only")
    assert session.state()["curves"] == curves and session.state()["d_steps"] == 1


class _History:
    """A stand-in for a GAN with one value per step: d_loss = the step number."""

    def __init__(self):
        self.iteration, self.values = 0, []

    def last(self, key, n):
        return float(np.mean(self.values[-n:]))


def test_the_curves_stay_bounded_and_cover_the_whole_run():
    curves, gan = Curves(), _History()
    for i in range(3 * MAX_POINTS):
        gan.values.append(float(i))
        gan.iteration = i + 1
        curves.record(gan, 1, 1)
    points = curves.points()
    assert MAX_POINTS // 2 <= len(points["iteration"]) < MAX_POINTS
    assert points["iteration"][-1] == 3 * MAX_POINTS and points["iteration"][0] <= 4
    assert (np.diff(points["d_loss"]) > 0).all()


def test_the_trainer_plays_pauses_and_keeps_its_pace(session):
    session.configure({"speed": 20.0})
    session.start().play()
    time.sleep(1.0)
    session.pause()
    done = session.gan.iteration
    assert 8 <= done <= 30
    time.sleep(0.3)
    assert session.gan.iteration == done
