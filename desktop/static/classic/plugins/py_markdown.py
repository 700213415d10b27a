"""The app's copy of classic PyScript's `py_markdown` plugin (2022.12 - 2023.05): <py-md> elements.

Pages named it as https://pyscript.net/latest/plugins/python/py_markdown.py; the classic layer
loads this file instead. As in classic, the page lists `markdown` in its packages.
"""

import html
from textwrap import dedent

from markdown import markdown
from pyscript import Plugin

plugin = Plugin("py-markdown")


@plugin.register_custom_element("py-md")
class PyMarkdown:
    """<py-md># Title</py-md>: the element's text, rendered from Markdown to HTML."""

    def __init__(self, element):
        self.element = element

    def connect(self):
        source = dedent(html.unescape(self.element.originalInnerHTML))
        self.element.innerHTML = markdown(source, extensions=["markdown.extensions.fenced_code"])
