"""The exercises in course order, by name."""
from __future__ import annotations

from .catalog import (adam_step, algorithm1_iteration, batchnorm_backward, bce, bce_with_logits, conv2d,
                      conv_transpose2d, embedding, frechet_distance, im2col, instance_norm, leaky_relu, linear, maxout,
                      optimal_discriminator, residual_block, sigmoid_tanh, value_function)

#: name -> Exercise, in the order of the course's chapters
EXERCISES = {m.EXERCISE.name: m.EXERCISE for m in (
    optimal_discriminator, value_function,                                              # 1 the GAN game
    leaky_relu, sigmoid_tanh, linear, bce, bce_with_logits, adam_step, embedding,      # 2 backpropagation
    algorithm1_iteration,                                                               # 3 Algorithm 1
    im2col, conv2d, conv_transpose2d, batchnorm_backward,                               # 6 convolutions
    residual_block, instance_norm,                                                      # 8 image translation
    maxout, frechet_distance,                                                           # 9 evaluating GANs
)}
