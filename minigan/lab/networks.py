"""The lab's GAN, built from minigan's own layers: two MLPs, Adam, Algorithm 1.

Both networks are one flat ``nn.Sequential``, so that "look inside" can walk their layers one by one:

    G: z (m, noise_dim) -> [Linear -> LeakyReLU(0.2)] x g_depth -> Linear -> Rescale(std, mean) -> x (m, dim)
    D: x (m / pack, pack * dim) -> Rescale(1/std, -mean/std) -> [Linear -> LeakyReLU(0.2)] x d_depth
       -> Linear -> logit (m / pack, 1)

The Rescale layers let both networks work on standardised data (the data's mean and std, one
number each), as minigan's toy recipes do. D outputs a logit (``GAN(logits=True)``: the stable,
fused binary cross-entropy).
"""
from __future__ import annotations

from .. import nn, optim
from ..gan import GAN

BETAS = (0.5, 0.999)        #: Adam's betas, as in minigan's toy recipes (DCGAN's choice)


def build_generator(config: dict, data) -> nn.Sequential:
    """G for ``config`` (noise_dim, g_depth, g_width) on ``data`` (dim, mean, std)."""
    sizes = [config["noise_dim"], *[config["g_width"]] * config["g_depth"], data.dim]
    return nn.Sequential(*nn.mlp(sizes).layers, nn.Rescale(data.std, data.mean))


def build_discriminator(config: dict, data) -> nn.Sequential:
    """D for ``config`` (pack, d_depth, d_width) on ``data``: pack samples side by side in, one logit out."""
    sizes = [config["pack"] * data.dim, *[config["d_width"]] * config["d_depth"], 1]
    return nn.Sequential(nn.Rescale(1.0 / data.std, -data.mean / data.std), *nn.mlp(sizes).layers)


def build_gan(config: dict, data) -> GAN:
    """A fresh GAN for ``config`` on ``data``. Seed the backend first for a reproducible start."""
    generator, discriminator = build_generator(config, data), build_discriminator(config, data)
    return GAN(generator, discriminator,
               optim.Adam(generator.parameters(), config["lr_g"], betas=BETAS),
               optim.Adam(discriminator.parameters(), config["lr_d"], betas=BETAS),
               config["noise_dim"], k=config["k"], generator_loss=config["loss"], noise=config["noise"],
               logits=True, pack=config["pack"], log_every=10)


def apply_live(gan: GAN, config: dict) -> None:
    """Set what may change while ``gan`` trains: k, the loss, the prior, both learning rates."""
    gan.k, gan.generator_loss, gan.noise = config["k"], config["loss"], config["noise"]
    gan.d_optimizer.lr, gan.g_optimizer.lr = config["lr_d"], config["lr_g"]
