"""The package's exception (its own module so the native half can raise it)."""

from typing import List, Tuple


class InputError(ValueError):
    """Bad input: an unknown preset, an unreadable file, an invalid document
    or schedule, an option out of range.

    ``message`` is what the ``defines`` CLI prints; ``diagnostics`` lists
    ``(path, message)`` pairs, one per problem found, with the same field
    paths as the CLI (``workload.layers[3].loop_dims.K``). Problems with a
    keyword argument carry that argument's name as their path.
    """

    def __init__(self, message: str, diagnostics: List[Tuple[str, str]] = ()):
        super().__init__(message)
        self.message = message
        self.diagnostics = [tuple(d) for d in diagnostics]

    def __str__(self) -> str:
        return self.message
