"""Exercises the learner writes and minigan checks (issue 25).

Reading a backward pass teaches less than writing one and being told, precisely, what is wrong with
it. Each exercise gives a stub (the function's signature, a docstring with the math and the shapes,
a hint, and ``raise NotImplementedError``); the learner fills it in; the checker runs it against
minigan's own code and says what a teacher would::

    python -m minigan.exercises list                      # one line per exercise: name, chapter, task
    python -m minigan.exercises start linear              # writes minigan_exercises/linear.py
    python -m minigan.exercises check linear              # checks it; add --lang ko for Korean
    python -m minigan.exercises start linear --dir work   # another folder (then check with --dir work)

``start`` never overwrites a file that exists (the learner's work is never lost); ``--force``
replaces it with a fresh stub and keeps the old file as ``NAME.py.bak``. ``check`` exits with 0 when
the answer is right, 1 when it is wrong or not written yet, 2 for a usage error (an unknown
exercise, no such file).

What ``check`` does (``core.check``): it loads the learner's file from its path as a fresh module,
runs every case of the exercise (random shapes from a fixed seed, then the edge cases the exercise
is known for) in float64 on NumPy, and compares each output with minigan's own implementation and,
for gradients, with centred finite differences of minigan's forward (relative error below 1e-6, the
formula of ``minigan.gradcheck.relative_error``, as minigan's own tests). At the first wrong case it
names the output (dL/dx, dL/dW, ...), the input's shapes, the relative errors and the worst entry
(index, expected, got); a wrong type, dtype or shape is named as such; an argument changed in place
is reported; an exception shows only the frames in the learner's file. When the wrong output equals
what a classic mistake computes (the mistake is run on the same input), it gives that mistake's
hint: the mean's 1/N forgotten, a transposed weight gradient, the bias gradient not summed over the
batch, repeated labels in an embedding overwritten, the slope on the wrong side of 0, ...; otherwise
a generic one where it applies (the transpose, the wrong sign, a constant factor, a sum over an axis
left undone).

Solutions: minigan's own code is the answer. Each stub ends its header with where to look after
trying (a path and a name, e.g. ``minigan/nn/linear.py, Linear.backward``) and the chapter of the
course (docs/NN_*.md, docs/ko/NN_*.md) it belongs to; each chapter's Exercises section names its
exercises.

Layout:

| module | what |
| --- | --- |
| __main__.py | the command line: list, start, check |
| definition.py | ``Exercise``, ``Case``, ``Mistake``, ``Fresh``: what an exercise is; the stub it gives |
| core.py | ``check``: the checker every exercise shares (compare.py runs and compares, learner_file.py loads) |
| messages.py | every sentence, in English and Korean (docs/ko/glossary.md's words) |
| support.py | calling minigan's layers with given arrays, their finite differences |
| registry.py | the exercises in course order |
| catalog/ | one module per exercise: its stub, minigan's solution, its cases and its mistakes |

Adding an exercise: write ``catalog/NAME.py`` defining ``EXERCISE = Exercise(...)`` (copy the shape of
``catalog/linear.py``), add it to ``registry.py``; tests/test_exercises.py then checks that minigan's
solution passes and that every planted mistake fails with its hint.
"""
