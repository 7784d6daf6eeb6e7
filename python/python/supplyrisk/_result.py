"""Results of a run: the whole run's (:class:`Result`) and a slice's
(:class:`PartialResult`)."""

from __future__ import annotations

import json
import os
from typing import Dict, Optional, SupportsIndex

import numpy as np
import pandas as pd

from . import _args, _native
from ._frames import csv_frame


class Result:
    """The results of a whole run, plain or merged from shards.

    ``summary`` and ``years`` are DataFrames read from the ``summary.csv``
    and ``years.csv`` the command line writes (every number exact);
    ``to_json()`` is its ``summary.json``; ``charts()`` its PNG charts.
    """

    def __init__(self, native: "_native.RunResult", per_trial: Optional[pd.DataFrame] = None):
        self._native = native
        self._outputs: Dict[str, bytes] = native.outputs()
        self._summary: Optional[pd.DataFrame] = None
        self._years: Optional[pd.DataFrame] = None
        self._rendered: Dict[tuple, Dict[str, bytes]] = {}
        # Made on first use; given for a result restored from a pickle (the
        # native result of a merge keeps no per-trial results).
        self._per_trial = per_trial

    @property
    def trials(self) -> int:
        """Trials of the run."""
        return self._native.trials

    @property
    def seed(self) -> int:
        """Seed of the run."""
        return self._native.seed

    @property
    def source(self) -> str:
        """Where the results come from: the scenario file's name, the
        SHA-256 of its text, trials, seed and program (the charts' footer)."""
        return self._native.source

    @property
    def summary(self) -> pd.DataFrame:
        """One row per mineral (index ``mineral``), in scenario order: its
        unit, every horizon metric and its standard error (columns of
        ``summary.csv``; a stockpile's or a world market's columns are
        empty, NaN, for minerals without one)."""
        if self._summary is None:
            self._summary = csv_frame(self._outputs["summary.csv"], index=["mineral"])
        return self._summary.copy()

    @property
    def years(self) -> pd.DataFrame:
        """One row per mineral and calendar year (index ``mineral``,
        ``year``): every per-year metric of ``years.csv``."""
        if self._years is None:
            self._years = csv_frame(self._outputs["years.csv"], index=["mineral", "year"])
        return self._years.copy()

    @property
    def per_trial(self) -> pd.DataFrame:
        """Every trial's horizon total unserved amount, one column per
        mineral (index ``trial``, from 0): the numbers of the command
        line's ``--per-trial`` file. Only a run made with
        ``run(per_trial=True)`` keeps them; otherwise this raises
        ``ValueError``."""
        frame = self._per_trial_frame()
        if frame is None:
            raise ValueError(
                "per_trial: this run kept no per-trial results; run it with run(per_trial=True)"
            )
        return frame.copy()

    def _per_trial_frame(self) -> Optional[pd.DataFrame]:
        if self._per_trial is None:
            columns = self._native.per_trial()
            if columns is None:
                return None
            index = pd.RangeIndex(self.trials, name="trial")
            self._per_trial = pd.DataFrame(
                {mineral: np.frombuffer(data, dtype="<f8") for mineral, data in columns}, index=index
            )
        return self._per_trial

    def to_partial(self) -> "PartialResult":
        """The whole run as the partial result of its one slice (shard 1
        of 1): :meth:`PartialResult.save` writes it as a ``.srpart`` file,
        from which ``supplyrisk merge`` (or :func:`supplyrisk.merge`)
        writes every file of the run, charts included, byte for byte. It
        holds the scenario's text, trials, seed and the run's tallies and
        distributions, not its per-trial results."""
        return PartialResult(self._native.partial())

    def __reduce__(self):
        # A result pickles as its one-slice partial result (and its
        # per-trial results, if kept), and is merged back when unpickled:
        # the same outputs, byte for byte.
        return (_restore, (self._native.partial(), self._per_trial_frame()))

    def to_json(self) -> str:
        """The command line's ``summary.json`` for the same scenario, trials
        and seed, character for character."""
        return self._outputs["summary.json"].decode("utf-8")

    def to_dict(self) -> dict:
        """``summary.json`` parsed."""
        return json.loads(self.to_json())

    def files(
        self, charts: _args.Flag = True, width: Optional[SupportsIndex] = None, height: Optional[SupportsIndex] = None
    ) -> Dict[str, bytes]:
        """Every file ``supplyrisk run`` writes, name to bytes: the JSON and
        CSV files and, with ``charts``, the PNG charts and ``report.html``."""
        if not _args.flag("charts", charts):
            return dict(self._outputs)
        key = (_args.whole("width", width), _args.whole("height", height))
        if key not in self._rendered:
            self._rendered[key] = self._native.render(width=key[0], height=key[1])
        return dict(self._rendered[key])

    def charts(self, width: Optional[SupportsIndex] = None, height: Optional[SupportsIndex] = None) -> Dict[str, bytes]:
        """The run's charts as PNG bytes, by file name (as ``run`` writes
        them), at ``width`` x ``height`` pixels (default 1600 x 1000)."""
        return {k: v for k, v in self.files(True, width, height).items() if k.endswith(".png")}

    def report_html(self) -> str:
        """The self-contained ``report.html`` page (charts embedded)."""
        return self.files(True)["report.html"].decode("utf-8")

    def save(self, folder: "os.PathLike[str] | str", charts: _args.Flag = True) -> list:
        """Write the files :meth:`files` returns into ``folder`` (created
        if needed); returns their paths."""
        os.makedirs(folder, exist_ok=True)
        paths = []
        for name, data in self.files(charts).items():
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        return paths

    def _repr_png_(self) -> bytes:
        # In a notebook: the chance of a shortfall year, by mineral and year.
        return self.charts(width=1200, height=750)["shortfall_probability.png"]

    def __repr__(self) -> str:
        return f"<Result: {self.source}>"


def _restore(partial: bytes, per_trial: Optional[pd.DataFrame]) -> Result:
    return Result(_native.merge([partial]), per_trial)


class PartialResult:
    """The result of one slice of a run (``run(shard=(k, n))``): the bytes
    of the partial-result format of ``supplyrisk run --shard``, so it
    pickles, travels between processes and machines, and can be saved as
    a ``.srpart`` file that ``supplyrisk merge`` reads."""

    __slots__ = ("data", "_header")

    def __init__(self, data: bytes):
        self.data = bytes(data)
        self._header = json.loads(_native.partial_header(self.data))

    @property
    def header(self) -> dict:
        """The header: ``format``, ``program``, ``scenario_file``,
        ``scenario_text``, ``scenario_sha256``, ``seed``, ``trials``,
        ``shard``, ``shards``, ``slice`` (the chunks it covers, ``[start,
        end)``), ``body_bytes`` and ``crc32``."""
        return dict(self._header)

    @property
    def shard(self) -> int:
        """Which slice (from 1)."""
        return self._header["shard"]

    @property
    def shards(self) -> int:
        """Of how many."""
        return self._header["shards"]

    @property
    def trials(self) -> int:
        """Trials of the whole run."""
        return self._header["trials"]

    @property
    def seed(self) -> int:
        """Seed of the run."""
        return self._header["seed"]

    @property
    def file_name(self) -> str:
        """The name ``run --shard`` gives the file: ``partial-K-of-N.srpart``."""
        return f"partial-{self.shard}-of-{self.shards}.srpart"

    def save(self, folder: "os.PathLike[str] | str") -> str:
        """Write ``folder/partial-K-of-N.srpart``; returns its path."""
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, self.file_name)
        with open(path, "wb") as f:
            f.write(self.data)
        return path

    def __getstate__(self):
        return self.data

    def __setstate__(self, data):
        self.data = data
        self._header = json.loads(_native.partial_header(data))

    def __repr__(self) -> str:
        return f"<PartialResult shard {self.shard}/{self.shards} of {self.trials} trials, seed {self.seed}>"
