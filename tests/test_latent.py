"""Latent-space paths and arithmetic: slerp stays on the sphere, attribute vectors find planted directions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, latent


def host(x):
    return backend.to_numpy(x).astype(np.float64)


def random_pair(dim=16, seed=0):
    rng = backend.Random(seed)
    return rng.normal((dim,)), rng.normal((dim,))


@pytest.mark.parametrize("path", [latent.lerp, latent.slerp])
def test_paths_start_at_z0_and_end_at_z1(path):
    z0, z1 = random_pair()
    z = host(path(z0, z1, 7))
    assert z.shape == (7, 16)
    np.testing.assert_allclose(z[0], host(z0), atol=1e-5)
    np.testing.assert_allclose(z[-1], host(z1), atol=1e-5)


def test_lerp_midpoint_is_the_mean():
    z0, z1 = random_pair()
    np.testing.assert_allclose(host(latent.lerp(z0, z1, [0.5]))[0], (host(z0) + host(z1)) / 2, atol=1e-6)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**16), dim=st.integers(2, 64))
def test_slerp_between_unit_vectors_keeps_unit_norm(float64, seed, dim):
    z0, z1 = random_pair(dim, seed)
    z0, z1 = z0 / backend.xp.linalg.norm(z0), z1 / backend.xp.linalg.norm(z1)
    norms = np.linalg.norm(host(latent.slerp(z0, z1, 11)), axis=1)
    np.testing.assert_allclose(norms, 1.0, atol=1e-9)


def test_lerp_between_high_dimensional_normals_passes_inside_the_shell():
    z0, z1 = random_pair(dim=100)
    mid_lerp = np.linalg.norm(host(latent.lerp(z0, z1, [0.5])))
    mid_slerp = np.linalg.norm(host(latent.slerp(z0, z1, [0.5])))
    ends = (np.linalg.norm(host(z0)) + np.linalg.norm(host(z1))) / 2
    assert mid_lerp < 0.8 * ends          # about ends / sqrt(2) for nearly orthogonal z0, z1
    assert mid_slerp > 0.95 * ends


def test_slerp_between_equal_norms_moves_at_constant_angular_speed(float64):
    z0, z1 = random_pair()
    z1 = z1 * (backend.xp.linalg.norm(z0) / backend.xp.linalg.norm(z1))
    z = host(latent.slerp(z0, z1, 9))
    unit = z / np.linalg.norm(z, axis=1, keepdims=True)
    angles = np.arccos(np.clip(np.sum(unit[1:] * unit[:-1], axis=1), -1, 1))
    np.testing.assert_allclose(angles, angles[0], rtol=1e-6)


def test_slerp_of_parallel_vectors_is_lerp_without_nan():
    z0, _ = random_pair()
    z = host(latent.slerp(z0, 2 * z0, 5))
    assert np.isfinite(z).all()
    np.testing.assert_allclose(z, host(latent.lerp(z0, 2 * z0, 5)), rtol=1e-6)


def test_paths_reject_mismatched_vectors():
    with pytest.raises(ValueError, match=r"same length; got \(3,\) and \(4,\)"):
        latent.slerp(backend.xp.ones(3), backend.xp.ones(4), 5)


def test_ink_is_mean_pixel_intensity():
    images = backend.asarray([[0.0, 1.0, 1.0, 0.0], [1.0, 1.0, 1.0, 1.0]])
    np.testing.assert_allclose(host(latent.ink(images)), [0.5, 1.0])


def test_attribute_vector_recovers_a_planted_direction():
    rng = backend.Random(1)
    z = rng.normal((2000, 10))
    u = backend.asarray([0, 0, 3, 0, 0, 0, 4, 0, 0, 0]) / 5
    direction = host(latent.attribute_vector(z, z @ u, fraction=0.2))
    cosine = direction @ host(u) / np.linalg.norm(direction)
    assert cosine > 0.95


def test_attribute_vector_within_groups_ignores_the_group_offset():
    # Coordinate 0 says the group, coordinate 1 the attribute; the score mixes both,
    # dominated by the group (an 8 has more ink than a 1, whatever the stroke).
    rng = backend.Random(2)
    xp = backend.xp
    groups = xp.arange(3000) % 3
    z = rng.normal((3000, 4))
    z[:, 0] += 5 * groups
    scores = 100 * groups + z[:, 1]
    pooled = host(latent.attribute_vector(z, scores))
    within = host(latent.attribute_vector(z, scores, groups=groups))
    assert abs(pooled[0]) > abs(pooled[1])
    assert abs(within[1]) > 5 * abs(within[0])


def test_attribute_vector_rejects_a_group_too_small_for_the_fraction():
    z = backend.Random(0).normal((12, 2))
    groups = backend.asarray([0] * 10 + [1] * 2, dtype=backend.xp.int64)
    with pytest.raises(ValueError, match="a group of 2 samples has no top 20%"):
        latent.attribute_vector(z, z[:, 0], fraction=0.2, groups=groups)


def test_add_attribute_gives_each_z_its_strength_variants_row_major():
    z = backend.asarray([[0.0, 0.0], [10.0, 10.0]])
    out = host(latent.add_attribute(z, backend.asarray([1.0, -1.0]), [-1, 0, 2]))
    np.testing.assert_allclose(out, [[-1, 1], [0, 0], [2, -2], [9, 11], [10, 10], [12, 8]])


def test_latent_helpers_are_backend_clean(strict_backend):
    z0, z1 = random_pair()
    assert latent.slerp(z0, z1, 4).shape == (4, 16)
    z = backend.rng().normal((50, 3))
    groups = backend.xp.arange(50) % 2
    direction = latent.attribute_vector(z, latent.ink(z), groups=groups)
    assert latent.add_attribute(z[:2], direction, [0, 1]).shape == (4, 3)
