import numpy as np
from pyscript import sync


def sum_of_squares(n):
    values = np.arange(n, dtype=np.int64)
    return int((values * values).sum())


sync.sum_of_squares = sum_of_squares
