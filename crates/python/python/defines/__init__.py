"""The DeFiNES cost model from Python, bit for bit the ``defines`` CLI's.

Energy and latency of running a DNN on an accelerator under a schedule
from layer-by-layer to depth-first (tile size, overlap-storing mode, fuse
depth). The model is the project's Rust crate; this package is a thin
layer over the CLI's own code, so ``evaluate`` returns exactly what
``defines eval --format json`` prints and ``sweep`` the rows of
``defines sweep --format json``.

Documents (``hardware``, ``workload``, ``mapping``) may each be a preset
name (see :func:`presets`), a path (JSON; ZigZag ``.yaml``; ``.onnx`` for
a workload), a dict in the project's document schema (see
:func:`preset` for examples), or, for hardware, a :class:`Variant`. The
mapping defaults to the hardware family's mapping for the workload.

Bad input raises :class:`InputError` with the CLI's message and
``(path, message)`` diagnostics. The model runs without holding the GIL.
Distributed sweeps: :mod:`defines.dask`.
"""

import json
import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _defines
from ._errors import InputError

__all__ = [
    "InputError",
    "Json",
    "Rows",
    "Variant",
    "evaluate",
    "preset",
    "presets",
    "sweep",
    "variants",
    "__version__",
]

#: The model's version (exports and reports carry it).
__version__ = _defines.version()

Document = Union[str, "os.PathLike[str]", Mapping[str, Any], "Variant", "Json"]


class Json(str):
    """A document given as its JSON text (``defines.Json(text)``), passed
    as it is."""


@dataclass(frozen=True)
class Variant:
    """One hardware point of a variation (see :func:`variants`): the varied
    parameters' values (``{"sram_1MB_A.size_bits": 2097152}``, as the
    sweep's columns print them) and the varied hardware document (JSON)."""

    values: Dict[str, Any]
    hardware_json: str = field(repr=False)

    @property
    def label(self) -> str:
        """``name=value, ...``."""
        return ", ".join(f"{k}={v}" for k, v in self.values.items())

    @property
    def document(self) -> Dict[str, Any]:
        """The varied hardware document as a dict."""
        return json.loads(self.hardware_json)


class Rows(list):
    """A sweep's rows (dicts), in the CLI's order; ``pareto_front`` and
    ``best_edp`` are row indices as in ``defines sweep --format json``."""

    pareto_front: List[int]
    best_edp: Optional[int]
    #: With ``lens=``: per hardware point and lens, the schedule that
    #: simpler model picks and its true cost (``energy_ratio``).
    lenses: List[dict]

    def __init__(self, rows: Iterable[dict] = (), pareto_front=(), best_edp=None, lenses=()):
        super().__init__(rows)
        self.pareto_front = list(pareto_front)
        self.best_edp = best_edp
        self.lenses = list(lenses)

    def to_pandas(self):
        """The rows as a ``pandas.DataFrame`` (pandas must be installed)."""
        try:
            import pandas
        except ImportError as e:  # pragma: no cover - depends on the venv
            raise ImportError("to_pandas needs pandas: pip install pandas") from e
        return pandas.DataFrame(list(self))


# The CLI's option names and the keyword arguments they come from, so that
# a refused option is reported under the name the caller used.
_FLAG_ARGS = {
    "--mode": "mode",
    "--modes": "modes",
    "--tile": "tile",
    "--tiles-x": "tiles",
    "--tiles-y": "tiles",
    "--tiles": "tiles",
    "--lpf": "lpf",
    "--stack-cuts": "stack_cuts",
    "--fix": "fixes",
    "--vary": "vary",
    "--cuts": "cuts",
    "--threads": "threads",
    "--lens": "lens",
}


def _doc(kind: str, value: Any) -> Tuple[str, str]:
    if isinstance(value, Json):
        return ("text", str(value))
    if isinstance(value, Variant):
        return ("text", value.hardware_json)
    if isinstance(value, Mapping):
        return ("text", json.dumps(value))
    if isinstance(value, str):
        return ("name", value)
    if isinstance(value, os.PathLike):
        return ("name", os.fspath(value))
    raise InputError(
        f"{kind} is a preset name, a path or a dict, not {type(value).__name__}",
        [(kind, f"give a preset name, a path or a dict, not {value!r}")],
    )


def _docs(hardware, workload, mapping):
    return (
        _doc("hardware", hardware),
        _doc("workload", workload),
        None if mapping is None else _doc("mapping", mapping),
    )


def _call(fn, *args):
    """Calls the native half; an option the CLI refused gets the keyword
    argument's name as its diagnostic path."""
    try:
        return fn(*args)
    except InputError as e:
        if not e.diagnostics:
            flag = e.message.split(" ", 1)[0].rstrip(":")
            if flag in _FLAG_ARGS:
                e.diagnostics = [(_FLAG_ARGS[flag], e.message)]
        raise


def _number(v: Any) -> str:
    """A value as the CLI reads it back exactly (floats: shortest repr)."""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _list(values: Iterable[Any]) -> str:
    return ",".join(_number(v) for v in values)


def _fix_args(fixes: Union[str, Iterable[str]]) -> List[str]:
    names = [fixes] if isinstance(fixes, str) else list(fixes)
    return ["--fix", ",".join(names)] if names else []


def presets() -> Dict[str, List[str]]:
    """The built-in documents' names: ``{"hardware": [...], "workloads":
    [...], "mappings": [...]}``."""
    return {kind: names for kind, names in _defines.presets_list()}


def preset(kind: str, name: str) -> Dict[str, Any]:
    """A built-in document as a dict (``kind``: hardware, workload or
    mapping), e.g. to edit and pass back."""
    text = _defines.preset_text(kind, name)
    if text is None:
        known = presets().get({"workload": "workloads", "mapping": "mappings"}.get(kind, kind))
        if known is None:
            raise InputError(
                f"kind is hardware, workload or mapping, not {kind!r}",
                [("kind", f"give hardware, workload or mapping, not {kind!r}")],
            )
        raise InputError(
            f"{kind} `{name}` is not a preset; presets: {', '.join(known)}",
            [(kind, f"`{name}` is not a preset")],
        )
    return json.loads(text)


def evaluate(
    hardware: Document,
    workload: Document,
    mapping: Optional[Document] = None,
    mode: Union[int, str] = 3,
    tile: Tuple[int, int] = (16, 18),
    lpf: int = 6,
    stack_cuts: Optional[Sequence[int]] = None,
    fixes: Union[str, Iterable[str]] = (),
) -> Dict[str, Any]:
    """One schedule: the network report of ``defines eval --format json``.

    ``mode``: overlap-storing mode 1, 2 or 3 (or its name); ``tile``:
    ``(width, height)``; ``lpf``: LOMA's loop-prime-factor limit;
    ``stack_cuts``: layer ids after which a new fused stack starts (``[]``:
    one stack; ``None``: the automatic weights-fit rule); ``fixes``: quirk
    fixes to apply (``"q36"``).
    """
    try:
        width, height = tile
    except (TypeError, ValueError):
        raise InputError(
            f"tile is (width, height), not {tile!r}",
            [("tile", f"give (width, height), e.g. (16, 18), not {tile!r}")],
        ) from None
    rest = ["--mode", _number(mode), "--tile", f"{width}x{height}", "--lpf", _number(lpf)]
    if stack_cuts is not None:
        rest += ["--stack-cuts", _list(stack_cuts) if len(stack_cuts) else "none"]
    rest += _fix_args(fixes)
    text = _call(_defines.run_json, "eval", rest, *_docs(hardware, workload, mapping))
    return json.loads(text)


def _tiles_args(tiles: Any) -> List[str]:
    if isinstance(tiles, str):
        return ["--tiles", tiles]
    try:
        xs, ys = tiles
        return ["--tiles-x", _list(xs), "--tiles-y", _list(ys)]
    except (TypeError, ValueError):
        raise InputError(
            f'tiles is "auto", "case-study-1" or (widths, heights), not {tiles!r}',
            [("tiles", 'give "auto", "case-study-1" or (widths, heights)')],
        ) from None


def _vary_args(vary: Any) -> List[str]:
    if vary is None:
        return []
    if isinstance(vary, Mapping):
        texts = [f"{k}={_list(v)}" for k, v in vary.items()]
    elif isinstance(vary, str):
        texts = [vary]
    else:
        texts = list(vary)
    out: List[str] = []
    for t in texts:
        out += ["--vary", t]
    return out


def _cuts_arg(cuts: Any) -> List[str]:
    if cuts is None:
        return []
    if isinstance(cuts, str):
        return ["--cuts", cuts]
    sets = [c if isinstance(c, str) else (_list(c) or "none") for c in cuts]
    return ["--cuts", ";".join(sets)]


def sweep(
    hardware: Document,
    workload: Document,
    mapping: Optional[Document] = None,
    modes: Sequence[Union[int, str]] = (1, 2, 3),
    tiles: Union[str, Tuple[Sequence[int], Sequence[int]]] = "auto",
    lpf: int = 6,
    vary: Union[None, Mapping[str, Sequence[float]], Sequence[str]] = None,
    cuts: Union[None, str, Sequence[Union[str, Sequence[int]]]] = None,
    fixes: Union[str, Iterable[str]] = (),
    best: bool = False,
    threads: Optional[int] = None,
    lens: Union[None, str, Sequence[str]] = None,
) -> Rows:
    """A schedule sweep: the rows of ``defines sweep --format json``.

    ``tiles``: ``"auto"`` (six sizes per axis from the output size),
    ``"case-study-1"`` (the paper's grid) or ``(widths, heights)``;
    ``vary``: hardware parameters over values, ``{"NAME.FIELD": [v, ...]}``
    or the CLI's ``"NAME.FIELD=v1,v2"`` texts (cross product, first
    outermost); ``cuts``: cut sets as the CLI's ``"auto;0,3"`` or a list
    (``["auto", [0, 3]]``); ``best``: only the least-EDP row per hardware
    point and cut set; ``threads``: threads to use (default: every core);
    ``lens``: simpler models (``"dram-only"``, ``"activations-only"``,
    ``"dram-activations"`` or ``"all"``) whose choice goes to
    ``rows.lenses`` (docs/model.md §4.1).
    """
    rest = ["--modes", _list(modes)] + _tiles_args(tiles) + ["--lpf", _number(lpf)]
    rest += _vary_args(vary) + _cuts_arg(cuts) + _fix_args(fixes)
    if best:
        rest.append("--best")
    if threads is not None:
        rest += ["--threads", _number(threads)]
    if lens is not None:
        rest += ["--lens", lens if isinstance(lens, str) else ",".join(lens)]
    text = _call(_defines.run_json, "sweep", rest, *_docs(hardware, workload, mapping))
    report = json.loads(text)
    return Rows(
        report["schedules"], report["pareto_front"], report["best_edp"], report.get("lenses", ())
    )


def variants(
    hardware: Document, vary: Union[Mapping[str, Sequence[float]], Sequence[str]]
) -> List[Variant]:
    """The hardware points of a variation (as ``sweep``'s ``vary``), in the
    sweep's order, each a :class:`Variant` usable as ``hardware``."""
    points = _call(_defines.variants, _doc("hardware", hardware), _vary_args(vary)[1::2])
    return [
        Variant({k: json.loads(v) for k, v in values}, text) for values, text in points
    ]
