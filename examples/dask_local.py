"""A hardware × network × schedule sweep on a Dask LocalCluster (this
machine's cores), written to sweep.csv.

    cargo xtask python            # builds and installs the `defines` wheel
    target/python/venv/bin/python examples/dask_local.py

For a cluster, see dask_slurm.py: only the cluster lines change.
"""

import distributed

import defines
import defines.dask

if __name__ == "__main__":
    # Two global-buffer sizes × two MAC energies of the paper's accelerator.
    variants = defines.variants(
        "Meta_prototype_DF",
        {"sram_1MB_A.size_bits": [4194304, 8388608], "mac.energy_pJ_per_op": [0.04, 0.08]},
    )
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1) as cluster:
        with distributed.Client(cluster) as client:
            print("dashboard:", client.dashboard_link)
            job = defines.dask.submit(
                client, variants, ["fsrcnn", "dmcnnvd"], tiles="case-study-1", lpf=6
            )
            distributed.progress(job.futures)  # a progress bar in the terminal
            rows = job.result()
    rows.to_pandas().to_csv("sweep.csv", index=False)
    best = min((r for r in rows if "error" not in r), key=lambda r: r["edp"])
    print(f"\n{len(rows)} schedules; least EDP: {best['hardware']} {best['workload']} "
          f"mode {best['mode']} tile {best['tile_x']}x{best['tile_y']}: {best['edp']:.4g} pJ·cycles")
