"""One exception type for every user-facing failure; the CLI prints its message on one line and
exits with its code (2 = bad input or usage, 1 = verification / CI failure)."""
from __future__ import annotations


class VerifyError(Exception):
    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(VerifyError):
    """Bad article, corpus, claim set, dataset or option: exit 2."""


class ModelError(VerifyError):
    """A model that cannot be loaded or whose labels cannot be mapped: exit 2."""


class PluginError(VerifyError):
    """A registered plugin (verify.registry) that cannot be loaded or does not fit its protocol: exit 2."""


MESSAGE_CHARS = 500  # an error message is one line; hostile input must not make it megabytes long


def clip(text: object, limit: int = 80) -> str:
    """`text` on one line, at most `limit` characters (with an ellipsis): for echoing user input."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"
