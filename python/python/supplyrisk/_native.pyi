"""Types of the extension module (the supplyrisk Rust library). Use the
package's public API (``supplyrisk``) rather than these."""

from os import PathLike
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union, final

__all__ = [
    "ScenarioError",
    "SupplyriskError",
    "argument_error",
    "__version__",
    "PROGRAM",
    "MAX_SHARDS",
    "Scenario",
    "RunResult",
    "merge",
    "partial_header",
    "compare",
    "sensitivity",
    "sweep",
    "uncertainty",
]

__version__: str
PROGRAM: str
MAX_SHARDS: int

_Callback = Optional[Callable[[int, str, int, int], object]]
_Written = Tuple[Dict[str, bytes], List[str]]

class ScenarioError(ValueError): ...
class SupplyriskError(RuntimeError): ...

@final
class Scenario:
    @staticmethod
    def from_text(text: str, file: str) -> Scenario: ...
    @staticmethod
    def from_path(path: Union[str, PathLike[str]], file: Optional[str] = ...) -> Scenario: ...
    def with_values(self, values: Sequence[Tuple[str, float]]) -> Scenario: ...
    def run(
        self,
        trials: Optional[int] = ...,
        seed: Optional[int] = ...,
        threads: Optional[int] = ...,
        max_memory: Optional[float] = ...,
        per_trial: bool = ...,
        progress: _Callback = ...,
    ) -> RunResult: ...
    def run_shard(
        self,
        shard: int,
        shards: int,
        trials: Optional[int] = ...,
        seed: Optional[int] = ...,
        threads: Optional[int] = ...,
        max_memory: Optional[float] = ...,
        progress: _Callback = ...,
    ) -> bytes: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> Optional[str]: ...
    @property
    def file(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def start_year(self) -> int: ...
    @property
    def years(self) -> int: ...
    @property
    def trials(self) -> Optional[int]: ...
    @property
    def seed(self) -> Optional[int]: ...
    @property
    def minerals(self) -> List[str]: ...
    @property
    def sources(self) -> List[str]: ...
    @property
    def events(self) -> List[str]: ...

@final
class RunResult:
    def outputs(self) -> Dict[str, bytes]: ...
    def render(self, width: Optional[int] = ..., height: Optional[int] = ...) -> Dict[str, bytes]: ...
    def partial(self) -> bytes: ...
    def per_trial(self) -> Optional[List[Tuple[str, bytes]]]: ...
    @property
    def warnings(self) -> List[str]: ...
    @property
    def trials(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def source(self) -> str: ...

def argument_error(name: str, message: str) -> ScenarioError: ...
def merge(
    partials: Sequence[bytes],
    threads: Optional[int] = ...,
    labels: Optional[Sequence[str]] = ...,
    paths: Sequence[Union[str, PathLike[str]]] = ...,
) -> RunResult: ...
def partial_header(data: bytes) -> str: ...
def compare(
    baseline: Scenario,
    alternative: Scenario,
    trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    charts: Optional[Tuple[int, int]] = ...,
    progress: _Callback = ...,
) -> _Written: ...
def sensitivity(
    scenario: Scenario,
    trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    charts: Optional[Tuple[int, int]] = ...,
    progress: _Callback = ...,
) -> _Written: ...
def sweep(
    scenario: Scenario,
    param: str,
    values: Sequence[float],
    metrics: Sequence[str] = ...,
    trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    charts: Optional[Tuple[int, int]] = ...,
    progress: _Callback = ...,
) -> _Written: ...
def uncertainty(
    scenario: Scenario,
    samples: int = ...,
    trials: Optional[int] = ...,
    seed: Optional[int] = ...,
    threads: Optional[int] = ...,
    charts: Optional[Tuple[int, int]] = ...,
    progress: _Callback = ...,
) -> _Written: ...
