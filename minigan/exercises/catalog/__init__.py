"""One module per exercise, each defining ``EXERCISE`` (see ``minigan.exercises.core.Exercise``).
``minigan.exercises.registry`` lists them in course order."""
