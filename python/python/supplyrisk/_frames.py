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

