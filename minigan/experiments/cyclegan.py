"""CycleGAN (Zhu et al. 2017) on two styles of digits, sized for 28x28 on two CPU cores.

Domains (``data.digit_styles``): A = MNIST digits, B = the same digits a pixel bolder, dark on white;
A and B from disjoint halves of the training set. The algorithm is ``gan.cyclegan.CycleGAN``.

Generators G: A -> B and F: B -> A, the paper's ResNet generator scaled down (its c7s1-k, dk, Rk, uk
notation; W = ``g_width``):

    ReflectionPad 3, Conv 7x7 1 -> W/2, InstanceNorm, ReLU                  (c7s1-W/2)   28x28
    Conv 3x3 stride 2 W/2 -> W, InstanceNorm, ReLU                          (dW)         14x14
    ``residual_blocks`` x ResidualBlock(W): pad, conv 3x3, IN, ReLU, pad, conv 3x3, IN, + x   (RW)
    ConvTranspose 3x3 stride 2 (output_padding 1) W -> W/2, InstanceNorm, ReLU   (uW/2)  28x28
    ReflectionPad 3, Conv 7x7 W/2 -> 1, Tanh                                (c7s1-1): an image in [-1, 1]

(the paper's 128x128 generator: one more down- and up-sampling, 64-256 channels, 6 or 9 blocks).
Discriminators D_A, D_B, a PatchGAN (the paper's C64-C128-C256-C512 scaled down; V = ``d_width``):

    Conv 4x4 stride 2 1 -> V/2, LeakyReLU 0.2 (no norm on the first layer)       14x14
    Conv 4x4 stride 2 V/2 -> V, InstanceNorm, LeakyReLU 0.2                        7x7
    Conv 3x3 stride 1 V -> 1                                                        7x7 verdicts

Each of the 7 x 7 verdicts sees an 18 x 18 patch of the image: D says "real B" or not patch by
patch, and the least-squares loss averages the 49 squared errors. Convolutions followed by instance
norm have no bias (it would be cancelled); weights N(0, 0.02), biases 0, as the paper's code.
"""
from __future__ import annotations

import dataclasses

import numpy

from .. import backend, nn
from ..checks import check_number, check_positive_int
from ..data import digit_styles, mnist
from ..data.minibatches import Zipped
from ..gan.cyclegan import CycleGAN
from ..optim import Adam
from ..training import image_sampling
from ..training.image_experiment import ImageExperiment, check_settings, iterations_per_epoch
from .dcgan import dcgan_init

IMAGE_SIDE = 28
LEARNING_RATE, BETAS = 2e-4, (0.5, 0.999)
OUTPUTS = 1000                     #: test digits of each domain saved with their translations


@dataclasses.dataclass
class Settings:
    """Everything that defines a run (``epochs`` may grow on resume; the rest must not change)."""

    epochs: int = 2
    batch_size: int = 16
    seed: int = 0
    lr_d: float = LEARNING_RATE
    lr_g: float = LEARNING_RATE
    beta1: float = BETAS[0]
    cycle_weight: float = 10.0     # lambda; 0 = no cycle loss (and so no identity loss: --no-cycle)
    identity_weight: float = 0.0   # lambda_idt / lambda: 0 here, 0.5 in the paper's code (these two domains' colours
                                   # differ, and 0.5 blocks the translation; docs/08_image_translation.md §5-6)
    g_width: int = 16              # W: channels of G's residual blocks (even: the outer layers have W/2)
    residual_blocks: int = 2
    d_width: int = 32              # V: channels of D's second convolution
    limit: int | None = None       # train on the first `limit` training images only (half per domain)

    def __post_init__(self):
        check_settings(self, positive_ints=("epochs", "batch_size", "g_width", "residual_blocks", "d_width"))
        owner = "cyclegan.Settings"
        for name in ("cycle_weight", "identity_weight"):
            check_number(name, getattr(self, name), 0, owner=owner)
        check_number("beta1", self.beta1, 0, 1, high_open=True, owner=owner)
        if self.g_width % 2:
            raise ValueError(f"{owner}: g_width must be even (G's outer layers have g_width / 2 channels); "
                             f"got {self.g_width}")


def resnet_generator(width: int = 16, blocks: int = 2) -> nn.Module:
    """G or F: images (m, 1, 28, 28) in [-1, 1] -> (m, 1, 28, 28) in [-1, 1] (module docstring)."""
    half = width // 2
    return dcgan_init(nn.Sequential(
        nn.ReflectionPad2d(3), nn.Conv2d(1, half, 7, bias=False), nn.InstanceNorm2d(half), nn.ReLU(),
        nn.Conv2d(half, width, 3, stride=2, padding=1, bias=False), nn.InstanceNorm2d(width), nn.ReLU(),
        *[nn.ResidualBlock(width) for _ in range(blocks)],
        nn.ConvTranspose2d(width, half, 3, stride=2, padding=1, output_padding=1, bias=False),
        nn.InstanceNorm2d(half), nn.ReLU(),
        nn.ReflectionPad2d(3), nn.Conv2d(half, 1, 7), nn.Tanh(),
    ))


def patch_discriminator(width: int = 32) -> nn.Module:
    """D_A or D_B: images (m, 1, 28, 28) -> verdicts (m, 1, 7, 7), one per 18x18 patch (module docstring)."""
    half = width // 2 or 1
    return dcgan_init(nn.Sequential(
        nn.Conv2d(1, half, 4, stride=2, padding=1), nn.LeakyReLU(0.2),
        nn.Conv2d(half, width, 4, stride=2, padding=1, bias=False), nn.InstanceNorm2d(width), nn.LeakyReLU(0.2),
        nn.Conv2d(width, 1, 3, stride=1, padding=1),
    ))


class Experiment(ImageExperiment):
    """CycleGAN between digit styles A and B for ``image_loop.train``. ``test_digits``: (a, b, labels), the first
    ``test_images`` test digits in both styles (``digit_styles.test_domains``), set by :meth:`training_data`:
    the fixed digits of the figures and the data of the final measurements."""

    name = "cyclegan"
    Settings = Settings
    conditional = False
    output = "tanh"
    image_shape = (1, IMAGE_SIDE, IMAGE_SIDE)
    test_digits = None

    def __init__(self, settings=None, test_images: int = 10000):
        super().__init__(settings)
        self.test_images = check_positive_int("test_images", test_images, "cyclegan.Experiment")

    def training_data(self, folder):
        """The training images as ``ImageExperiment.training_data`` gives them (split into the two domains by
        :meth:`minibatches`); also loads the first ``test_images`` test digits into ``test_digits``."""
        images, labels = mnist.load_mnist(folder, "test")
        self.test_digits = digit_styles.test_domains(images[:self.test_images], labels[:self.test_images])
        return super().training_data(folder)

    def require_test_digits(self):
        if self.test_digits is None:
            raise ValueError("cyclegan.Experiment: test_digits are not set: call training_data(folder) first, or set "
                             "them to digit_styles.test_domains(images, labels)")
        return self.test_digits

    def build_generator(self):
        return resnet_generator(self.settings.g_width, self.settings.residual_blocks)

    def build_gan(self, images) -> CycleGAN:
        """Seed the backend; G, F, D_A, D_B; Adam (2e-4, (0.5, 0.999)) over G and F, another over D_A and D_B."""
        s = self.settings
        backend.seed(s.seed)
        G, F = self.build_generator(), self.build_generator()
        D_A, D_B = patch_discriminator(s.d_width), patch_discriminator(s.d_width)
        betas = (s.beta1, BETAS[1])
        return CycleGAN(G, F, D_A, D_B, Adam(G.parameters() + F.parameters(), lr=s.lr_g, betas=betas),
                        Adam(D_A.parameters() + D_B.parameters(), lr=s.lr_d, betas=betas),
                        cycle_weight=s.cycle_weight, identity_weight=s.identity_weight)

    def minibatches(self, images, labels):
        """Unpaired batches (a, b): A from the first half of the images, B the style of the second
        (``digit_styles.unpaired_domains``), each shuffled by its own seeded order."""
        a, _, b, _ = digit_styles.unpaired_domains(images, labels)
        s = self.settings
        return Zipped(a=mnist.Minibatches(self.model_inputs(a), None, s.batch_size, seed=s.seed),
                      b=mnist.Minibatches(self.model_inputs(b), None, s.batch_size, seed=s.seed + 1))

    def iterations_per_epoch(self, n: int) -> int:
        """An epoch shows G each image of its domain once: (n // 2) // batch_size iterations."""
        return iterations_per_epoch(n // 2, self.settings.batch_size, 1)

    def progress_means(self, gan, iterations: int) -> dict:
        return {"d_loss": gan.last("d_loss", iterations), "g_adv": gan.last("g_adv", iterations),
                "D(real)": gan.last("d_real", iterations), "D(translated)": gan.last("d_fake", iterations),
                "cycle": gan.last("cycle", iterations), "identity": gan.last("identity", iterations)}

    def epoch_figures(self, out, seed: int = 0, gif: bool = False):
        from ..demo_tools.translation_plots import TranslationFigures
        return TranslationFigures(out, self, seed=seed, gif=gif)

    def translate(self, gan: CycleGAN, images, to: str) -> numpy.ndarray:
        """Host images (N, 784) in [0, 1] through G (``to="B"``) or F (``to="A"``): host (N, 784) in [0, 1]."""
        moved = gan.translate(backend.asarray(self.model_inputs(images)), to)
        return numpy.clip(backend.to_numpy(image_sampling.to_unit_range(moved)).astype(numpy.float32), 0, 1)

    def final_outputs(self, gan, out, images, labels, samples_per_class=1000, classifier=None):
        """a.npy, g_of_a.npy, a_labels.npy, b.npy, f_of_b.npy, b_labels.npy (the first 1,000 test digits of each
        domain and their translations, (1000, 784) float32 in [0, 1]) and the measurements on all test digits
        (``metrics.translation.measure_translation``): ``classifier`` (the MNIST classifier) reads G(a) after
        ``digit_styles.undo_style`` (back to A's colours and stroke width); the domain classifier is trained here on the training halves."""
        from ..metrics import translation
        a, b, test_labels = self.require_test_digits()
        test = {"a": a, "b": b, "labels": test_labels, "g_of_a": self.translate(gan, a, "B"),
                "f_of_b": self.translate(gan, b, "A")}
        test["f_of_g_of_a"], test["g_of_f_of_b"] = self.translate(gan, test["g_of_a"], "A"), \
            self.translate(gan, test["f_of_b"], "B")
        files = {}
        for name, key in (("a", "a"), ("g_of_a", "g_of_a"), ("a_labels", "labels"), ("b", "b"),
                          ("f_of_b", "f_of_b"), ("b_labels", "labels")):
            numpy.save(out / f"{name}.npy", test[key][:OUTPUTS])
            files[name] = f"{name}.npy"
        train_a, _, train_b, _ = digit_styles.unpaired_domains(images, labels)
        domains = translation.train_domain_classifier(train_a, train_b, seed=self.settings.seed)
        measured = translation.measure_translation(test, classifier, domains, read_b=digit_styles.undo_style)
        notes = {"content": "G(a) is read by the MNIST classifier after digit_styles.undo_style (1 - x, strokes "
                            "eroded by a 3x3 minimum filter)" if classifier is not None else
                            "no MNIST classifier cached: run demos/evaluate_mnist.py --classifier-only first",
                 "style": "domain classifier: MLP 784-32-2 trained 1 epoch on the training halves A and B"}
        return files, None, {"measurements": measured, "measurement_notes": notes}
