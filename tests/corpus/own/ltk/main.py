""" A counter made with LTK in MicroPython, and the sum computed by a Pyodide worker. """

import ltk
from polyscript import XWorker  # type: ignore

count = ltk.Text("clicked 0 times").attr("id", "count")
clicks = [0]


@ltk.callback
def click(event):
    clicks[0] += 1
    count.text(f"clicked {clicks[0]} times")


ltk.find("body").append(
    ltk.VBox(
        ltk.Heading1("Visit counter"),
        count,
        ltk.Button("Count", click).attr("id", "count-button"),
        ltk.Text("the worker is starting...").attr("id", "worker"),
    ).css("margin", 24)
)

# the worker's config is made here, in Python, as LTK apps do
config = {
    "packages": [],
    "files": {},
}
worker = XWorker("worker.py", config=ltk.to_js(config), type="pyodide")
