import js  # type: ignore
from pyscript import PyWorker, display

worker = None


async def initialize_worker():
    global worker
    if worker is None:
        worker = PyWorker(
            "./python/worker.py",
            type="pyodide",
            config="./json/pyscript-worker.json"
        )
        await worker.ready


async def launch_worker(event):
    js.document.getElementById("pyscript-output").textContent = ""
    await initialize_worker()
    total = await worker.sync.sum_of_squares(1000)
    display(f"sum of squares below 1000: {total}", target="pyscript-output")
