"""Dask's overhead: the same hardware-variant × case-study-1 grid through
`defines sweep` (the CLI, every core) and through `defines.dask` on a
LocalCluster of 2 worker processes; prints both times (cluster start-up
apart) and checks the tables are equal. Run by `cargo xtask bench`."""

import json
import os
import subprocess
import sys
import time

import distributed

import defines
import defines.dask

CLI = os.environ.get("DEFINES_CLI", "target/release/defines")
HW, WL = "Meta_prototype_DF", "fsrcnn"


def main(repeats: int) -> None:
    t = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as c:
        with distributed.Client(c) as client:
            print(f"(k) Dask LocalCluster start-up, 2 worker processes: {time.perf_counter() - t:.2f} s")
            for lpf, energies in [(6, [0.04, 0.06, 0.08, 0.1]), (8, [0.04, 0.08])]:
                vary = f"mac.energy_pJ_per_op={','.join(map(str, energies))}"
                cli_s, dask_s = [], []
                for _ in range(repeats):
                    t = time.perf_counter()
                    out = subprocess.run(
                        [CLI, "sweep", "--hardware", HW, "--workload", WL, "--tiles",
                         "case-study-1", "--lpf", str(lpf), "--vary", vary, "--format", "json"],
                        capture_output=True, text=True, check=True)
                    cli_s.append(time.perf_counter() - t)
                    t = time.perf_counter()
                    rows = defines.dask.sweep(
                        client, defines.variants(HW, [vary]), [WL], tiles="case-study-1", lpf=lpf)
                    dask_s.append(time.perf_counter() - t)
                want = json.loads(out.stdout)["schedules"]
                got = [{k: v for k, v in r.items() if k not in ("hardware", "workload")}
                       for r in rows]
                assert got == want, "the Dask table differs from the CLI's"
                print(f"(k) {len(energies)} hardware variants × case study 1 ({len(rows)} schedules), "
                      f"lpf {lpf}: CLI (2 threads) {min(cli_s):.2f} s, Dask (2 processes, "
                      f"{len(energies) * 6} tasks) {min(dask_s):.2f} s; tables equal")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
