"""Sweeps on a Dask cluster: hardware variants × networks × schedules.

Runs on any ``dask.distributed.Client``: a ``LocalCluster`` on a laptop, or
unchanged on a university cluster through ``dask_jobqueue`` (Slurm, PBS) or
on Kubernetes. Progress shows in Dask's own tools (the dashboard,
``distributed.progress(job.futures)``).

The grid is split into tasks of one hardware variant × one workload × one
tile height (every mode and width of it; ``tile_rows_per_task`` to take
more heights). Why that size: a tile size's modes share most of their
single-layer searches (the per-task cache does them once), while different
tile sizes share few, so a finer split would repeat work and a coarser one
would leave cores idle on small grids; a task takes tens of milliseconds
(lpf 6) to seconds (lpf 8), far above Dask's per-task overhead.

Results are deterministic: the rows come back in the order of
``hardware_variants`` × ``workloads`` × the CLI's row order, with the same
bits, whatever the cluster's size and the order tasks finish in; the Pareto
flags are computed over each (variant, workload) pair's rows, as
``defines sweep`` does over one point. Documents given by path are read
on the client, so workers need no shared file system. A task whose worker
died is retried by Dask; a (variant, workload) pair that is invalid gives
one row with ``error`` and ``diagnostics`` instead of failing the job.
"""

from typing import Any, Dict, List, Optional, Sequence

from . import InputError, Json, Rows, Variant, _defines, _doc
from . import sweep as _sweep

__all__ = ["SweepJob", "submit", "sweep"]


def _label(value: Any, kind: str, index: int) -> str:
    if isinstance(value, Variant):
        return value.label or f"{kind}[{index}]"
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("name"), str):
        return value["name"]
    return f"{kind}[{index}]"


def _run_task(hardware: str, workload: str, mapping: str, options: Dict[str, Any]):
    """One task: a sweep over the given tile heights, on one thread (Dask
    runs the tasks in parallel)."""
    return list(
        _sweep(
            Json(hardware),
            Json(workload),
            Json(mapping),
            threads=1,
            **options,
        )
    )


class SweepJob:
    """A submitted sweep: ``futures`` (one per task, for
    ``distributed.progress`` or ``wait``) and :meth:`result`."""

    def __init__(self, client, plan, futures):
        self.client = client
        self._plan = plan
        self.futures = futures

    def result(self) -> Rows:
        """Waits for every task and returns the table (see the module
        docs for its order and columns)."""
        results = iter(self.client.gather(self.futures))
        rows: List[dict] = []
        for pair in self._plan:
            if "error" in pair:
                rows.append(pair["error"])
                continue
            chunks = [next(results) for _ in range(pair["tasks"])]
            rows += _merge(pair, chunks)
        return Rows(rows)


def _merge(pair: Dict[str, Any], chunks: List[List[dict]]) -> List[dict]:
    """A pair's task rows in the CLI's order (cut set, mode, height,
    width), with the pair's own Pareto flags and leading columns."""
    rows = [r for c in chunks for r in c]
    cut_order: Dict[Any, int] = {}
    for r in chunks[0] if chunks else []:
        cut_order.setdefault(r.get("cuts"), len(cut_order))
    ys, xs = pair["ys"], pair["xs"]
    modes = pair["modes"]
    rows.sort(
        key=lambda r: (
            cut_order.get(r.get("cuts"), 0),
            modes.index(r["mode"]),
            ys.index(r["tile_y"]),
            xs.index(r["tile_x"]),
        )
    )
    flags = _defines.pareto_flags(
        [None if "error" in r else (r["energy_pj"], r["latency_cycles"]) for r in rows]
    )
    lead = {"hardware": pair["hardware"], "workload": pair["workload"], **pair["values"]}
    return [{**lead, **r, "pareto": f} for r, f in zip(rows, flags)]


def submit(
    client,
    hardware_variants: Sequence[Any],
    workloads: Sequence[Any],
    mapping: Optional[Any] = None,
    *,
    modes: Sequence[int] = (1, 2, 3),
    tiles: Any = "auto",
    lpf: int = 6,
    cuts: Any = None,
    fixes: Any = (),
    tile_rows_per_task: int = 1,
    retries: int = 2,
) -> SweepJob:
    """Submits the sweep and returns at once (see :func:`sweep`)."""
    if isinstance(workloads, (str, dict)):
        workloads = [workloads]
    n = tile_rows_per_task
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InputError(
            f"tile_rows_per_task is a whole number from 1, not {tile_rows_per_task!r}",
            [("tile_rows_per_task", "give a whole number from 1")],
        )
    modes_list = [int(m) for m in modes]
    plan: List[Dict[str, Any]] = []
    futures = []
    for i, hw in enumerate(hardware_variants):
        for j, wl in enumerate(workloads):
            pair: Dict[str, Any] = {
                "hardware": _label(hw, "hardware", i),
                "workload": _label(wl, "workload", j),
                "values": dict(hw.values) if isinstance(hw, Variant) else {},
            }
            plan.append(pair)
            try:
                docs = (
                    _doc("hardware", hw),
                    _doc("workload", wl),
                    None if mapping is None else _doc("mapping", mapping),
                )
                texts = _defines.load_texts(*docs)
                text_docs = tuple(("text", t) for t in texts)
                if isinstance(tiles, str):
                    xs, ys = _defines.tile_axes(*text_docs, tiles, [], [])
                else:
                    grid = (list(tiles[0]), list(tiles[1]))
                    xs, ys = _defines.tile_axes(*text_docs, "grid", *grid)
            except InputError as e:
                pair["error"] = {
                    "hardware": pair["hardware"],
                    "workload": pair["workload"],
                    **pair["values"],
                    "error": e.message,
                    "diagnostics": [list(d) for d in e.diagnostics],
                }
                continue
            pair.update(xs=list(xs), ys=list(ys), modes=modes_list, tasks=0)
            for k in range(0, len(ys), tile_rows_per_task):
                options = {
                    "modes": modes_list,
                    "tiles": (list(xs), list(ys[k:k + tile_rows_per_task])),
                    "lpf": lpf,
                    "cuts": cuts,
                    "fixes": fixes,
                }
                futures.append(
                    client.submit(_run_task, *texts, options, pure=True, retries=retries)
                )
                pair["tasks"] += 1
    return SweepJob(client, plan, futures)


def sweep(client, hardware_variants, workloads, mapping=None, **options) -> Rows:
    """The sweep of every hardware variant (preset names, paths, dicts or
    :func:`defines.variants`) × every workload × the schedules (``modes``,
    ``tiles`` as in :func:`defines.sweep`; ``lpf``, ``cuts``, ``fixes``)
    on ``client``'s cluster, gathered into one table: each row is a
    ``defines sweep --format json`` row led by ``hardware``, ``workload``
    and the variant's varied values."""
    return submit(client, hardware_variants, workloads, mapping, **options).result()

