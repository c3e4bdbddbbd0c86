"""examples/dask_local.py on a Slurm cluster (pip install dask-jobqueue):
only the cluster lines differ. Every job node needs the `defines` wheel in
its Python (the documents travel with the tasks; no shared files needed).

    python examples/dask_slurm.py
"""

import distributed
from dask_jobqueue import SLURMCluster

import defines
import defines.dask

if __name__ == "__main__":
    variants = defines.variants(
        "Meta_prototype_DF",
        {"sram_1MB_A.size_bits": [4194304, 8388608], "mac.energy_pJ_per_op": [0.04, 0.08]},
    )
    # One worker process per core; the model is single-threaded per task.
    cluster = SLURMCluster(cores=16, processes=16, memory="32GB", walltime="01:00:00",
                           queue="batch")
    cluster.scale(jobs=4)  # 4 nodes × 16 workers
    with cluster, distributed.Client(cluster) as client:
        print("dashboard:", client.dashboard_link)
        job = defines.dask.submit(
            client, variants, ["fsrcnn", "dmcnnvd"], tiles="case-study-1", lpf=8
        )
        distributed.progress(job.futures)
        rows = job.result()
    rows.to_pandas().to_csv("sweep.csv", index=False)
    print(len(rows), "schedules")
