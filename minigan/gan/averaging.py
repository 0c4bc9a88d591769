"""An exponential moving average of a network's weights, to draw samples from.

GAN training does not settle at the equilibrium: the two players keep circling around it
(docs/03_algorithm1.md §5), so the generator of any one iteration is a point on that circle. The
average of G's recent weights,

    theta_bar <- decay * theta_bar + (1 - decay) * theta        (after every generator step)

lies nearer the circle's centre (Yazici et al. 2019, "The Unusual Effectiveness of Averaging
in GAN Training"). Training never reads theta_bar: G and D play exactly as before, and only
the samples, the figures and the saved generator come from the averaged copy. With decay
0.999 the average spans about 1 / (1 - decay) = 1,000 generator steps.

Buffers (batch norm's running statistics) are averaged the same way, as PyTorch's
``torch.optim.swa_utils.AveragedModel(use_buffers=True)`` does: the averaged copy runs in
evaluation mode on statistics that moved with the weights it averages.
"""
from __future__ import annotations
from ..checks import check_number

import copy


class ExponentialAverage:
    """A copy of ``module`` whose parameters and buffers follow the module's as an
    exponential moving average with factor ``decay`` in (0, 1).

    ``average`` is the copy (a Module of the same layers, in evaluation mode); ``update()``
    moves it towards the module's current weights; ``updates`` counts the calls.
    The copy starts equal to ``module``.
    """

    def __init__(self, module, decay: float):
        check_number("decay", decay, 0, 1, low_open=True, high_open=True, owner="ExponentialAverage",
                     example="0.999")
        self.module, self.decay = module, float(decay)
        self.average = copy.deepcopy(module).eval()
        # the Parameter objects (their .data is read at each update) and the buffers (updated in place)
        self._parameters = list(zip(self.average.parameters(), module.parameters()))
        self._buffers = [(a, b) for (_, a), (_, b) in zip(self.average.named_buffers(), module.named_buffers())]
        self.updates = 0

    def update(self) -> None:
        """theta_bar = decay * theta_bar + (1 - decay) * theta, for every parameter and buffer, in place."""
        keep, new = self.decay, 1.0 - self.decay
        for averaged, live in self._parameters:
            averaged.data *= keep
            averaged.data += new * live.data
        for averaged, live in self._buffers:
            averaged *= keep
            averaged += new * live
        self.updates += 1

    def state_dict(self) -> dict:
        """Host copies of the averaged weights and buffers, the decay and the number of updates."""
        return {"average": self.average.state_dict(), "decay": self.decay, "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        """Restore what ``state_dict`` saved; the decay must be this average's."""
        if float(state["decay"]) != self.decay:
            raise ValueError(f"ExponentialAverage.load_state_dict: the state was saved with decay "
                             f"{state['decay']}, this average has {self.decay}")
        self.average.load_state_dict(state["average"])
        self.updates = int(state["updates"])

    def __repr__(self):
        return f"ExponentialAverage(decay={self.decay}, updates={self.updates}, on {type(self.module).__name__})"

