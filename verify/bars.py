"""Progress bars for the command line: the one implementation of the `Progress` callback
(verify/registry.py) that draws. Library code only calls `progress(stage, done, total)`; the
commands (cli.py and each stage's command.py) wrap their work in `Bars` and pass it down.

    with Bars(err_console, enabled=not quiet) as bars:
        Pipeline(settings, progress=bars).check(doc, corpus)
"""
from __future__ import annotations

from typing import Optional

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn


class Bars:
    """One bar per stage, added on the stage's first call and, when transient, taken away when done
    reaches total (a stage whose total is None pulses until then). Disabled: every call is a no-op."""

    def __init__(self, console: Optional[Console] = None, enabled: bool = True, transient: bool = True):
        self.enabled, self.transient = enabled, transient
        self._bars = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                              console=console or Console(stderr=True, emoji=False), transient=transient, disable=not enabled)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> "Bars":
        self._bars.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bars.stop()

    def __call__(self, stage: str, done: int, total: Optional[int]) -> None:
        if not self.enabled:
            return
        task = self._tasks.get(stage)
        if task is None:
            self._tasks[stage] = self._bars.add_task(stage, total=total, completed=done)
        else:
            self._bars.update(task, completed=done, total=total)
        if self.transient and total is not None and done >= total:
            self._bars.remove_task(self._tasks.pop(stage))

    def print(self, *args, **kwargs) -> None:
        """Print above the bars."""
        self._bars.console.print(*args, **kwargs)
