"""DataFrames from the CSV and JSON files the library renders."""

from __future__ import annotations

import io
from typing import List, Optional

import pandas as pd

# pandas 3 reads every float exactly by default and deprecates the option.
_PANDAS_MAJOR = int(pd.__version__.split(".")[0])


def csv_frame(data: bytes, index: Optional[List[str]] = None) -> pd.DataFrame:
    """A CSV file's bytes as a DataFrame. Each number is read back as the
    very float the engine computed; text columns stay text (a mineral
    named ``nan`` too)."""
    exact = {"float_precision": "round_trip"} if _PANDAS_MAJOR < 3 else {}
    frame = pd.read_csv(io.BytesIO(data), keep_default_na=False, na_values=[""], **exact)
    if index:
        frame = frame.set_index(index)
    return frame


def records_frame(rows: list, columns: List[str]) -> pd.DataFrame:
    """Rows (dicts) as a DataFrame: ``columns`` first, then any other key
    in order of first appearance; a key a row lacks is NaN there."""
    seen = list(columns)
    for row in rows:
        for key in row:
            if key not in seen:
                seen.append(key)
    return pd.DataFrame.from_records(rows, columns=seen)
