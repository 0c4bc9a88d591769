"""PacGAN's packing (Lin et al. 2018): D judges `pack` samples at a time, and G's gradient flows back to each."""
import numpy as np
import pytest

from minigan import backend, gan, gradcheck, nn, optim


def packed_gan(pack, hidden=8, logits=True, noise_dim=3):
    """A smooth (Tanh) G: noise -> 2-D samples, and a D reading pack * 2 features."""
    G = nn.Sequential(nn.Linear(noise_dim, hidden), nn.Tanh(), nn.Linear(hidden, 2))
    D = nn.Sequential(nn.Linear(pack * 2, hidden), nn.Tanh(), nn.Linear(hidden, 1))
    return gan.GAN(G, D, optim.SGD(G.parameters(), 0.1), optim.SGD(D.parameters(), 0.1), noise_dim,
                   noise="normal", logits=logits, pack=pack)


class RecordInput(nn.Module):
    """The identity, remembering what it was given (to see what D sees)."""

    rowwise = True

    def forward(self, x):
        self.seen = x.copy()
        return x

    def backward(self, grad_output):
        return grad_output


def test_packing_concatenates_consecutive_samples_along_the_features():
    x = backend.asarray(np.arange(12.0).reshape(6, 2))
    packed = backend.to_numpy(gan.pack_samples(x, 3))
    assert packed.shape == (2, 6)
    np.testing.assert_array_equal(packed[1], [6, 7, 8, 9, 10, 11])     # samples 3, 4, 5 side by side


def test_packing_stacks_the_channels_of_images():
    x = backend.rng().normal((4, 1, 3, 3))
    packed = gan.pack_samples(x, 2)
    assert packed.shape == (2, 2, 3, 3)
    np.testing.assert_array_equal(backend.to_numpy(packed[1, 1]), backend.to_numpy(x[3, 0]))


def test_unpacking_the_gradient_is_the_adjoint_of_packing(float64):
    # <pack(x), g> = <x, unpack(g)> for every x, g: the gradient each sample gets is its own block
    x, g = backend.rng().normal((12, 5)), backend.rng().normal((4, 15))
    left = float((gan.pack_samples(x, 3) * g).sum())
    right = float((x * gan.unpack_gradient(g, 3)).sum())
    assert abs(left - right) < 1e-12


@pytest.mark.parametrize("pack", [2, 3])
def test_generator_gradient_through_the_packed_discriminator_matches_finite_differences(float64, pack):
    """End to end: dL_G/dθ_G from generator_step (D's backward, then unpacking) against central differences."""
    model = packed_gan(pack)
    model.g_optimizer.step = lambda: None           # keep θ_G fixed: we only read the gradient

    def generator_loss():
        backend.seed(7)                             # the same noise z in every evaluation
        return float(model.generator_step(4 * pack))

    generator_loss()
    # read every analytic gradient first: each finite difference reruns the step and rewrites them
    analytic = {name: p.grad.copy() for name, p in model.generator.named_parameters()}
    for name, p in model.generator.named_parameters():
        numeric = gradcheck.numerical_gradient(generator_loss, p.data)
        assert gradcheck.relative_error(analytic[name], numeric) < 1e-6, name


def test_the_discriminator_sees_packed_rows_of_one_kind_only():
    record = RecordInput()
    model = packed_gan(2)
    model.discriminator = nn.Sequential(record, *model.discriminator.layers)
    real = backend.rng().normal((8, 2)) + 100.0      # real samples are far from every fake one
    model.discriminator_step(real)
    seen = backend.to_numpy(record.seen)
    assert seen.shape == (8, 4)                      # [4 packed real rows; 4 packed fake rows]
    assert (seen[:4] > 50).all() and (seen[4:] < 50).all()
    np.testing.assert_array_equal(seen[:4], backend.to_numpy(real).reshape(4, 4))


def test_joint_and_separate_discriminator_passes_give_the_same_packed_gradient(float64):
    grads = []
    for joint in (True, False):
        backend.seed(3)
        model = packed_gan(4)
        model.joint_d_pass = joint
        model.d_optimizer.step = lambda: None
        backend.seed(4)
        model.discriminator_step(backend.rng().normal((16, 2)))
        grads.append([p.grad.copy() for p in model.discriminator.parameters()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(backend.to_numpy(a), backend.to_numpy(b), rtol=1e-12, atol=1e-14)


def test_packing_one_is_the_plain_gan():
    backend.seed(5)
    plain = packed_gan(1)
    assert plain.pack == 1 and gan.pack_samples(backend.xp.ones((3, 2)), 1).shape == (3, 2)


@pytest.mark.parametrize("pack", [0, -2, 2.0, True, "2"])
def test_a_pack_that_is_not_a_positive_integer_is_refused_by_name(pack):
    G, D = nn.Linear(2, 2), nn.Linear(2, 1)
    with pytest.raises(ValueError, match="pack must be a positive integer"):
        gan.GAN(G, D, optim.SGD(G.parameters(), 0.1), optim.SGD(D.parameters(), 0.1), 2, pack=pack)


def test_a_batch_that_is_not_a_multiple_of_pack_is_refused():
    model = packed_gan(3)
    with pytest.raises(ValueError, match="multiple of pack=3"):
        model.discriminator_step(backend.rng().normal((10, 2)))
    with pytest.raises(ValueError, match="multiple of pack=3"):
        model.generator_step(10)


def test_packing_a_conditional_gan_is_refused():
    G, D = nn.Linear(2, 2), nn.Linear(4, 1)
    with pytest.raises(ValueError, match="unconditional"):
        gan.GAN(G, D, optim.SGD(G.parameters(), 0.1), optim.SGD(D.parameters(), 0.1), 2, pack=2, num_classes=3)


def test_a_packed_gan_learns_to_move_its_samples_to_the_data():
    backend.seed(0)
    G = nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 2))
    D = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 1))
    model = gan.GAN(G, D, optim.Adam(G.parameters(), 1e-2, betas=(0.5, 0.999)),
                    optim.Adam(D.parameters(), 1e-2, betas=(0.5, 0.999)), 3, noise="normal", logits=True, pack=2)
    for _ in range(300):
        model.discriminator_step(backend.rng().normal((64, 2)) + 3.0)
        model.generator_step(64)
    mean = backend.to_numpy(model.generate(2000)).mean(axis=0)
    assert np.abs(mean - 3.0).max() < 0.5


# -- PacGAN's protocol in the ring demo (tiny budgets: these test the plumbing, not the results) --

def _ring_demo():
    import pathlib
    import sys
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "demos"))
    import ring_2d
    return ring_2d


def test_the_papers_ring_and_grid_have_their_radius_spacing_and_std():
    from minigan.data import toy
    ring, grid = toy.pacgan_ring(), toy.pacgan_grid()
    assert ring.std == 0.01 and np.allclose(np.linalg.norm(ring.centers, axis=1), 1.0) and ring.num_modes == 8
    assert grid.std == 0.05 and sorted(set(grid.centers[:, 0])) == [-4, -2, 0, 2, 4] and grid.num_modes == 25


def test_mean_and_standard_error_is_the_sample_std_over_root_n():
    from minigan import metrics
    mean, se = metrics.mean_and_standard_error([6, 8, 7, 7])
    assert mean == 7 and abs(se - np.std([6, 8, 7, 7], ddof=1) / 2) < 1e-12
    assert metrics.mean_and_standard_error([3.0]) == (3.0, 0.0)


def test_table_writes_every_model_with_mean_and_standard_error_of_its_trials(tmp_path):
    import json
    result = _ring_demo().main(["--table", "--trials", "2", "--steps", "3", "--out", str(tmp_path), "--quiet"])
    table = json.loads((tmp_path / "table.json").read_text())
    assert list(table["models"]) == ["GAN", "PacGAN2", "PacGAN3", "PacGAN4"] == list(result["models"])
    for entry in table["models"].values():
        assert len(entry["trials"]) == 2
        for key in ("modes_captured", "high_quality", "reverse_kl"):
            values = [t[key] for t in entry["trials"]]
            finite = np.isfinite(values).all()      # 3 steps may leave no high-quality sample: KL = inf
            assert entry[key]["mean"] == pytest.approx(np.mean(values))
            se = np.std(values, ddof=1) / np.sqrt(2) if finite else np.nan
            assert entry[key]["standard_error"] == pytest.approx(se, nan_ok=True)
    assert table["target"]["std"] == 0.01 and (tmp_path / "table.png").exists()
    assert [t["seed"] for t in table["models"]["GAN"]["trials"]] == [0, 1]


def test_table_packs_flag_chooses_the_models(tmp_path, capsys):
    import json
    _ring_demo().main(["--table", "--packs", "2", "--trials", "1", "--steps", "3", "--out", str(tmp_path), "--quiet"])
    table = json.loads((tmp_path / "table.json").read_text())
    assert list(table["models"]) == ["PacGAN2"] and table["settings"]["packs"] == [2]
    with pytest.raises(SystemExit):
        _ring_demo().main(["--packs", "2", "--out", str(tmp_path / "x")])
    assert "--packs chooses the models of --table" in capsys.readouterr().err


def test_the_ring_recipe_is_the_deep_generator_one():
    from minigan.experiments import toy_2d
    r = toy_2d.PACGAN_RING
    assert (r.pack, r.hidden, r.d_hidden, r.steps, r.final_lr_factor) == (2, (128,) * 4, (128, 128), 40000, 0.01)


def test_pack_flag_trains_a_packed_gan_on_the_papers_ring(tmp_path):
    import json
    _ring_demo().main(["--pack", "2", "--steps", "3", "--out", str(tmp_path), "--quiet"])
    assert np.load(tmp_path / "samples.npy").shape == (10_000, 2)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["settings"]["pack"] == 2 and summary["target"]["std"] == 0.01
    assert set(summary["metrics"]["paper_protocol"]) >= {"modes_captured", "high_quality", "reverse_kl"}


def test_a_standardised_2d_gan_works_on_x_over_the_datas_coordinate_scale():
    from minigan.experiments import toy_2d
    from minigan.data import toy
    scale = toy_2d.coordinate_scale(toy.pacgan_grid())
    assert scale == pytest.approx(np.sqrt(8 + 0.05 ** 2))             # coordinates -4..4 in steps of 2
    recipe = toy_2d.Recipe2D(hidden=(8,), pack=2)
    model = toy_2d.build_2d(recipe, 2, scale)
    plain = toy_2d.build_2d(recipe, 2)
    z = backend.rng().normal((6, 2))
    inner = model.generator.layers[0]                                  # G before its Rescale(scale)
    np.testing.assert_allclose(backend.to_numpy(model.generator(z)), scale * backend.to_numpy(inner(z)), rtol=1e-6)
    assert isinstance(model.discriminator.layers[0], nn.Rescale) and not isinstance(plain.discriminator.layers[0], nn.Rescale)
