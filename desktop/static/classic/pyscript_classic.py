"""The classic PyScript (2022 alpha - 2023.05) Python API, on a modern Pyodide.

Loaded by the classic layer (pyscript.js beside this file) as the module `pyscript`;
its public names are also put into the pages' shared namespace, as classic PyScript did.
"""

import asyncio
import base64
import html as _html
import io
import re

import js
from pyodide.code import eval_code_async
from pyodide.ffi import create_proxy

__all__ = [
    "Element", "HTML", "PyScript", "add_classes", "console", "create", "display", "document",
    "js", "loop", "pyscript", "run_until_complete", "when", "write",
]

document = js.document
console = js.console
loop = asyncio.get_event_loop()

#: Where display() and print() go while a script runs (set by the classic layer).
_current_target = None
_proxies = []  # event handlers must outlive the call that registered them


class HTML:
    """Mark a string as HTML to be displayed as such."""

    def __init__(self, html):
        self._html = html

    def _repr_html_(self):
        return self._html


def _mime(value):
    """(kind, payload) for a value, following the IPython-style _repr_*_ protocol classic PyScript used."""
    if isinstance(value, str):
        return "text", value
    if hasattr(value, "savefig") and hasattr(value, "canvas"):  # a matplotlib figure
        buffer = io.BytesIO()
        value.savefig(buffer, format="png", bbox_inches="tight")
        return "png", base64.b64encode(buffer.getvalue()).decode()
    for method, kind in (("_repr_html_", "html"), ("_repr_svg_", "svg"), ("_repr_png_", "png"),
                         ("_repr_jpeg_", "jpeg"), ("_repr_markdown_", "text")):
        function = getattr(value, method, None)
        if callable(function):
            try:
                result = function()
            except Exception:
                continue
            if result is None:
                continue
            if kind in ("png", "jpeg") and isinstance(result, bytes):
                result = base64.b64encode(result).decode()
            return kind, result
    return "text", repr(value)


def _to_html(value):
    kind, payload = _mime(value)
    if kind == "html" or kind == "svg":
        return payload
    if kind in ("png", "jpeg"):
        return f'<img src="data:image/{kind};base64,{payload}">'
    return _html.escape(str(payload))


def _element(target):
    if target is None:
        target = _current_target
    if target is None:
        raise ValueError("display() needs a target: no script is running")
    if isinstance(target, Element):
        return target.element
    if isinstance(target, str):
        found = document.getElementById(target.lstrip("#"))
        if found is None:
            raise ValueError(f"No element with id {target!r} on the page")
        return found
    return target


def write(element_id, value, append=False, exec_id=0):
    """pyscript.write(id, value, append=False): put a value into an element."""
    element = _element(element_id)
    if append:
        child = document.createElement("div")
        child.innerHTML = _to_html(value)
        element.appendChild(child)
    else:
        element.innerHTML = _to_html(value)


def display(*values, target=None, append=True):
    for value in values:
        write(target, value, append=append)


class Element:
    """A page element by id, as classic pages used it."""

    def __init__(self, element_id, element=None):
        self.id = element_id
        self._element = element

    @property
    def element(self):
        if self._element is None:
            self._element = document.querySelector(f"#{self.id}")
        return self._element

    @property
    def value(self):
        return self.element.value

    @property
    def innerHtml(self):
        return self.element.innerHTML

    def write(self, value, append=False):
        write(self.element, value, append=append)

    def clear(self):
        if hasattr(self.element, "value"):
            self.element.value = ""
        else:
            self.write("", append=False)

    def select(self, query, from_content=False):
        root = self.element.content if from_content else self.element
        found = root.querySelector(query)
        return Element(found.id if found is not None else None, found) if found is not None else None

    def clone(self, new_id=None, to=None):
        if new_id is None:
            new_id = self.element.id
        copy = self.element.cloneNode(True)
        copy.id = new_id
        if to is not None:
            to.element.appendChild(copy)
            if to.element.contains(self.element):
                to.element.replaceChild(copy, self.element)
        else:
            self.element.parentNode.insertBefore(copy, self.element.nextSibling)
        return Element(new_id, copy)

    def remove_class(self, classname):
        for name in classname if isinstance(classname, list) else [classname]:
            self.element.classList.remove(name)

    def add_class(self, classname):
        for name in classname if isinstance(classname, list) else [classname]:
            self.element.classList.add(name)


def add_classes(element, class_list):
    for name in class_list.split(" "):
        if name:
            element.classList.add(name)


def create(what, id_=None, classes=""):
    element = document.createElement(what)
    if id_:
        element.id = id_
    add_classes(element, classes)
    return Element(id_, element)


def _call_handler(function, event):
    try:
        result = function(event)
    except TypeError as error:
        if "positional argument" not in str(error):
            raise
        result = function()
    if asyncio.iscoroutine(result):
        asyncio.ensure_future(result)


def when(event_type, selector):
    """@when("click", "#button"): run the function on that event (PyScript 2023)."""

    def decorator(function):
        for element in document.querySelectorAll(selector):
            proxy = create_proxy(lambda event, f=function: _call_handler(f, event))
            _proxies.append(proxy)
            element.addEventListener(event_type, proxy)
        return function

    return decorator


def run_until_complete(future):
    """Schedule `future` and return at once, as classic PyScript on the browser's event loop did.

    (A modern Pyodide may block here until the coroutine ends, which for the classic
    `while True:` clock would be forever.)
    """
    asyncio.ensure_future(future)


class PyScript:
    """The `pyscript` object classic pages used without importing it."""

    loop = loop

    @staticmethod
    def write(element_id, value, append=False, exec_id=0):
        write(element_id, value, append, exec_id)

    @staticmethod
    def run_until_complete(future):
        return run_until_complete(future)


pyscript = PyScript()


# -- used by the classic layer (pyscript.js) ---------------------------------------------------


async def _run(code, namespace, target_id):
    """Run one <py-script>/<py-repl>: top-level await allowed, last expression displayed."""
    global _current_target
    _current_target = target_id
    try:
        result = await eval_code_async(code, namespace, return_mode="last_expr")
        if result is not None and target_id:
            write(target_id, result, append=True)
        return None
    except BaseException as error:  # shown in the page as a classic red box; the page goes on
        return _user_traceback(error)
    finally:
        _current_target = None


def _user_traceback(error):
    """The traceback of the page's code only, without this module's and Pyodide's frames."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(("/lib/python", "/home/pyodide/pyscript.py", "/home/pyodide/classic_config.py"))]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines += traceback.format_exception_only(type(error), error)
    return "".join(lines).rstrip()


def _handle_event(code, event, namespace, legacy):
    """py-onClick="name" (2022) calls a function; py-click="code()" (2023) runs code with `event`."""
    code = code.strip()
    if legacy and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*(\(\))?", code):
        target = eval(code.removesuffix("()"), namespace)
        _call_handler(target, event)
        return
    namespace["event"] = event
    result = eval(compile(code, "<event>", "exec" if "\n" in code or "=" in code.split("(")[0] else "eval"), namespace)
    if asyncio.iscoroutine(result):
        asyncio.ensure_future(result)


from classic_config import parse_config as _parse_config  # noqa: E402  (shared with `migrate`)
