"""Exercise algorithm1_iteration (chapter 3): one iteration of Algorithm 1 (k steps of D, one of G) with
minigan's layers, loss and optimizers, compared with what minigan's ``GAN.train_step`` does to the
same seeded networks."""
from __future__ import annotations

from functools import partial

from ... import backend, nn, optim
from ...gan import GAN, draw_noise
from ...losses import BCELoss
from ..definition import Case, Exercise, Fresh, Mistake
from ..messages import Text

STUB = '''from minigan.losses import BCELoss


def algorithm1_iteration(generator, discriminator, g_optimizer, d_optimizer, real_batches, sample_noise, k,
                         generator_loss):
    """One iteration of Algorithm 1 (Goodfellow et al. 2014), with minigan's modules:

        for k steps:                                   # the discriminator's steps
            x = next(real_batches)                     #   m real samples, shape (m, 1)
            z = sample_noise(m)                        #   fresh noise, shape (m, noise_dim)
            descend (BCE(D(x), 1) + BCE(D(G(z)), 0)) / 2 with respect to D's parameters (G fixed)
        z = sample_noise(m)                            # the generator's step, on fresh noise
        "non-saturating": descend  BCE(D(G(z)), 1) = -mean(log D(G(z)))
        "minimax":        descend -BCE(D(G(z)), 0) =  mean(log(1 - D(G(z))))
        with respect to G's parameters only.

    generator, discriminator: minigan modules (forward(x) returns the output, backward(dL/dy) returns
    dL/dx and adds each parameter's gradient into its .grad). D ends with a Sigmoid: its outputs are
    probabilities, shape (m, 1). g_optimizer, d_optimizer: minigan optimizers over G's and D's
    parameters (zero_grad() clears the gradients, step() applies them). real_batches: an iterator of
    real batches; sample_noise(m): the noise for m samples (call it exactly when the algorithm draws
    z, in that order: the checker compares with minigan's GAN on the same random stream).
    k: the number of D steps; generator_loss: "non-saturating" or "minimax". Return nothing: the
    optimizers update the networks in place.

    Hint: loss = BCELoss(); loss.forward(p, targets) returns the mean BCE; loss.backward() then returns
    dL/dp. D's loss is the mean of two BCEs: backpropagate 0.5 * loss.backward() of each. G's gradient
    reaches G through D: generator.backward(discriminator.backward(dL/dD(G(z)))); D's parameters collect
    gradients on the way, so clear D's before its next step. Call forward right before each backward:
    a module's backward uses what its last forward cached.
    """
    raise NotImplementedError
'''

NOISE_DIM = 2


def algorithm1_iteration(generator, discriminator, g_optimizer, d_optimizer, real_batches, sample_noise, k,
                         generator_loss):
    """minigan's answer: GAN.train_step, which draws the same noise as ``sample_noise`` from the backend."""
    gan = GAN(generator, discriminator, g_optimizer, d_optimizer, NOISE_DIM, k=k, generator_loss=generator_loss)
    gan.train_step(real_batches)


def _noise(m):
    return draw_noise(backend.rng(), "uniform", (m, NOISE_DIM))


def _networks():
    """G and D as a previous iteration leaves them: every .grad holds that iteration's (stale) gradient."""
    networks = nn.mlp([NOISE_DIM, 8, 1]), nn.mlp([1, 8, 1], output=nn.Sigmoid())
    for p in networks[0].parameters() + networks[1].parameters():
        p.grad = 0.5 + 0 * p.data
    return networks


def _optimizer(name, kind, lr):
    if kind == "adam":
        return Fresh(lambda built: optim.Adam(built[name].parameters(), lr=lr, betas=(0.5, 0.999)),
                     f"Adam(lr={lr}, betas=(0.5, 0.999))")
    return Fresh(lambda built: optim.SGD(built[name].parameters(), lr=lr), f"SGD(lr={lr})")


def cases(rng):
    generator, discriminator = _networks()
    names = tuple(f"Δ generator.{n}" for n, _ in generator.named_parameters()) + tuple(
        f"Δ discriminator.{n}" for n, _ in discriminator.named_parameters())      # what the iteration moved
    out = []
    for seed, (k, m, loss, kind) in enumerate(((1, 8, "non-saturating", "sgd"), (2, 6, "minimax", "sgd"),
                                               (3, 4, "non-saturating", "sgd"), (2, 5, "non-saturating", "adam"))):
        batches = [rng.normal(4.0, 1.25, (m, 1)) for _ in range(k)]
        args = {
            "generator": Fresh(lambda built: _networks()[0], f"mlp([{NOISE_DIM}, 8, 1])"),
            "discriminator": Fresh(lambda built: _networks()[1], "mlp([1, 8, 1], output=Sigmoid())"),
            "g_optimizer": _optimizer("generator", kind, 0.05 if kind == "sgd" else 2e-4),
            "d_optimizer": _optimizer("discriminator", kind, 0.1 if kind == "sgd" else 2e-4),
            "real_batches": Fresh(lambda built, batches=batches: iter([b.copy() for b in batches]),
                                  f"{k} x ({m}, 1) ~ N(4, 1.25^2)"),
            "sample_noise": Fresh(lambda built: _noise, f"z ~ U(-1, 1), (m, {NOISE_DIM})"),
            "k": k, "generator_loss": loss,
        }
        out.append(Case(args, outputs=names, seed=seed))
    return out


def driver(case, call, args):
    """Run the iteration; its outputs are how much it moved each parameter of G, then of D."""
    parameters = args["generator"].parameters() + args["discriminator"].parameters()
    before = [p.data.copy() for p in parameters]
    call(case.function, **args)
    return tuple(p.data - b for p, b in zip(parameters, before))


def iteration(generator, discriminator, g_optimizer, d_optimizer, real_batches, sample_noise, k, generator_loss, *,
              d_steps=None, zero_d=True, zero_g=True, swap=False, fresh_noise=True):
    """Algorithm 1 as a learner writes it (two passes through D), with a switch for each classic mistake."""
    bce = BCELoss()
    for _ in range(k if d_steps is None else d_steps):
        real = next(real_batches)
        m = real.shape[0]
        z = sample_noise(m)
        fake = generator.forward(z)
        if zero_d:
            d_optimizer.zero_grad()
        for batch, target in ((real, 1.0), (fake, 0.0)):
            d_out = discriminator.forward(batch)
            bce.forward(d_out, d_out * 0 + target)
            discriminator.backward(0.5 * bce.backward())
        d_optimizer.step()
    if fresh_noise:
        z = sample_noise(m)
    d_fake = discriminator.forward(generator.forward(z))
    if zero_g:
        g_optimizer.zero_grad()
    if (generator_loss == "non-saturating") != swap:
        bce.forward(d_fake, d_fake * 0 + 1)
        grad = bce.backward()
    else:
        bce.forward(d_fake, d_fake * 0)
        grad = -bce.backward()
    generator.backward(discriminator.backward(grad))
    g_optimizer.step()


EXERCISE = Exercise(
    name="algorithm1_iteration", chapter=3,
    task=Text("Write algorithm1_iteration(...): one iteration of Algorithm 1, k steps of D and one of G, with "
              "minigan's modules.",
              "algorithm1_iteration(...)를 작성합니다: minigan의 모듈로 Algorithm 1의 반복 한 번 (판별자 k단계, "
              "생성자 1단계)."),
    stub=STUB, look=Text("minigan/gan/algorithm1.py, GAN.train_step, GAN.discriminator_step and GAN.generator_step",
                         "minigan/gan/algorithm1.py의 GAN.train_step, GAN.discriminator_step, GAN.generator_step"),
    reference=Text("minigan's GAN.train_step on the same seeded networks", "같은 시드의 신경망에 돌린 minigan의 GAN.train_step"),
    solutions={"algorithm1_iteration": algorithm1_iteration}, outputs={"algorithm1_iteration": ()},
    cases=cases, driver=driver,
    mistakes=(
        Mistake("one_d_step", partial(iteration, d_steps=1),
                Text("Algorithm 1 takes k discriminator steps, each on the next real batch and fresh noise, before "
                     "the generator's one step: loop k times.",
                     "Algorithm 1은 생성자의 한 단계 전에 판별자 단계를 k번 밟고, 단계마다 다음 진짜 배치와 새 노이즈를 "
                     "씁니다. k번 반복하세요.")),
        Mistake("no_zero_grad", partial(iteration, zero_d=False),
                Text("Call d_optimizer.zero_grad() before each discriminator step: backward adds into .grad, so "
                     "without it every step also applies the gradients of the steps before it.",
                     "판별자 단계마다 그 전에 d_optimizer.zero_grad()를 부르세요. backward는 .grad에 더하므로, 부르지 "
                     "않으면 단계마다 앞선 단계의 기울기까지 적용됩니다.")),
        Mistake("no_g_zero_grad", partial(iteration, zero_g=False),
                Text("Call g_optimizer.zero_grad() before the generator's step: G's .grad still holds the gradient "
                     "of the previous iteration, and backward adds into it.",
                     "생성자 단계 전에 g_optimizer.zero_grad()를 부르세요. G의 .grad에는 앞선 반복의 기울기가 아직 "
                     "남아 있고, backward는 거기에 더합니다.")),
        Mistake("swapped_loss", partial(iteration, swap=True),
                Text("The generator's two losses are swapped: non-saturating descends BCE(D(G(z)), 1) = "
                     "-mean(log D(G(z))); minimax descends -BCE(D(G(z)), 0) = mean(log(1 - D(G(z)))).",
                     "생성자의 두 손실을 서로 바꿔 썼습니다. 비포화 손실은 BCE(D(G(z)), 1) = -mean(log D(G(z)))를, 미니맥스 "
                     "손실은 -BCE(D(G(z)), 0) = mean(log(1 - D(G(z))))를 줄입니다.")),
        Mistake("same_noise", partial(iteration, fresh_noise=False),
                Text("The generator's step draws fresh noise: call sample_noise(m) again instead of reusing the last "
                     "discriminator step's z.",
                     "생성자 단계는 새 노이즈를 뽑습니다. 마지막 판별자 단계의 z를 다시 쓰지 말고 sample_noise(m)을 "
                     "다시 부르세요.")),
    ),
)
