"""Monte Carlo supply-shortfall risk for critical minerals, from Python.

The engine is the supplyrisk Rust library, called in process (no
subprocess, nothing written to disk); results come back as pandas
DataFrames and are bit for bit those of the command line::

    import supplyrisk
    s = supplyrisk.load("scenarios/us-2026-baseline.toml")
    r = s.run(trials=20_000, seed=1)
    r.summary          # one row per mineral: every metric and its standard error
    r.years            # one row per mineral and year
    r.to_json()        # the command line's summary.json, byte for byte

The full reference is docs/python.md in the repository.
"""

from __future__ import annotations

import collections.abc
import os
import warnings
from typing import Iterable, Mapping, Optional, SupportsIndex, Tuple, Union, overload

from . import _args, _native, _progress
from ._native import ScenarioError, SupplyriskError
from ._progress import Progress, ProgressArg
from ._result import PartialResult, Result
from ._studies import by_year, compare, sensitivity, sweep, uncertainty

__all__ = [
    "PROGRAM",
    "PartialResult",
    "Progress",
    "Result",
    "Scenario",
    "ScenarioError",
    "SupplyriskError",
    "SupplyriskWarning",
    "by_year",
    "compare",
    "load",
    "loads",
    "merge",
    "sensitivity",
    "sweep",
    "uncertainty",
]

__version__ = _native.__version__
#: The program and version written into partial results and provenance lines.
PROGRAM = _native.PROGRAM

PathOrText = Union[str, "os.PathLike[str]"]
Flag = _args.Flag


class SupplyriskWarning(UserWarning):
    """A warning the command line prints on stderr: about the scenario
    (sources that cannot meet demand even undisrupted, an event that
    affects no source) or the run (too few trials for stable
    percentiles)."""


class Scenario:
    """A validated scenario and the TOML text it came from.

    Make one with :func:`load` or :func:`loads`. Scenarios are immutable:
    :meth:`with_values` returns a new one. They pickle as their text.
    """

    __slots__ = ("_native",)

    def __init__(self, native: "_native.Scenario"):
        self._native = native

    # What the scenario holds.
    @property
    def name(self) -> str:
        """The scenario's display name (``[scenario] name``)."""
        return self._native.name

    @property
    def description(self) -> Optional[str]:
        """Its description, if the file gives one."""
        return self._native.description

    @property
    def file(self) -> str:
        """The file (or label) that messages and provenance lines name."""
        return self._native.file

    @property
    def text(self) -> str:
        """The TOML text."""
        return self._native.text

    @property
    def start_year(self) -> int:
        """First calendar year."""
        return self._native.start_year

    @property
    def years(self) -> int:
        """Years simulated."""
        return self._native.years

    @property
    def trials(self) -> Optional[int]:
        """Trials the file asks for (``[scenario] trials``), if any."""
        return self._native.trials

    @property
    def seed(self) -> Optional[int]:
        """Seed the file gives (``[scenario] seed``), if any."""
        return self._native.seed

    @property
    def minerals(self) -> list:
        """Mineral ids, in file order."""
        return self._native.minerals

    @property
    def sources(self) -> list:
        """Source ids, in file order."""
        return self._native.sources

    @property
    def events(self) -> list:
        """Event ids, in file order."""
        return self._native.events

    def with_values(self, values: Mapping[str, float]) -> "Scenario":
        """The scenario with parameters changed, validated like a file.

        ``values`` maps addresses ``KIND.ID.KEY`` (the syntax of ``sweep
        --param`` and ``[[uncertain]]``, for example
        ``"event.cn-export-controls.rate"``) to numbers, applied in order.
        Raises :class:`ScenarioError` for an unknown entity or a value the
        scenario rules refuse, and ``TypeError`` for ``values`` that is not
        a mapping. No values give the scenario unchanged.
        """
        if not isinstance(values, collections.abc.Mapping):
            raise TypeError(
                "values: expected a mapping of KIND.ID.KEY addresses to numbers, "
                f"found {type(values).__name__}"
            )
        if not values:
            return self
        pairs = [(_args.text("values", k), _args.number(f"values[{k!r}]", v)) for k, v in values.items()]
        return Scenario(self._native.with_values(pairs))

    @overload
    def run(
        self,
        trials: Optional[SupportsIndex] = None,
        seed: Optional[SupportsIndex] = None,
        threads: Optional[SupportsIndex] = None,
        shard: None = None,
        max_memory: Optional[float] = None,
        per_trial: Flag = False,
        progress: ProgressArg = None,
    ) -> Result: ...

    @overload
    def run(
        self,
        trials: Optional[SupportsIndex] = None,
        seed: Optional[SupportsIndex] = None,
        threads: Optional[SupportsIndex] = None,
        *,
        shard: Tuple[SupportsIndex, SupportsIndex],
        max_memory: Optional[float] = None,
        per_trial: Flag = False,
        progress: ProgressArg = None,
    ) -> PartialResult: ...

    @overload
    def run(
        self,
        trials: Optional[SupportsIndex],
        seed: Optional[SupportsIndex],
        threads: Optional[SupportsIndex],
        shard: Tuple[SupportsIndex, SupportsIndex],
        max_memory: Optional[float] = None,
        per_trial: Flag = False,
        progress: ProgressArg = None,
    ) -> PartialResult: ...

    def run(
        self,
        trials: Optional[SupportsIndex] = None,
        seed: Optional[SupportsIndex] = None,
        threads: Optional[SupportsIndex] = None,
        shard: Optional[Tuple[SupportsIndex, SupportsIndex]] = None,
        max_memory: Optional[float] = None,
        per_trial: Flag = False,
        progress: ProgressArg = None,
    ) -> Union[Result, PartialResult]:
        """Simulate the scenario, releasing the GIL while it runs.

        ``trials`` and ``seed`` default to the scenario's, then to 100000
        and 0, as on the command line; ``threads`` defaults to all cores
        (results never depend on it). With ``shard=(k, n)`` only the k-th
        of n slices of the trials runs and a :class:`PartialResult` comes
        back; :func:`merge` turns all n into the :class:`Result` of the
        whole run. ``max_memory`` (GiB) is the command line's
        ``--max-memory``. With ``per_trial``, the result keeps every
        trial's horizon total unserved amount (:attr:`Result.per_trial`,
        the command line's ``--per-trial`` file): the run keeps 10 bytes
        per trial and mineral (twice that at its peak), and the DataFrame
        takes 8 more on first use. ``progress=True`` shows a progress bar (tqdm's,
        if installed, else a line on stderr); a callable is called with a
        :class:`Progress` as the run moves on. What the command line warns
        about on stderr is
        raised as a :class:`SupplyriskWarning`. Ctrl-C (or a notebook's
        interrupt) stops the run within a moment and raises
        ``KeyboardInterrupt``.
        """
        trials, seed, threads = (
            _args.whole("trials", trials),
            _args.whole("seed", seed),
            _args.whole("threads", threads),
        )
        keep = _args.flag("per_trial", per_trial)
        if max_memory is not None:
            max_memory = _args.number("max_memory", max_memory)
        if shard is not None:
            k, n = _args.pair("shard", shard, "(k, n)")
            if keep:
                raise _native.argument_error(
                    "per_trial",
                    "expected False for a shard, which keeps no per-trial results (give per_trial=True to the whole run), found True",
                )
            with _progress.callback(progress) as cb:
                data = self._native.run_shard(
                    k, n, trials=trials, seed=seed, threads=threads, max_memory=max_memory, progress=cb
                )
            return PartialResult(data)
        with _progress.callback(progress) as cb:
            native = self._native.run(
                trials=trials, seed=seed, threads=threads, max_memory=max_memory, per_trial=keep, progress=cb
            )
        for message in native.warnings:
            warnings.warn(message, SupplyriskWarning, stacklevel=2)
        return Result(native)

    def __reduce__(self):
        return (_from_text, (self.text, self.file))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Scenario) and (self.text, self.file) == (other.text, other.file)

    def __hash__(self) -> int:
        return hash((self.text, self.file))

    def __repr__(self) -> str:
        return (
            f"<Scenario {self.name!r} from {self.file!r}: {self.start_year}"
            f"\u2013{self.start_year + self.years - 1}, minerals {', '.join(self.minerals)}>"
        )


def _from_text(text: str, file: str) -> Scenario:
    return Scenario(_native.Scenario.from_text(text, file))


def loads(text: str, name: str = "<string>") -> Scenario:
    """A scenario from TOML text; ``name`` labels it in error messages and
    in the provenance line of charts (use a file name such as
    ``"mine.toml"`` to match a run of that file)."""
    return _from_text(text, name)


def load(path_or_text: PathOrText, name: Optional[str] = None) -> Scenario:
    """A scenario from a file, or from TOML text.

    A ``str`` holding a newline is TOML text (labelled ``name``, default
    ``"<string>"``); any other ``str`` or path-like is a file (labelled as
    given, as the command line does). Bad input raises
    :class:`ScenarioError`, whose text is the command line's error text
    (``file:line:column: key: message``), with flags named as the
    arguments of the call.
    """
    if isinstance(path_or_text, str) and "\n" in path_or_text:
        return loads(path_or_text, name or "<string>")
    path = os.fspath(path_or_text)
    return Scenario(_native.Scenario.from_path(path, name or None))


def merge(
    partials: Union[
        Iterable[Union[PartialResult, bytes, "os.PathLike[str]", str]],
        PartialResult,
        bytes,
        "os.PathLike[str]",
        str,
    ],
    threads: Optional[SupportsIndex] = None,
) -> Result:
    """The :class:`Result` of a whole run from the partial results of every
    one of its slices, in any order: :class:`PartialResult` objects, their
    bytes, ``.srpart`` files written by ``supplyrisk run --shard``, or
    folders of them (a list of these, or one folder or file alone). The
    result is byte for byte that of the run in one piece. Raises
    :class:`ScenarioError` for missing, repeated, mismatched or corrupt
    slices, and for files and folders that do not exist, with the command
    line's messages. Raises the warnings the run in one piece raises, as
    :class:`SupplyriskWarning`."""
    one = (PartialResult, bytes, bytearray, memoryview, str, os.PathLike)
    items = [partials] if isinstance(partials, one) else partials
    try:
        items = list(items)
    except TypeError:
        raise TypeError(
            "partials: expected a PartialResult, bytes, a path, or an iterable of them, "
            f"found {type(partials).__name__}"
        ) from None
    data, labels, paths = [], [], []
    for i, p in enumerate(items):
        if isinstance(p, PartialResult):
            data.append(p.data)
            labels.append(f"partials[{i}]")
        elif isinstance(p, (bytes, bytearray, memoryview)):
            data.append(bytes(p))
            labels.append(f"partials[{i}]")
        elif isinstance(p, (str, os.PathLike)):
            paths.append(os.fspath(p))
        else:
            raise TypeError(
                f"partials[{i}]: expected a PartialResult, bytes, or the path of a .srpart file "
                f"or folder, found {type(p).__name__}"
            )
    native = _native.merge(data, threads=_args.whole("threads", threads), labels=labels, paths=paths)
    for message in native.warnings:
        warnings.warn(message, SupplyriskWarning, stacklevel=2)
    return Result(native)
