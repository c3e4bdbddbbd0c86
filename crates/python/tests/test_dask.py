"""`defines.dask` on a LocalCluster of 2 worker processes: equal to the
CLI row for row, deterministic, complete when a worker is killed."""

import os
import signal

import pytest

distributed = pytest.importorskip("distributed")

import defines
import defines.dask as dd
from conftest import cli_json

HW, WL = "Meta_prototype_DF", "fsrcnn"
VARY = {"mac.energy_pJ_per_op": [0.04, 0.08]}


def cluster():
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )


@pytest.fixture(scope="module")
def client():
    with cluster() as c, distributed.Client(c) as cl:
        yield cl


@pytest.fixture(scope="module")
def cli_rows():
    return cli_json("sweep", "--hardware", HW, "--workload", WL, "--tiles", "case-study-1",
                    "--vary", "mac.energy_pJ_per_op=0.04,0.08", "--format", "json")["schedules"]


def strip(rows):
    return [{k: v for k, v in r.items() if k not in ("hardware", "workload")} for r in rows]


def test_two_variants_by_case_study_1_equal_the_cli(client, cli_rows):
    variants = defines.variants(HW, VARY)
    rows = dd.sweep(client, variants, [WL], tiles="case-study-1")
    assert len(rows) == 216 and strip(rows) == cli_rows
    assert [r["hardware"] for r in rows[::108]] == [v.label for v in variants]
    assert {r["workload"] for r in rows} == {WL}


def test_the_table_does_not_depend_on_the_task_split(client, cli_rows):
    variants = defines.variants(HW, VARY)
    whole = dd.sweep(client, variants, WL, tiles="case-study-1", tile_rows_per_task=6)
    assert strip(whole) == cli_rows
    job = dd.submit(client, variants, [WL], tiles="case-study-1", tile_rows_per_task=4)
    assert len(job.futures) == 4  # 2 variants × heights in chunks of 4 (4 + 2)
    assert strip(job.result()) == cli_rows


def test_an_invalid_pair_is_a_row_with_its_error(client):
    bad = defines.preset("hardware", HW)
    bad["memories"] = "none"
    rows = dd.sweep(client, [bad, HW], ["fsrcnn"], tiles=([60], [72]), modes=(3,))
    assert len(rows) == 2
    assert rows[0]["hardware"] == HW and "error" in rows[0] and rows[0]["diagnostics"]
    want = cli_json("sweep", "--hardware", HW, "--workload", WL, "--tiles-x", "60",
                    "--tiles-y", "72", "--modes", "3", "--format", "json")["schedules"]
    assert strip(rows[1:]) == want


def test_a_killed_worker_still_gives_the_complete_identical_table(cli_rows):
    with cluster() as c, distributed.Client(c) as client:
        job = dd.submit(client, defines.variants(HW, VARY), [WL], tiles="case-study-1")
        distributed.wait(job.futures, return_when="FIRST_COMPLETED")
        busy = [w for w, keys in client.processing().items() if keys]
        assert busy, "every task finished before a worker could be killed"
        pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
        os.kill(pid, signal.SIGKILL)
        rows = job.result()
    assert len(rows) == 216 and strip(rows) == cli_rows
