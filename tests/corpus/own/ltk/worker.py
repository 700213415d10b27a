import sys

import micropip  # polyscript loads it for any config with packages
from pyscript import document

total = sum(range(101))
document.querySelector("#worker").textContent = f"the worker added 1..100: {total} (Python {sys.version_info[0]}.{sys.version_info[1]})"
