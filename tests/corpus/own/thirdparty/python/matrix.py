import numpy as np
from pyscript import display
import js  # type: ignore


def run_py_benchmark(event):
    js.document.getElementById("pyscript-output").textContent = ""
    a = np.arange(9).reshape(3, 3)
    display(f"trace of a @ a: {int(np.trace(a @ a))}", target="pyscript-output")
