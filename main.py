"""Entry point for `python main.py` and for the PyInstaller freeze."""

import sys

from desktop.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
