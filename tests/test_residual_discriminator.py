"""The residual discriminator for the DCGAN (StyleGAN2-ADA's ResNet D, sized for 28x28): nn.Residual with a
skip path and a scale, the blocks' layout and gradients, the Settings option and the demo flag."""
import math

import numpy as np
import pytest

import conftest
from minigan import backend, gradcheck, nn
from minigan.experiments import dcgan
from minigan.nn.module import backward_to, is_rowwise
from minigan.training import image_loop


def host(a):
    return backend.to_numpy(a)


def downsampling_block(c=2, c_next=3):
    branch = nn.Sequential(nn.Conv2d(c, c, 3, 1, 1), nn.LeakyReLU(0.2), nn.Conv2d(c, c_next, 3, 2, 1), nn.LeakyReLU(0.2))
    return nn.Residual(branch, skip=nn.Conv2d(c, c_next, 2, 2, bias=False), scale=0.5 ** 0.5)


# -- nn.Residual with a skip path ---------------------------------------------------------------------
def test_a_skip_path_and_a_scale_give_scale_times_the_sum_of_the_two_paths(float64):
    block = downsampling_block()
    x = backend.rng().normal((2, 2, 6, 6))
    y = block(x)
    assert y.shape == (2, 3, 3, 3)
    np.testing.assert_allclose(host(y), (host(block.skip(x)) + host(block.branch(x))) / math.sqrt(2), rtol=1e-12)
    g = backend.rng().normal(y.shape)
    block(x)
    dx = block.backward(g)
    block.skip(x)
    expected = host(block.skip.backward(g / math.sqrt(2)))
    block.branch(x)
    np.testing.assert_allclose(host(dx), expected + host(block.branch.backward(g / math.sqrt(2))), rtol=1e-10,
                               atol=1e-12)


def test_a_downsampling_residual_block_matches_finite_differences(float64):
    backend.seed(7)
    result = gradcheck.check_module(downsampling_block(), backend.rng().normal((2, 2, 6, 6)))
    assert result.max_error < 1e-6, result
    assert {"input", "skip.weight", "branch.layers.0.weight", "branch.layers.2.bias"} <= set(result.errors)


def test_input_grad_false_leaves_the_parameter_gradients_of_both_paths_as_they_were(float64):
    x, g = backend.rng().normal((2, 2, 6, 6)), backend.rng().normal((2, 3, 3, 3))
    full, data_only = downsampling_block(), downsampling_block()
    data_only.load_state_dict(full.state_dict())
    full(x)
    full.backward(g)
    data_only(x)
    assert backward_to(data_only, g, input_grad=False) is None
    for (name, a), (_, b) in zip(full.named_parameters(), data_only.named_parameters()):
        np.testing.assert_allclose(host(b.grad), host(a.grad), rtol=1e-12, err_msg=name)


def test_a_skip_path_of_another_shape_and_a_bad_scale_are_errors_that_name_them():
    with pytest.raises(ValueError, match=r"Residual: the branch must return the skip path's \(Conv2d\) shape "
                                         r"\(1, 3, 3, 3\) to be added to it; Sequential returned \(1, 2, 6, 6\)"):
        nn.Residual(nn.Sequential(), skip=nn.Conv2d(2, 3, 2, 2))(backend.rng().normal((1, 2, 6, 6)))
    with pytest.raises(ValueError, match=r"Residual: scale must be a number > 0; got 0"):
        nn.Residual(nn.Sequential(), scale=0)
    with pytest.raises(TypeError, match=r"Residual: skip must be a Module; got str"):
        nn.Residual(nn.Sequential(), skip="conv")


def test_the_downsampling_block_matches_pytorch(float64):
    torch = pytest.importorskip("torch")
    block = downsampling_block()
    x = backend.rng().normal((2, 2, 6, 6))
    g = backend.rng().normal((2, 3, 3, 3))
    y, dx = host(block(x)), host(block.backward(g))
    w = {name: torch.tensor(host(p.data), dtype=torch.float64) for name, p in block.named_parameters()}
    t = torch.tensor(host(x), requires_grad=True)
    F = torch.nn.functional
    branch = F.leaky_relu(F.conv2d(t, w["branch.layers.0.weight"], w["branch.layers.0.bias"], padding=1), 0.2)
    branch = F.leaky_relu(F.conv2d(branch, w["branch.layers.2.weight"], w["branch.layers.2.bias"], stride=2, padding=1), 0.2)
    out = (F.conv2d(t, w["skip.weight"], stride=2) + branch) / math.sqrt(2)
    out.backward(torch.tensor(host(g)))
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, t.grad.numpy(), rtol=1e-10, atol=1e-12)


# -- the residual D of the DCGAN ------------------------------------------------------------------------
def test_the_residual_discriminator_has_stylegan2s_layout_and_the_plain_ds_6272_features():
    D = dcgan.discriminator(residual=True)
    kinds = [type(m).__name__ for m in D.layers]
    assert kinds == ["Conv2d", "LeakyReLU", "Residual", "Residual", "Flatten", "Linear"]
    assert D.layers[0].kernel_size == (1, 1) and D.layers[0].out_channels == dcgan.FROM_IMAGE_CHANNELS
    assert [b.skip.out_channels for b in D.layers[2:4]] == list(dcgan.D_CHANNELS)
    assert all(b.scale == pytest.approx(1 / math.sqrt(2)) and b.skip.bias is None for b in D.layers[2:4])
    assert D.layers[-1].weight.shape == (6272, 1) and D(backend.rng().normal((3, 1, 28, 28))).shape == (3, 1)
    assert is_rowwise(D)                      # no batch norm: the GAN judges [real; fake] in one pass


def test_a_scaled_down_residual_d_of_g_matches_finite_differences(float64):
    backend.seed(8)
    G = dcgan.generator(noise_dim=3, channels=(3, 2), image_size=8)
    D = nn.Sequential(*dcgan.residual_layers((1, 2, 2, 3)), nn.Flatten(), nn.Linear(3 * 2 * 2, 1))
    chain = nn.Sequential(G, D)
    result = gradcheck.check_module(chain, backend.rng().normal((4, 3)))
    assert result.max_error < 1e-6, result


def test_the_settings_option_builds_a_residual_d_with_the_joint_pass_and_names_bad_values():
    experiment = dcgan.Experiment(dcgan.Settings(conditional=True, discriminator="residual"))
    gan = experiment.build_gan(None)
    assert gan.joint_d_pass is True and isinstance(gan.discriminator.features.layers[2], nn.Residual)
    with pytest.raises(ValueError, match=r"discriminator must be one of plain, residual; got 'resnet'"):
        dcgan.Settings(discriminator="resnet")


def test_the_residual_dcgan_trains_through_the_image_loop(tmp_path):
    images, labels = conftest.synthetic_mnist(16)
    experiment = dcgan.Experiment(dcgan.Settings(epochs=1, batch_size=8, conditional=True, discriminator="residual"))
    summary = image_loop.train(experiment, images, labels, tmp_path, show_progress=False, samples_per_class=1)
    assert summary["settings"]["discriminator"] == "residual" and summary["iterations_per_epoch"] == 2


def test_the_demo_flag_reaches_the_settings():
    args = conftest.load_demo("dcgan_mnist").parse_args(["--discriminator", "residual", "--conditional"])
    assert args.discriminator == "residual"
    with pytest.raises(SystemExit):
        conftest.load_demo("dcgan_mnist").parse_args(["--discriminator", "resnet"])
