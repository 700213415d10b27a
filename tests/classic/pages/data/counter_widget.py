# An alpha-era widget: <py-register-widget> makes `Counter(element)` and calls `.connect()`.
from pyodide.ffi import create_proxy


class Counter:
    def __init__(self, element):
        self.element = element
        self.count = 0

    def connect(self):
        self.button = document.createElement("button")
        self.button.className = "counter"
        self.label = self.element.getAttribute("label") or "count"
        self.button.textContent = f"{self.label}: 0"
        self.handler = create_proxy(self.click)
        self.button.addEventListener("click", self.handler)
        self.element.appendChild(self.button)

    def click(self, event):
        self.count += 1
        self.button.textContent = f"{self.label}: {self.count}"
