"""Shared fixtures: the `defines` CLI the package is compared with (built
by `cargo xtask test` / `cargo xtask python`; DEFINES_CLI overrides) and
the reference schedules."""

import json
import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[3]


def cli_path() -> pathlib.Path:
    p = pathlib.Path(os.environ.get("DEFINES_CLI", REPO / "target" / "release" / "defines"))
    if not p.exists():
        pytest.fail(f"the CLI {p} is missing: build it with cargo build --release -p defines-cli")
    return p


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli_path()), *args], capture_output=True, text=True)


def cli_json(*args: str):
    out = run_cli(*args)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture(scope="session")
def reference_runs():
    path = REPO / "tests" / "reference" / "fsrcnn__Meta_prototype_DF.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
