"""Bad input gets a clear error, never a wrong number.

A hypothesis-driven sweep of every public layer (``minigan.nn.__all__``), loss and optimizer
with random shapes, dtypes (integer, boolean, float16 included) and argument values: each call
either works (a finite result of the right shape, equal to the reference where there is one)
or raises ValueError/TypeError whose message names the class. Never another exception type,
a NumPy-internal message or a silent NaN.

The sweep is a table: one row per class, saying how to build it from drawn (valid or invalid)
arguments and what input it takes. A new layer gets a new row (``ROWS``).
"""
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigan import backend, losses, nn, optim
from minigan.training import checkpoint
from minigan.data import mnist

DTYPES = ["float32", "float64", "float16", "int64", "int32", "bool", "list"]
sizes = st.integers(0, 4)
counts = st.sampled_from([1, 2, 3, 0, -1, 2.5, True, None])      # constructor integers, some invalid
numbers = st.sampled_from([0.0, 0.2, 0.5, 1.0, 1.5, -0.3, math.nan, math.inf, "0.1"])


def array(draw, shape, dtype=None):
    """A host array of ``shape`` and a drawn dtype (or a plain list), values in [-3, 3]."""
    dtype = dtype or draw(st.sampled_from(DTYPES))
    values = np.random.default_rng(draw(st.integers(0, 2**16))).uniform(-3, 3, shape)
    if dtype == "list":
        return values.tolist()
    return backend.asarray(values.astype(dtype), dtype=dtype)


def valid_count(n):
    return isinstance(n, int) and not isinstance(n, bool) and n > 0


def shape(draw, ndim=2, last=None):
    dims = [draw(st.integers(1, 4))] + [draw(sizes) for _ in range(ndim - 1)]
    if valid_count(last) and draw(st.booleans()):        # often the right width, sometimes not
        dims[-1] = last
    return tuple(dims)


# -- the table: name -> draw -> (build the layer, its inputs, a reference or None, names allowed) --
def elementwise(cls, reference, *args):
    def row(draw):
        x = array(draw, shape(draw, draw(st.integers(1, 4))))
        return (lambda: cls(*args)), (x,), reference, ()
    return row


def leaky_row(draw, cls=nn.LeakyReLU):
    slope = draw(numbers)
    x = array(draw, shape(draw, 2))
    return (lambda: cls(slope)), (x,), (lambda x: np.where(x > 0, x, slope * x)), ()


def linear_row(draw):
    n_in, n_out, bias = draw(counts), draw(counts), draw(st.booleans())
    x = array(draw, shape(draw, draw(st.integers(1, 3)), n_in))

    def build():
        layer = nn.Linear(n_in, n_out, bias=bias)
        build.layer = layer
        return layer

    def reference(x):
        w = backend.to_numpy(build.layer.weight.data)
        b = backend.to_numpy(build.layer.bias.data) if bias else 0
        return x @ w + b
    return build, (x,), reference, ()


def dropout_row(draw):
    p = draw(numbers)
    x = array(draw, shape(draw, 2))

    def build():
        return nn.Dropout(p).eval()          # the identity in evaluation mode: a known answer
    return build, (x,), (lambda x: x), ()


def rescale_row(draw):
    scale, shift = draw(numbers), draw(numbers)
    x = array(draw, shape(draw, 2))
    return (lambda: nn.Rescale(scale, shift)), (x,), (lambda x: x * float(scale) + float(shift)), ()


def labels(draw, n, classes):
    kind = draw(st.sampled_from(["int64", "int32", "float32", "2-D", "out of range"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    c = classes if valid_count(classes) else 3
    values = rng.integers(0, c, n)
    if kind == "float32":
        return backend.asarray(values, dtype="float32")
    if kind == "2-D":
        return backend.asarray(values[:, None], dtype="int64")
    if kind == "out of range":
        values[0] = c + draw(st.integers(0, 3)) if draw(st.booleans()) else -1
    return backend.asarray(values, dtype="int64" if kind != "int32" else "int32")


def embedding_row(draw):
    classes, dim = draw(counts), draw(counts)
    return (lambda: nn.Embedding(classes, dim)), (labels(draw, draw(st.integers(1, 4)), classes),), None, ()


def label_concat_row(draw):
    classes, dim = draw(counts), draw(counts)
    x = array(draw, shape(draw, 2))
    n = x.shape[0] if hasattr(x, "shape") and draw(st.booleans()) else draw(st.integers(1, 4))
    return (lambda: nn.LabelConcat(classes, dim)), (x, labels(draw, n, classes)), None, ("Embedding",)


def conditional_row(draw):
    classes, features = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    x = array(draw, shape(draw, 2, features))
    n = x.shape[0] if hasattr(x, "shape") else 2

    def build():
        return nn.Conditional(classes, 2, nn.Sequential(nn.Linear(features + 2, 3), nn.Tanh()))
    return build, (x, labels(draw, n, classes)), None, ("Embedding", "LabelConcat", "Linear")


def sequential_row(draw):
    width = draw(st.integers(1, 3))
    x = array(draw, shape(draw, 2, width))
    return (lambda: nn.Sequential(nn.Linear(width, 2), nn.LeakyReLU(0.2), nn.Linear(2, 1))), (x,), None, \
        ("Linear", "LeakyReLU")


def minibatch_row(draw):
    n_in, kernels, dim = draw(counts), draw(counts), draw(counts)
    x = array(draw, shape(draw, 2, n_in))
    return (lambda: nn.MinibatchDiscrimination(n_in, kernels, dim)), (x,), None, ()


ROWS = {
    "ReLU": elementwise(nn.ReLU, lambda x: np.maximum(x, 0)),
    "Tanh": elementwise(nn.Tanh, np.tanh),
    "Sigmoid": elementwise(nn.Sigmoid, lambda x: 1 / (1 + np.exp(-x))),
    "LeakyReLU": leaky_row,
    "PlainLeakyReLU": lambda draw: leaky_row(draw, nn.PlainLeakyReLU),
    "Linear": linear_row,
    "Dropout": dropout_row,
    "Rescale": rescale_row,
    "Embedding": embedding_row,
    "LabelConcat": label_concat_row,
    "Conditional": conditional_row,
    "Sequential": sequential_row,
    "MinibatchDiscrimination": minibatch_row,
}


# rows for the layers other helpers add (present only when they exist)
def conv_row(cls):
    def row(draw):
        c_in, c_out, kernel = draw(counts), draw(counts), draw(st.sampled_from([1, 2, 3, 0, (2, 1)]))
        stride, padding = draw(st.sampled_from([1, 2, 0])), draw(st.sampled_from([0, 1, -1]))
        channels = c_in if valid_count(c_in) and draw(st.booleans()) else draw(st.integers(1, 3))
        x = array(draw, (draw(st.integers(1, 2)), channels, draw(st.integers(1, 5)), draw(st.integers(1, 5))))
        return (lambda: cls(c_in, c_out, kernel, stride=stride, padding=padding)), (x,), None, ()
    return row


def batchnorm_row(cls, ndim):
    def row(draw):
        features = draw(counts)
        x = array(draw, shape(draw, ndim if draw(st.booleans()) else draw(st.integers(1, 4))))
        return (lambda: cls(features)), (x,), None, ()
    return row


def flatten_row(draw):
    return (lambda: nn.Flatten()), (array(draw, shape(draw, draw(st.integers(1, 4)))),), \
        (lambda x: x.reshape(x.shape[0], -1)), ()


def unflatten_row(draw):
    dim, size = draw(st.sampled_from([1, -1, 0, 2])), draw(st.sampled_from([(2, 2), (4,), (), (0, 1), (3,)]))
    x = array(draw, shape(draw, 2, 4))
    return (lambda: nn.Unflatten(dim, size)), (x,), None, ()


def maxout_row(draw):
    n_in, units, pieces = draw(counts), draw(counts), draw(counts)
    x = array(draw, shape(draw, 2, n_in))
    return (lambda: nn.Maxout(n_in, units, pieces)), (x,), None, ()


for _name, _row in (("Conv2d", lambda: conv_row(nn.Conv2d)), ("ConvTranspose2d", lambda: conv_row(nn.ConvTranspose2d)),
                    ("BatchNorm1d", lambda: batchnorm_row(nn.BatchNorm1d, 2)),
                    ("BatchNorm2d", lambda: batchnorm_row(nn.BatchNorm2d, 4)),
                    ("PlainConv2d", lambda: conv_row(nn.PlainConv2d)),
                    ("PlainConvTranspose2d", lambda: conv_row(nn.PlainConvTranspose2d)),
                    ("PlainBatchNorm1d", lambda: batchnorm_row(nn.PlainBatchNorm1d, 2)),
                    ("PlainBatchNorm2d", lambda: batchnorm_row(nn.PlainBatchNorm2d, 4)),
                    ("Flatten", lambda: flatten_row), ("Unflatten", lambda: unflatten_row),
                    ("Maxout", lambda: maxout_row)):
    if hasattr(nn, _name):
        ROWS[_name] = _row()


# rows for CycleGAN's layers (issue 27)
def images(draw, channels):
    """Mostly a 4-D (N, C, H, W) array with ``channels`` channels (when valid) or a drawn number; sometimes
    an array of any rank."""
    if not draw(st.booleans()) and draw(st.booleans()):
        return array(draw, shape(draw, draw(st.integers(1, 4))))
    c = channels if valid_count(channels) and draw(st.booleans()) else draw(st.integers(1, 3))
    return array(draw, (draw(st.integers(1, 2)), c, draw(st.integers(1, 5)), draw(st.integers(1, 5))))


def count_or_valid(draw):
    """A drawn constructor integer (``counts``, often invalid) half the time, a valid one otherwise."""
    return draw(counts) if draw(st.booleans()) else draw(st.integers(1, 3))


def instance_norm_row(draw):
    features, affine = count_or_valid(draw), draw(st.booleans())
    x = images(draw, features)

    def reference(x):       # gamma = 1, beta = 0 as initialised: the plain normalisation
        return (x - x.mean(axis=(2, 3), keepdims=True)) / np.sqrt(x.var(axis=(2, 3), keepdims=True) + 1e-5)
    return (lambda: nn.InstanceNorm2d(features, affine=affine)), (x,), reference, ()


def reflection_pad_row(draw):
    padding = draw(st.sampled_from([0, 1, 2, (1, 0, 2, 1), (0, 3, 1, 0), (1, 2), -1, 1.5, None, True]))
    x = images(draw, None)

    def reference(x):
        left, right, top, bottom = (padding,) * 4 if isinstance(padding, int) else padding
        return np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode="reflect")
    return (lambda: nn.ReflectionPad2d(padding)), (x,), reference, ()


def residual_row(draw):
    width = draw(st.integers(1, 3))
    x = array(draw, shape(draw, 2, width))
    return (lambda: nn.Residual(nn.Sequential(nn.Linear(width, width), nn.Tanh()))), (x,), None, ("Linear", "Tanh")


def residual_block_row(draw):
    channels = count_or_valid(draw)
    return (lambda: nn.ResidualBlock(channels)), (images(draw, channels),), None, \
        ("ReflectionPad2d", "Conv2d", "InstanceNorm2d")


for _name, _row in (("InstanceNorm2d", instance_norm_row), ("ReflectionPad2d", reflection_pad_row),
                    ("Residual", residual_row), ("ResidualBlock", residual_block_row)):
    if hasattr(nn, _name):
        ROWS[_name] = _row


# -- the sweep --------------------------------------------------------------------------------
def works_or_names(owner, attempt, allowed=()):
    """Run ``attempt()``; it may only fail with ValueError/TypeError naming ``owner`` (or a part
    in ``allowed``). Returns True when it worked."""
    try:
        attempt()
    except (ValueError, TypeError) as exc:
        message = str(exc)
        assert any(name in message for name in (owner, *allowed)), f"{type(exc).__name__}: {message}"
        return False
    return True


def run_layer(name, build, inputs, reference, draw):
    layer = build()
    y = layer(*inputs)
    y_host = backend.to_numpy(y)
    assert np.isfinite(y_host).all(), f"{name}: non-finite output from finite input"
    if reference is not None:
        expected = reference(backend.to_numpy(inputs[0]).astype(np.float64))
        tol = 1e-2 if y_host.dtype == np.float16 or inputs[0].dtype == np.float16 else 1e-5
        np.testing.assert_allclose(y_host, expected, rtol=tol, atol=tol, err_msg=name)
    wrong = draw(st.booleans())
    grad_shape = tuple(s + 1 for s in y.shape) if wrong else y.shape
    grad = backend.asarray(np.ones(grad_shape), dtype=y.dtype)
    if wrong:
        with pytest.raises(ValueError, match=f"{name}|Linear|Tanh|LeakyReLU|Embedding"):
            layer.backward(grad)
        return
    gx = layer.backward(grad)
    if gx is not None:
        assert tuple(gx.shape) == tuple(inputs[0].shape), name
        assert np.isfinite(backend.to_numpy(gx)).all(), name


@pytest.mark.parametrize("name", sorted(ROWS))
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_every_layer_works_or_raises_an_error_naming_it(name, data):
    build, inputs, reference, allowed = ROWS[name](data.draw)
    works_or_names(name, lambda: run_layer(name, build, inputs, reference, data.draw), allowed)


def test_the_table_covers_every_public_layer():
    layers = {n for n in nn.__all__ if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)}
    assert layers - {"Module"} <= set(ROWS), sorted(layers - {"Module"} - set(ROWS))


# -- losses -----------------------------------------------------------------------------------
@settings(max_examples=40, deadline=None)
@given(data=st.data(), kind=st.sampled_from(["BCELoss", "BCEWithLogitsLoss", "L1Loss", "MSELoss"]))
def test_elementwise_losses_work_or_name_themselves(data, kind):
    draw = data.draw
    shp = shape(draw, 2)
    x, y = array(draw, shp), array(draw, shape(draw, 2) if draw(st.booleans()) else shp)
    loss = getattr(losses, kind)()

    def attempt():
        # read back through the backend, as a training loop does: on CuPy that is when BCELoss's deferred
        # range check raises (float() alone would leave it pending, to fire outside this attempt)
        value = float(backend.to_numpy(loss(x, y)))
        assert math.isfinite(value), f"{kind}: a finite input gave {value}"
        assert loss.backward().shape == x.shape
    worked = works_or_names(kind, attempt)
    if worked and kind == "BCELoss":
        p, t = backend.to_numpy(x), backend.to_numpy(y)    # it worked: these were probabilities
        assert ((0 <= p) & (p <= 1)).all() and ((0 <= t) & (t <= 1)).all()
    elif worked and kind in ("L1Loss", "MSELoss"):          # it worked: the textbook mean
        d = backend.to_numpy(x).astype(np.float64) - backend.to_numpy(y).astype(np.float64)
        expected = np.abs(d).mean() if kind == "L1Loss" else (d * d).mean()
        assert float(loss(x, y)) == pytest.approx(expected, rel=1e-2 if x.dtype == np.float16 else 1e-5)


@pytest.mark.parametrize("p, t, message", [
    ([[1.5]], [[1.0]], "input must hold probabilities in \\[0, 1\\].*got values in \\[1.5, 1.5\\]"),
    ([[-0.1]], [[0.0]], "input must hold probabilities"),
    ([[math.nan]], [[1.0]], "input must hold probabilities.*NaN"),
    ([[0.5]], [[2.0]], "target must hold probabilities"),
])
def test_bce_rejects_what_is_not_a_probability(p, t, message):
    with pytest.raises(ValueError, match=f"BCELoss: {message}"):
        backend.to_numpy(losses.BCELoss()(backend.asarray(p), backend.asarray(t)))   # (a GPU checks at read-back)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_cross_entropy_works_or_names_itself(data):
    draw = data.draw
    x = array(draw, shape(draw, draw(st.integers(1, 3))))
    n = x.shape[0] if hasattr(x, "shape") and x.ndim else 2
    classes = x.shape[-1] if hasattr(x, "shape") and x.ndim and x.shape[-1] else 3
    target = labels(draw, n if draw(st.booleans()) else n + 1, classes)
    loss = losses.CrossEntropyLoss()

    def attempt():
        assert math.isfinite(float(loss(x, target)))
        assert loss.backward().shape == x.shape
    works_or_names("CrossEntropyLoss", attempt, ("labels",))


# -- optimizers ---------------------------------------------------------------------------------
@settings(max_examples=30, deadline=None)
@given(kind=st.sampled_from(["SGD", "Adam", "PlainAdam"]), lr=numbers, extra=numbers, data=st.data())
def test_optimizers_work_or_name_themselves(kind, lr, extra, data):
    layer = nn.Linear(3, 2)
    params = data.draw(st.sampled_from(["parameters", "empty", "arrays"]))
    given_params = {"parameters": layer.parameters(), "empty": [], "arrays": [layer.weight.data]}[params]

    def attempt():
        if kind == "SGD":
            opt = optim.SGD(given_params, lr=lr, momentum=extra)
        else:
            opt = getattr(optim, kind)(given_params, lr=lr, betas=(extra, 0.999))
        layer.weight.grad[...] = 1.0
        opt.step()
        assert np.isfinite(backend.to_numpy(layer.weight.data)).all()
    works_or_names(kind, lambda: attempt(), ("optimizer",))


# -- files: checkpoints and IDX -----------------------------------------------------------------
def test_a_truncated_checkpoint_names_the_file(tmp_path):
    path = checkpoint.save(tmp_path / "ok.npz", {"w": np.ones((50, 50), np.float32), "step": 3})
    cut = tmp_path / "cut.npz"
    cut.write_bytes(path.read_bytes()[:200])
    with pytest.raises(ValueError, match="cut.npz is not a minigan checkpoint, or is truncated or corrupt"):
        checkpoint.load(cut)


@pytest.mark.parametrize("content, message", [
    (b"", "not an .npz"), (b"hello, world", "not an .npz"), (b"\x93NUMPY" + b"\0" * 20, "not an .npz"),
])
def test_a_foreign_file_is_not_a_checkpoint(tmp_path, content, message):
    path = tmp_path / "foreign.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"foreign.npz is not a minigan checkpoint: {message}"):
        checkpoint.load(path)


def test_an_npz_without_minigan_metadata_is_named(tmp_path):
    path = tmp_path / "plain.npz"
    np.savez(path, a=np.zeros(3))
    with pytest.raises(ValueError, match="plain.npz.*no __meta__ entry"):
        checkpoint.load(path)


def test_a_checkpoint_of_another_model_names_the_mismatching_keys(tmp_path):
    from minigan.gan import GAN

    def gan(hidden):
        backend.seed(0)
        G, D = nn.mlp([1, hidden, 1]), nn.mlp([1, hidden, 1], output=nn.Sigmoid())
        return GAN(G, D, optim.Adam(G.parameters()), optim.Adam(D.parameters()), 1)
    small, deeper = gan(4), gan(4)
    deeper.discriminator = nn.mlp([1, 4, 4, 1], output=nn.Sigmoid())
    checkpoint.save(tmp_path / "small.npz", small.state_dict())
    with pytest.raises(KeyError, match="discriminator does not match.*unexpected keys|discriminator does not match.*missing keys"):
        deeper.load_state_dict(checkpoint.load(tmp_path / "small.npz"))
    with pytest.raises(ValueError, match="generator does not match.*'layers.0.weight' has shape \\(1, 8\\)"):
        gan(8).load_state_dict(checkpoint.load(tmp_path / "small.npz"))


def idx_labels(count, values, magic=mnist.LABELS_MAGIC):
    import struct
    return struct.pack(">II", magic, count) + bytes(values)


@pytest.mark.parametrize("content, message", [
    (idx_labels(3, [1, 2]), "truncated: the header announces 3 items"),
    (idx_labels(2, [1, 2, 3]), "longer than its header says"),
    (idx_labels(2, [1, 2], magic=2051), "magic number must be 2049"),
    (idx_labels(2, [1, 12]), "labels must be 0-9"),
    (b"\x00\x00", "shorter than the 8-byte IDX header"),
])
def test_bad_idx_label_files_name_the_file_and_the_fault(tmp_path, content, message):
    path = tmp_path / "labels-idx1-ubyte"
    path.write_bytes(content)
    with pytest.raises(mnist.IDXFormatError, match=f"labels-idx1-ubyte.*{message}"):
        mnist.read_idx_labels(path)


def test_a_truncated_gzip_idx_file_names_the_file(tmp_path):
    import gzip
    path = tmp_path / "t10k-labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_labels(100, [1] * 100))[:30])
    with pytest.raises(mnist.IDXFormatError, match="t10k-labels-idx1-ubyte.gz: gzip data is truncated or corrupt"):
        mnist.read_idx_labels(path)


def test_a_file_named_gz_that_is_not_gzip_is_named(tmp_path):
    path = pathlib.Path(tmp_path) / "x-idx1-ubyte.gz"
    path.write_bytes(idx_labels(1, [1]))
    with pytest.raises(mnist.IDXFormatError, match="named .gz but is not gzip-compressed"):
        mnist.read_idx_labels(path)
