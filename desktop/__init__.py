"""PyScript Desktop: run PyScript pages offline in a native window.

Data flows one way through the package:
CLI (`cli`, `commands`) -> `settings` -> `runtime` bundle -> `server` -> window -> page -> bridge.
"""

__all__ = ["APP_NAME", "APP_ID", "__version__"]

__version__ = "0.1.0"
APP_NAME = "PyScript Desktop"
APP_ID = "pyscript-desktop"
