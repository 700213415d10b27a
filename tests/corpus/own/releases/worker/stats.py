import numpy as np
from pyscript import document

data = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
document.querySelector("#stats").innerText = f"mean {data.mean():.1f}, std {data.std():.1f} (numpy {np.__version__})"
