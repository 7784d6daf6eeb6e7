"""Progress of a run or study: the ``progress`` argument.

A command runs one or more simulations in turn (a comparison: the
baseline, then the alternative); each is a *phase* with a label and a
number of trials. While the command runs, the calling thread wakes every
50 ms and, if a phase has moved on, calls the progress callback with a
:class:`Progress` (on the calling thread, holding the GIL).
"""

from __future__ import annotations

import contextlib
import sys
from typing import Callable, Iterator, NamedTuple, Optional, Union

from ._args import is_bool


class Progress(NamedTuple):
    """Where a command stands: its ``phase``-th simulation (from 1),
    labelled ``label`` (``"baseline"``, ``"sweeping …"``, the scenario's
    name), with ``done`` of its ``total`` trials finished. A phase whose
    update ``done == total`` was not seen is over once the next phase, or
    the call, has begun or returned."""

    phase: int
    label: str
    done: int
    total: int


ProgressArg = Union[None, bool, Callable[[Progress], object]]


class _Bars:
    """One bar per phase: tqdm's (``tqdm.auto``, which draws a widget in
    notebooks) when it is installed, else a line on stderr."""

    def __init__(self) -> None:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped, unused-ignore]
        except ImportError:
            tqdm = None
        self._tqdm = tqdm
        self._bar = None
        self._phase = 0
        self._total = 0
        self._label = ""

    def __call__(self, p: Progress) -> None:
        if p.phase != self._phase:
            self.close()
            self._phase, self._total, self._label = p.phase, p.total, p.label
            if self._tqdm is not None:
                self._bar = self._tqdm(total=p.total, desc=p.label, unit=" trials", unit_scale=True, leave=False)
        if self._bar is not None:
            self._bar.update(p.done - self._bar.n)
        else:
            self._line(p.done)

    def _line(self, done: int) -> None:
        share = 100 * done // self._total if self._total else 100
        sys.stderr.write(f"\r{self._label}: {done:,}/{self._total:,} trials ({share}%)")
        sys.stderr.flush()

    def close(self) -> None:
        """End the current phase's bar (as complete: a phase ends only
        when its trials are done, or when the call raises)."""
        if self._phase == 0:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        else:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


@contextlib.contextmanager
def callback(progress: ProgressArg) -> Iterator[Optional[Callable[[int, str, int, int], object]]]:
    """The native callback for a ``progress`` argument: ``None`` or
    ``False`` (none), ``True`` (bars, cleared when the call ends) or a
    callable given a :class:`Progress`."""
    if is_bool(progress):
        progress = bool(progress)  # NumPy's too
    if progress is None or progress is False:
        yield None
        return
    if progress is True:
        bars = _Bars()
        try:
            yield lambda *p: bars(Progress(*p))
        finally:
            bars.close()
        return
    if not callable(progress):
        raise TypeError(
            f"progress: expected True, False, None or a callable taking a Progress, found {type(progress).__name__}"
        )
    yield lambda *p: progress(Progress(*p))
