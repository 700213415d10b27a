import random
import sys
from datetime import datetime as dt

import pyodide
from pyscript import display
from pyweb import pydom
from pyscript import when


@when("click", "#just-a-button")
def on_click(event):
    print(f"Hello from Python! {dt.now()}")
    display(f"Hello from Python! {dt.now()}", append=False, target="result")


@when("click", "#color-button")
def on_color_click(event):
    btn = pydom["#result"]
    btn.style["background-color"] = f"#{random.randrange(0x1000000):06x}"


def reset_color():
    pydom["#result"].style["background-color"] = "white"


pydom["#version"][0].html = f"pyweb pydom ready: Python {sys.version.split()[0]}, Pyodide {pyodide.__version__}"
