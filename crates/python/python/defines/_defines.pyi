"""Type hints of the native half (`crates/python/src/lib.rs`). Documents
are ``("name", preset-or-path)`` or ``("text", json)`` pairs."""

from typing import List, Optional, Sequence, Tuple

Doc = Tuple[str, str]

def presets_list() -> List[Tuple[str, List[str]]]: ...
def preset_text(kind: str, name: str) -> Optional[str]: ...
def run_json(
    command: str,
    rest: Sequence[str],
    hardware: Doc,
    workload: Doc,
    mapping: Optional[Doc] = None,
) -> str: ...
def load_texts(
    hardware: Doc, workload: Doc, mapping: Optional[Doc] = None
) -> Tuple[str, str, str]: ...
def tile_axes(
    hardware: Doc,
    workload: Doc,
    mapping: Optional[Doc],
    tiles: str,
    xs: Sequence[int],
    ys: Sequence[int],
) -> Tuple[List[int], List[int]]: ...
def variants(
    hardware: Doc, vary: Sequence[str]
) -> List[Tuple[List[Tuple[str, str]], str]]: ...
def pareto_flags(rows: Sequence[Optional[Tuple[float, int]]]) -> List[bool]: ...
def version() -> str: ...
