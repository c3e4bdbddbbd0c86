"""`defines.evaluate`, `sweep`, `variants`, `presets` and `InputError`
against the CLI (same JSON values) and the reference runs."""

import json
import os
import tempfile
import threading
import time

import pytest

import defines
from conftest import cli_json, run_cli

HW, WL = "Meta_prototype_DF", "fsrcnn"


def test_presets_are_the_clis():
    out = run_cli("presets").stdout
    names = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    p = defines.presets()
    assert p["hardware"] + p["workloads"] + p["mappings"] == names
    assert HW in p["hardware"] and WL in p["workloads"]
    assert defines.preset("hardware", HW)["name"] == HW


def test_evaluate_equals_the_cli_on_the_six_reference_schedules(reference_runs):
    assert len(reference_runs) == 6
    for ref in reference_runs:
        mode, x, y = ref["overlap_mode"], ref["tile_x"], ref["tile_y"]
        got = defines.evaluate(HW, WL, mode=mode, tile=(x, y))
        want = cli_json("eval", "--hardware", HW, "--workload", WL, "--mode", str(mode),
                        "--tile", f"{x}x{y}", "--format", "json")
        assert got == want
        # and the reference implementation's totals
        assert got["latency_cycles"] == ref["total_latency_cycles"]
        assert got["energy_pj"] == pytest.approx(ref["total_energy_pJ"], rel=1e-9)


def test_documents_by_dict_path_and_name_agree(tmp_path):
    by_name = defines.evaluate(HW, WL, mode=2, tile=(60, 72))
    hw = defines.preset("hardware", HW)
    assert defines.evaluate(hw, defines.preset("workload", WL), mode=2, tile=(60, 72)) == by_name
    f = tmp_path / "hw.json"
    f.write_text(json.dumps(hw))
    assert defines.evaluate(f, WL, mode=2, tile=(60, 72)) == by_name
    assert defines.evaluate(defines.Json(json.dumps(hw)), WL, mode=2, tile=(60, 72)) == by_name


def test_options_reach_the_model_as_on_the_command_line():
    got = defines.evaluate(HW, WL, mode=1, tile=(4, 72), lpf=5, stack_cuts=[3], fixes="q36")
    want = cli_json("eval", "--hardware", HW, "--workload", WL, "--mode", "1", "--tile", "4x72",
                    "--lpf", "5", "--stack-cuts", "3", "--fix", "q36", "--format", "json")
    assert got == want
    assert got["stacks"] != defines.evaluate(HW, WL, mode=1, tile=(4, 72), lpf=5)["stacks"]


def test_sweep_equals_the_clis_rows():
    rows = defines.sweep(HW, WL, tiles="case-study-1")
    want = cli_json("sweep", "--hardware", HW, "--workload", WL, "--tiles", "case-study-1",
                    "--format", "json")
    assert list(rows) == want["schedules"] and len(rows) == 108
    assert rows.pareto_front == want["pareto_front"] and rows.best_edp == want["best_edp"]
    frame = rows.to_pandas()
    assert frame.shape == (108, len(rows[0])) and frame["energy_pj"].tolist() == [
        r["energy_pj"] for r in rows
    ]


def test_sweep_axes_equal_the_clis():
    vary = {"mac.energy_pJ_per_op": [0.04, 0.08]}
    rows = defines.sweep(HW, WL, modes=(3, 1), tiles=([4, 60], [72]), vary=vary,
                         cuts=["auto", [0, 3]], best=True, threads=1)
    want = cli_json("sweep", "--hardware", HW, "--workload", WL, "--modes", "1,3",
                    "--tiles-x", "4,60", "--tiles-y", "72", "--vary",
                    "mac.energy_pJ_per_op=0.04,0.08", "--cuts", "auto;0,3", "--best",
                    "--format", "json")
    assert list(rows) == want["schedules"] and len(rows) == 4
    assert [v.label for v in defines.variants(HW, vary)] == [
        "mac.energy_pJ_per_op=0.04", "mac.energy_pJ_per_op=0.08"]


def test_lenses_are_the_clis():
    rows = defines.sweep(HW, "resnet18", tiles=([1, 16], [4, 18]), modes=(3,), lens="all")
    want = cli_json("sweep", "--hardware", HW, "--workload", "resnet18", "--tiles-x", "1,16",
                    "--tiles-y", "4,18", "--modes", "3", "--lens", "all", "--format", "json")
    assert rows.lenses == want["lenses"] and len(rows.lenses) == 3
    act = next(x for x in rows.lenses if x["lens"] == "activations-only")
    # ignoring ResNet18's weights picks the tiny tile: several times the energy
    assert (act["tile_x"], act["tile_y"]) == (1, 4) and act["energy_ratio"] > 5
    with pytest.raises(defines.InputError) as e:
        defines.sweep(HW, WL, lens="weights-only")
    assert e.value.diagnostics[0][0] == "lens"


def test_a_variant_is_the_varied_hardware():
    v = defines.variants(HW, ["mac.energy_pJ_per_op=0.5"])[0]
    assert v.values == {"mac.energy_pJ_per_op": 0.5}
    got = defines.evaluate(v, WL)
    doc = defines.preset("hardware", HW)
    assert got == defines.evaluate(v.document, WL)
    assert got["mac_energy_pj"] > defines.evaluate(doc, WL)["mac_energy_pj"]


def test_invalid_documents_raise_input_error_with_the_clis_paths():
    wl = defines.preset("workload", WL)
    wl["layers"][1]["loop_dims"]["K"] = -1
    wl["layers"][2]["loop_dims"]["C"] = "many"
    with pytest.raises(defines.InputError) as e:
        defines.evaluate(HW, wl)
    paths = [p for p, _ in e.value.diagnostics]
    assert "workload.layers[1].loop_dims.K" in paths and "workload.layers[2].loop_dims.C" in paths
    # the CLI names the same problems
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(wl, f)
    try:
        out = run_cli("eval", "--hardware", HW, "--workload", f.name, "--mode", "3", "--tile", "16x18")
    finally:
        os.unlink(f.name)
    assert out.returncode == 2
    for path, message in e.value.diagnostics:
        assert f"{path}: {message}" in out.stderr
    assert e.value.message in out.stderr


def test_bad_options_name_the_keyword_argument():
    for kwargs, path in [({"lpf": 99}, "lpf"), ({"mode": 4}, "mode"), ({"tile": (0, 4)}, "tile"),
                         ({"tile": 16}, "tile"), ({"stack_cuts": ["x"]}, "stack_cuts"),
                         ({"fixes": "q99"}, "fixes")]:
        with pytest.raises(defines.InputError) as e:
            defines.evaluate(HW, WL, **kwargs)
        assert [p for p, _ in e.value.diagnostics] == [path], kwargs
    with pytest.raises(defines.InputError) as e:
        defines.sweep(HW, WL, vary={"nosuch.size_bits": [1]})
    assert e.value.diagnostics and "nosuch" in e.value.message
    with pytest.raises(defines.InputError) as e:
        defines.evaluate("no_such_accelerator", WL)
    assert "presets:" in e.value.message and HW in e.value.message
    with pytest.raises(defines.InputError) as e:
        defines.evaluate(HW, WL, mode=3, tile=(16, 18), stack_cuts=[999])
    assert e.value.diagnostics and e.value.diagnostics[0][0].startswith("schedule")


def test_the_model_runs_without_the_gil():
    """While a sweep runs in another thread, this thread keeps running:
    the longest pause between its steps is well below the sweep's time
    (holding the GIL would pause it for the whole sweep)."""
    done = threading.Event()
    span = {}

    def work():
        t = time.perf_counter()
        defines.sweep(HW, WL, tiles="case-study-1", threads=1)
        span["t"] = time.perf_counter() - t
        done.set()

    th = threading.Thread(target=work)
    steps = []
    th.start()
    while not done.is_set():
        steps.append(time.perf_counter())
        time.sleep(0.001)
    th.join()
    gaps = [b - a for a, b in zip(steps, steps[1:])]
    assert len(steps) > 10 and max(gaps) < 0.5 * span["t"], (max(gaps), span["t"])
