"""The app's copy of classic PyScript's `py_tutor` plugin (2023.03 - 2023.05): <py-tutor>.

The official examples wrapped themselves in <py-tutor> to offer a "View Code" toggle showing
the page's source. This copy keeps the content as it is and adds that toggle.
"""

import html

from js import document
from pyodide.ffi import create_proxy
from pyscript import Plugin

plugin = Plugin("PyTutorial")
_handlers = []


@plugin.register_custom_element("py-tutor")
class PyTutor:
    """<py-tutor>...</py-tutor>: the content, plus a "View Code" button revealing the page source."""

    def __init__(self, element):
        self.element = element

    def connect(self):
        button = document.createElement("div")
        button.id = "view-code-button"
        button.setAttribute("role", "button")
        button.setAttribute("tabindex", "0")
        button.textContent = "View Code"
        section = document.createElement("div")
        section.id = "code-section"
        section.className = "code-section-hidden"
        section.hidden = True
        section.innerHTML = f"<p>index.html</p><pre><code>{html.escape(self.element.originalInnerHTML)}</code></pre>"

        def toggle(event):
            section.hidden = not section.hidden

        handler = create_proxy(toggle)
        _handlers.append(handler)
        button.addEventListener("click", handler)
        self.element.prepend(button)
        self.element.append(section)
