"""Exercise embedding (chapter 2): the gradient of an embedding table, where labels repeat."""
from __future__ import annotations

import numpy

from ... import nn
from .. import support
from ..definition import Case, Exercise, Mistake
from ..messages import Text

STUB = '''

def embedding_backward(labels, grad_output, num_embeddings):
    """The gradient of an embedding table W (num_embeddings, dim), whose forward is y = W[labels]:
    row n of y is row labels[n] of W.

    Given g = grad_output = dL/dy (N, dim), return dL/dW (num_embeddings, dim):

        dL/dW[k] = the sum of g[n] over every n with labels[n] == k     (0 where k is not used)

    Shapes: labels (N,) int64 in [0, num_embeddings), grad_output (N, dim) float64.

    Hint: a label can appear several times in a batch (a conditional GAN's batch of 64 has about six
    of each digit). W[labels] = g, and even W[labels] += g, keep only one of the repeated rows: NumPy
    buffers the indexed addition. np.add.at(W, labels, g) adds every row, and so does a loop over n.
    """
    raise NotImplementedError
'''


def embedding_backward(labels, grad_output, num_embeddings):
    """minigan's answer: Embedding.backward (dL/dW = one_hot^T g) after its forward."""
    table = nn.Embedding(num_embeddings, grad_output.shape[1])
    return support.backward(table, labels, grad_output, parameters=("weight",), input_grad=False)[0]


def differences(labels, grad_output, num_embeddings):
    table = nn.Embedding(num_embeddings, grad_output.shape[1])
    return support.differences(table, labels, grad_output, ("dL/dW",), parameters=("weight",), input_grad=False)


def cases(rng):
    out = []
    for n, k, dim in ((8, 4, 3), (10, 10, 2), (3, 6, 4)):
        out.append(Case({"labels": rng.integers(0, k, n), "grad_output": rng.standard_normal((n, dim)),
                         "num_embeddings": k}))
    out.append(Case({"labels": numpy.array([2, 2, 2, 2, 2]), "grad_output": rng.standard_normal((5, 3)),
                     "num_embeddings": 4},
                    note=Text("every label is 2: row 2 receives the sum of all five rows of grad_output, the other "
                              "rows 0.",
                              "모든 레이블이 2입니다. 2번 행은 grad_output의 다섯 행을 모두 더한 값을 받고, 다른 행은 "
                              "0입니다.")))
    return out


def _overwritten(labels, grad_output, num_embeddings):
    grad = numpy.zeros((num_embeddings, grad_output.shape[1]))
    grad[labels] = grad_output
    return grad


EXERCISE = Exercise(
    name="embedding", chapter=2,
    task=Text("Write embedding_backward(labels, grad_output, num_embeddings): dL/dW when labels repeat.",
              "embedding_backward(labels, grad_output, num_embeddings)를 작성합니다: 레이블이 반복될 때의 dL/dW."),
    stub=STUB, look=Text("minigan/nn/embedding.py, Embedding.backward",
                         "minigan/nn/embedding.py의 Embedding.backward"),
    reference=Text("minigan's Embedding.backward", "minigan의 Embedding.backward"),
    solutions={"embedding_backward": embedding_backward}, outputs={"embedding_backward": ("dL/dW",)},
    cases=cases, differences={"embedding_backward": differences},
    mistakes=(
        Mistake("overwritten", _overwritten,
                Text("Repeated labels were overwritten instead of added: a row used k times must receive the sum of "
                     "its k gradients. W[labels] = g and W[labels] += g both keep only one of them; use "
                     "np.add.at(grad, labels, g) or a loop.",
                     "반복된 레이블의 기울기를 더하지 않고 덮어썼습니다. k번 쓰인 행은 기울기 k개의 합을 받아야 "
                     "합니다. W[labels] = g와 W[labels] += g는 둘 다 하나만 남깁니다. np.add.at(grad, labels, g)나 "
                     "반복문을 쓰세요.")),
        Mistake("per_row", lambda labels, grad_output, num_embeddings: grad_output.copy(),
                Text("dL/dW has the table's shape (num_embeddings, dim): add row n of grad_output into row labels[n].",
                     "dL/dW는 표와 같은 모양 (num_embeddings, dim)입니다. grad_output의 n번째 행을 labels[n]번 행에 "
                     "더하세요.")),
    ),
)
