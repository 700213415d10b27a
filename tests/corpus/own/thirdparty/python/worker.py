import numpy as np
from pyscript import sync


def sum_of_squares(n):
    # Some work before answering, as the benchmark pages do: the coincident inside @pyscript/core 0.5.x
    # fails ("value.then is not a function") when a worker's answer is already there as the main thread
    # starts waiting for it (Atomics.waitAsync answering synchronously); that is the core's race, not the page's.
    for _ in range(300_000):
        pass
    values = np.arange(n, dtype=np.int64)
    return int((values * values).sum())


sync.sum_of_squares = sum_of_squares
