"""Checks of arguments' types, before they reach the library: an argument
of the wrong type raises ``TypeError`` naming it (the library checks the
values, and names the argument in its ``ScenarioError``)."""

from __future__ import annotations

import operator
from typing import TYPE_CHECKING, Iterable, List, Optional, SupportsIndex, Tuple, Union

from . import _native

if TYPE_CHECKING:
    import numpy

#: A yes-or-no argument: Python's bool or NumPy's.
Flag = Union[bool, "numpy.bool_"]


def is_bool(value: object) -> bool:
    """Whether ``value`` is a boolean: Python's, or NumPy's (``bool_``,
    named ``bool`` since NumPy 2), which is no count."""
    return isinstance(value, bool) or (
        type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    )


def whole(name: str, value: Optional[SupportsIndex]) -> Optional[int]:
    """An integer argument (``int``, a NumPy integer or anything with
    ``__index__``; not a bool, a float or a string), or ``None``."""
    if value is None:
        return None
    if not is_bool(value):
        try:
            n = operator.index(value)
        except TypeError:
            pass
        else:
            if not -(2**127) <= n < 2**127:
                # Beyond what the library is given at all.
                raise _native.argument_error(name, f"expected an integer of 64 bits at most, found {n}")
            return n
    found = f"{type(value).__name__} {value!r}"
    if isinstance(value, float) and value.is_integer():
        found += f" (write {int(value)})"
    raise TypeError(f"{name}: expected an integer, found {found}")


def count(name: str, value: SupportsIndex) -> int:
    """An integer argument that must be given (:func:`whole`, not
    ``None``)."""
    n = whole(name, value)
    if n is None:
        raise TypeError(f"{name}: expected an integer, found None")
    return n


def pair(name: str, value: object, parts: str) -> Tuple[int, int]:
    """A pair of integers, such as ``shard=(k, n)``; ``parts`` names them
    in the message (``"(k, n)"``)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{name}: expected a pair {parts} of integers, found {value!r}")
    return count(name, value[0]), count(name, value[1])


def listed(name: str, values: Iterable, what: str) -> List:
    """The items of a list argument (``values=[0.1, 0.2]``), which a
    string is not: its characters would be taken one by one."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name}: expected a list of {what}, found the string {values!r}")
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name}: expected a list of {what}, found {type(values).__name__} {values!r}") from None


def number(name: str, value: object) -> float:
    """A number argument: an int, a float or a NumPy number (not a bool or
    a string, which ``float()`` would take)."""
    if is_bool(value) or isinstance(value, (str, bytes)):
        raise TypeError(f"{name}: expected a number, found {type(value).__name__} {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number, found {type(value).__name__} {value!r}") from None


def text(name: str, value: object) -> str:
    """A text argument (an address, a metric's name)."""
    if not isinstance(value, str):
        raise TypeError(f"{name}: expected a string, found {type(value).__name__} {value!r}")
    return value


def flag(name: str, value: object) -> bool:
    """A yes-or-no argument: a bool (Python's or NumPy's)."""
    if not is_bool(value):
        raise TypeError(f"{name}: expected True or False, found {type(value).__name__} {value!r}")
    return bool(value)
