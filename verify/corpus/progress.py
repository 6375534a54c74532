"""Rich progress bars for long index builds, silent when not asked for."""
from __future__ import annotations

from typing import Optional


class progress_bar:
    """A transient rich bar when enabled (a pulsing one when `total` is None), otherwise a no-op;
    yields an `advance(n)` callable."""

    def __init__(self, enabled: bool, total: Optional[int], label: str):
        self.enabled, self.total, self.label, self._bar = enabled, total, label, None

    def __enter__(self):
        if not self.enabled:
            return lambda n: None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.start()
        task = self._bar.add_task(self.label, total=self.total)
        return lambda n: self._bar.advance(task, n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
