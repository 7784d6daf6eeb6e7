"""Paired studies: compare, sensitivity, sweep and uncertainty.

Each runs the library's command in memory and returns a DataFrame. Its
``attrs`` hold the command's JSON file as text (``attrs["json"]``) and
every file the command writes, name to bytes (``attrs["files"]``; the
charts and HTML page too when ``charts=True``). ``progress`` is as for
:meth:`Scenario.run`.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Iterable, Optional, Sequence, SupportsIndex, Tuple, Union

import pandas as pd

from . import _args, _native
from ._frames import csv_frame
from ._progress import ProgressArg, callback

if TYPE_CHECKING:
    from . import Scenario

ChartSize = Optional[Tuple[SupportsIndex, SupportsIndex]]
#: A scenario, or the path of a scenario file.
ScenarioArg = Union["Scenario", str, "os.PathLike[str]"]


def _common(trials, seed, threads, charts, chart_size: ChartSize) -> dict:
    """The options every study passes to the library, their types
    checked: trials, seed, threads, and the charts' size (none without
    ``charts``)."""
    size = None if chart_size is None else _args.pair("chart_size", chart_size, "(width, height)")
    if not _args.flag("charts", charts):
        size = None
    elif size is None:
        size = (1600, 1000)
    return dict(
        trials=_args.whole("trials", trials),
        seed=_args.whole("seed", seed),
        threads=_args.whole("threads", threads),
        charts=size,
    )


def _warned(written):
    """A study's files, after raising its warnings (those the command line
    prints) as :class:`SupplyriskWarning`."""
    from . import SupplyriskWarning

    files, notes = written
    for message in notes:
        warnings.warn(message, SupplyriskWarning, stacklevel=3)
    return files


def _native_of(scenario, name: str):
    """The native scenario of a :class:`Scenario`, or of a scenario file
    given by its path."""
    if isinstance(scenario, (str, os.PathLike)):
        from . import load

        scenario = load(scenario)
    native = getattr(scenario, "_native", None)
    if native is None:
        raise TypeError(
            f"{name}: expected a Scenario (from supplyrisk.load) or a path, "
            f"found {type(scenario).__name__}"
        )
    return native


def _framed(frame: pd.DataFrame, files: dict, json_name: str) -> pd.DataFrame:
    frame.attrs["json"] = files[json_name].decode("utf-8")
    frame.attrs["files"] = dict(files)
    return frame


def compare(
    baseline: ScenarioArg,
    alternative: ScenarioArg,
    trials: Optional[SupportsIndex] = None,
    seed: Optional[SupportsIndex] = None,
    threads: Optional[SupportsIndex] = None,
    charts: _args.Flag = False,
    chart_size: ChartSize = None,
    progress: ProgressArg = None,
) -> pd.DataFrame:
    """``supplyrisk compare``: both scenarios with the same seed and trials
    (common random numbers; trials and seed default to the baseline's).

    One row per mineral the two share (index ``mineral``), the columns of
    ``comparison.csv``: each scenario's ``eud_total`` and
    ``p_any_shortfall``, the paired changes with their paired standard
    errors, ``risk_reduction`` and ``equivalent_firm_supply`` (and the cost
    and price-spike columns of world-market minerals). The changes year by
    year: :func:`by_year` of the frame."""
    with callback(progress) as cb:
        files = _warned(_native.compare(
            _native_of(baseline, "baseline"),
            _native_of(alternative, "alternative"),
            progress=cb,
            **_common(trials, seed, threads, charts, chart_size),
        ))
    frame = csv_frame(files["comparison.csv"], index=["mineral"])
    return _framed(frame, files, "comparison.json")


def by_year(comparison: pd.DataFrame) -> pd.DataFrame:
    """The changes year by year of a :func:`compare` result: one row per
    mineral and year (index ``mineral``, ``year``), the columns of
    ``comparison_years.csv``: ``unit``, ``delta_eud``, ``delta_eud_se`` and,
    for world-market minerals, ``currency``, ``delta_price_mean``,
    ``delta_cost`` and their standard errors (NaN where there is none).
    Standard errors come from paired chunk means (docs/model.md). Only
    the minerals left in ``comparison`` are given: ``by_year(frame.loc[["copper"]])``
    is copper's years."""
    years = csv_frame(comparison.attrs["files"]["comparison_years.csv"], index=["mineral", "year"])
    minerals = years.index.get_level_values("mineral")
    return years[minerals.isin(comparison.index.get_level_values("mineral"))]


def sensitivity(
    scenario: ScenarioArg,
    trials: Optional[SupportsIndex] = None,
    seed: Optional[SupportsIndex] = None,
    threads: Optional[SupportsIndex] = None,
    charts: _args.Flag = False,
    chart_size: ChartSize = None,
    progress: ProgressArg = None,
) -> pd.DataFrame:
    """``supplyrisk sensitivity``: each disruption switched off in turn.

    One row per mineral and entity, ranked within each mineral (columns of
    ``sensitivity.csv``: ``mineral``, ``rank``, ``entity``, ``kind``,
    ``delta_eud_total``, ``delta_p_any_shortfall`` and their paired
    standard errors, and the cost columns of world-market minerals)."""
    with callback(progress) as cb:
        files = _warned(_native.sensitivity(
            _native_of(scenario, "scenario"),
            progress=cb,
            **_common(trials, seed, threads, charts, chart_size),
        ))
    return _framed(csv_frame(files["sensitivity.csv"]), files, "sensitivity.json")


def sweep(
    scenario: ScenarioArg,
    param: str,
    values: Iterable[float],
    trials: Optional[SupportsIndex] = None,
    seed: Optional[SupportsIndex] = None,
    threads: Optional[SupportsIndex] = None,
    charts: _args.Flag = False,
    chart_size: ChartSize = None,
    metrics: Sequence[str] = (),
    progress: ProgressArg = None,
) -> pd.DataFrame:
    """``supplyrisk sweep``: the scenario with ``param`` (``KIND.ID.KEY``)
    set to each of ``values`` in turn, common random numbers across points.

    One row per value and mineral (columns of ``sweep.csv``: ``parameter``,
    ``value``, ``as_written`` (a bool), ``mineral``, the metrics with their
    standard errors and the paired changes from the scenario as written). The
    rows with ``as_written`` true are the scenario as written; where the file
    gives ``param`` no number (it leaves it out, or gives a distribution),
    they come first, with ``value`` NaN.
    ``metrics`` picks the charted metrics (keys of ``sweep.json``)."""
    with callback(progress) as cb:
        files = _warned(_native.sweep(
            _native_of(scenario, "scenario"),
            _args.text("param", param),
            [_args.number("values", v) for v in _args.listed("values", values, "numbers")],
            metrics=[_args.text("metrics", m) for m in _args.listed("metrics", metrics, "metric names")],
            progress=cb,
            **_common(trials, seed, threads, charts, chart_size),
        ))
    return _framed(csv_frame(files["sweep.csv"]), files, "sweep.json")




def uncertainty(
    scenario: ScenarioArg,
    samples: SupportsIndex = 256,
    trials: Optional[SupportsIndex] = None,
    seed: Optional[SupportsIndex] = None,
    threads: Optional[SupportsIndex] = None,
    charts: _args.Flag = False,
    chart_size: ChartSize = None,
    progress: ProgressArg = None,
) -> pd.DataFrame:
    """``supplyrisk uncertainty``: ``samples`` base parameter sets drawn from
    the scenario's ``[[uncertain]]`` tables (a power of two; trials default
    to the scenario's, else 20000 per set).

    One row per mineral, metric and uncertain parameter: the Sobol indices
    (``first``, ``total`` and their 95% bootstrap intervals, NaN where a
    metric does not vary) and the metric's spread across parameter sets
    (``mean``, ``p5``, ``p50``, ``p95``, ``noise_share``), repeated on each
    of its rows. ``attrs["runs"]`` is ``uncertainty_runs.csv``: every
    parameter set's values and results."""
    with callback(progress) as cb:
        files = _warned(_native.uncertainty(
            _native_of(scenario, "scenario"),
            samples=_args.count("samples", samples),
            progress=cb,
            **_common(trials, seed, threads, charts, chart_size),
        ))
    frame = csv_frame(files["uncertainty.csv"])
    frame.attrs["runs"] = csv_frame(files["uncertainty_runs.csv"])
    return _framed(frame, files, "uncertainty.json")
