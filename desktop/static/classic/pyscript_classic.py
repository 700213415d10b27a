"""The classic PyScript (2022 alpha - 2023.05) Python API, on a modern Pyodide.

Loaded by the classic layer (pyscript.js beside this file) as the module `pyscript`;
its public names are also put into the pages' shared namespace, as classic PyScript did.
"""

import asyncio
import base64
import html as _html
import importlib.abc
import io
import re
import sys
import warnings

import js
from pyodide.code import eval_code_async
from pyodide.ffi import create_proxy

__all__ = [
    "Element", "HTML", "Plugin", "PyItemTemplate", "PyListTemplate", "PyScript", "PyWidgetTheme",
    "add_classes", "console", "create", "display", "document", "js", "loop", "pyscript",
    "run_until_complete", "when", "write",
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
    bundle = getattr(value, "_repr_mimebundle_", None)  # altair charts, among others: classic asked this first
    if callable(bundle):
        try:
            found = bundle()
        except Exception:  # noqa: BLE001 - as a failing _repr_*_ below
            found = None
        if isinstance(found, tuple):
            found = found[0]
        if isinstance(found, dict):
            for mime, kind in (("text/html", "html"), ("image/svg+xml", "svg"), ("image/png", "png"), ("image/jpeg", "jpeg")):
                if mime in found:
                    result = found[mime]
                    if kind in ("png", "jpeg") and isinstance(result, bytes):
                        result = base64.b64encode(result).decode()
                    return kind, result
    for method, kind in (("_repr_html_", "html"), ("_repr_svg_", "svg"), ("_repr_png_", "png"),
                         ("_repr_jpeg_", "jpeg"), ("_repr_markdown_", "text")):
        function = getattr(value, method, None)
        if callable(function):
            try:
                result = function()
            except Exception:  # noqa: BLE001 - a failing _repr_*_ is skipped, as classic PyScript did
                continue
            if result is None:
                continue
            if kind in ("png", "jpeg") and isinstance(result, bytes):
                result = base64.b64encode(result).decode()
            return kind, result
    return "text", repr(value)


def _to_html(kind, payload):
    if kind == "html" or kind == "svg":
        return payload
    if kind in ("png", "jpeg"):
        return f'<img src="data:image/{kind};base64,{payload}">'
    return _html.escape(str(payload))


def _put(element, value):
    """Show `value` as the content of `element`. HTML goes in as a parsed fragment, as classic PyScript put it,
    so that its scripts run (altair's chart is a <div> and the script that calls vegaEmbed on it)."""
    kind, payload = _mime(value)
    html = _to_html(kind, payload)
    if kind == "html" and "<script" in html.lower():
        element.innerHTML = ""
        element.appendChild(document.createRange().createContextualFragment(html))
    else:
        element.innerHTML = html


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
        element.appendChild(child)
        _put(child, value)
    else:
        _put(element, value)


def display(*values, target=None, append=True):
    for value in values:
        write(target, value, append=append)


class Element:
    """A page element by id, as classic pages used it."""

    def __init__(self, element_id, element=None):
        self._id = element_id
        self._element = element

    @property
    def id(self):
        return self._id

    @id.setter
    def id(self, value):
        self._id = value

    @property
    def element(self):
        if self._element is None and self._id:
            self._element = document.getElementById(self._id)
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


# -- the alpha's widget base classes (2022.05), for <py-register-widget> classes ---------------


class PyWidgetTheme:
    """CSS classes put on a widget's main element."""

    def __init__(self, main_style_classes):
        self.main_style_classes = main_style_classes

    def theme_it(self, widget):
        add_classes(widget, self.main_style_classes)


class PyItemTemplate(Element):
    """One item of a PyListTemplate: a dict of data shown as a checkbox line (the alpha's todo item)."""

    label_fields = None

    def __init__(self, data, labels=None, state_key=None, parent=None):
        self.data = data
        self.labels = labels or list(data.keys())
        self.state_key = state_key
        super().__init__(None)
        self.register_parent(parent)

    def register_parent(self, parent):
        self._parent = parent
        if parent is not None:
            self._id = f"{parent._id}-c-{len(parent._children)}"
            self.data["id"] = self._id
            self._element = None

    def render_content(self):
        return " - ".join(str(self.data[field]) for field in self.labels)

    def create(self):
        section = create("section", self._id, "task bg-white my-1")
        section.element.innerHTML = (
            # the alpha's markup as it was: its `for` names no element, so a click on the text is the
            # item's click alone (with a labelled checkbox, the toggle would run twice)
            '<label for="flex items-center p-2 "><input class="mr-2 task-check" type="checkbox">'
            f'<p class="m-0 inline">{_html.escape(self.render_content())}</p></label>'
        )
        self._element = section.element
        return section

    def on_click(self, evt=None):
        pass

    def pre_append(self):
        pass

    def post_append(self):
        handler = create_proxy(lambda event: self.on_click(event))
        _proxies.append(handler)
        self.element.onclick = handler
        self._post_append()

    def _post_append(self):
        pass

    def strike(self, value, extra=None):
        if value:
            self.add_class("line-through")
        else:
            self.remove_class("line-through")


class PyListTemplate:
    """A list widget whose items are `item_class` instances (the alpha's todo list)."""

    theme = PyWidgetTheme("flex flex-col-reverse mt-8 mx-8")
    item_class = PyItemTemplate

    def __init__(self, parent):
        self.parent = parent
        self._children = []
        self._id = parent.id

    @property
    def children(self):
        return self._children

    @property
    def data(self):
        return [child.data for child in self._children]

    def connect(self):
        self.md = document.createElement("div")
        self.md.id = f"{self._id}-list-tasks-container"
        if self.theme:
            self.theme.theme_it(self.md)
        self.parent.appendChild(self.md)

    def add(self, *args, **kws):
        child = args[0] if args and isinstance(args[0], self.item_class) else self.item_class(*args, **kws)
        child.register_parent(self)
        return self._add(child)

    def _add(self, child):
        self.pre_child_append(child)
        child.pre_append()
        self._children.append(child)
        self.md.appendChild(child.create().element)
        child.post_append()
        self.child_appended(child)
        return child

    def pre_child_append(self, child):
        pass

    def child_appended(self, child):
        pass


# -- plugins (2022.12 - 2023.05): `plugins = [...]` in <py-config> -----------------------------


class Plugin:
    """Base class of classic Python plugins; the classic layer calls the hooks it knows."""

    def __init__(self, name=None):
        self.name = name or type(self).__name__
        self._custom_elements = []
        self.app = None

    def init(self, app):
        self.app = app

    def configure(self, config):
        pass

    def afterSetup(self, interpreter):
        pass

    def afterStartup(self, interpreter):
        pass

    def beforePyScriptExec(self, interpreter, src, pyScriptTag):
        pass

    def afterPyScriptExec(self, interpreter, src, pyScriptTag, result):
        pass

    def beforePyReplExec(self, interpreter, src, outEl, pyReplTag):
        pass

    def afterPyReplExec(self, interpreter, src, outEl, pyReplTag, result):
        pass

    def onUserError(self, error):
        pass

    def register_custom_element(self, tag):
        """@plugin.register_custom_element("py-md") on a class: each <py-md> gets Class(element).connect()."""

        def wrapper(cls):
            from _pyscript_js import define_custom_element

            proxy = create_proxy(cls)
            _proxies.append(proxy)
            define_custom_element(tag, proxy)
            self._custom_elements.append(tag)
            return cls

        return wrapper


_plugins = []


def _load_plugin(module_name, config):
    """Import a plugin module the classic layer wrote to its folder and run its start hooks."""
    import importlib

    module = importlib.import_module(module_name)
    plugin = getattr(module, "plugin", None)
    if isinstance(plugin, Plugin):
        _plugins.append(plugin)
        plugin.init(None)
        plugin.configure(config.to_py() if hasattr(config, "to_py") else config)
        plugin.afterSetup(None)
        plugin.afterStartup(None)


# -- APIs Pyodide has moved since classic pages were written --------------------------------------


def _shim_moved_pyodide_apis():
    """`from pyodide import create_proxy, to_js, open_url, eval_code...` as the Pyodide of 2022 had them."""
    import pyodide
    import pyodide.code
    import pyodide.ffi
    import pyodide.http

    moved = {
        pyodide.ffi: ("create_proxy", "create_once_callable", "to_js", "JsProxy", "JsException",
                      "destroy_proxies", "ConversionError", "IN_BROWSER", "register_js_module",
                      "unregister_js_module"),
        pyodide.http: ("open_url", "pyfetch"),
        pyodide.code: ("eval_code", "eval_code_async", "find_imports", "CodeRunner", "should_quiet", "run_js"),
    }
    for source, names in moved.items():
        for name in names:
            if not hasattr(pyodide, name) and hasattr(source, name):
                setattr(pyodide, name, getattr(source, name))
    if not hasattr(pyodide, "JsException") and hasattr(pyodide.ffi, "JsException"):
        pyodide.JsException = pyodide.ffi.JsException


_shim_moved_pyodide_apis()


# -- bokeh 2 pages on the bundle's bokeh 3 ----------------------------------------------------------
# Classic pages were written for bokeh 2.4 (their BokehJS is 2.4.x); offline they get the bundle's
# bokeh and the BokehJS of that version (server/libraries.py: the two must match). bokeh 3 removed
# what every bokeh 2 tutorial calls: `figure(plot_width=..., plot_height=...)` and `Panel` (now
# `TabPanel`). These names are given back, as aliases of their bokeh 3 names, when bokeh is first
# imported; nothing is imported early, so a page without bokeh pays nothing.

_BOKEH2_RENAMED = {"plot_width": "width", "plot_height": "height"}


def _bokeh2_keywords(cls):
    """`cls(plot_width=...)` as `cls(width=...)`: figure() checks its keywords before Plot sees them."""
    init = cls.__init__

    def __init__(self, *args, **kwargs):
        for old, new in _BOKEH2_RENAMED.items():
            if old in kwargs:
                kwargs.setdefault(new, kwargs.pop(old))
        init(self, *args, **kwargs)

    cls.__init__ = __init__


def _bokeh2_figure_arguments(module):
    if isinstance(getattr(module.figure, "plot_width", None), property):  # the alias given to Plot below
        _bokeh2_keywords(module.figure)


def _bokeh2_plot_arguments(module):
    plot = module.Plot
    if hasattr(plot, "plot_width"):
        return  # a bokeh that still has them
    _bokeh2_keywords(plot)
    for old, new in _BOKEH2_RENAMED.items():
        setattr(plot, old, property(lambda self, n=new: getattr(self, n), lambda self, value, n=new: setattr(self, n, value)))
    console.info("bokeh 2's plot_width/plot_height are given to this page as width/height (bokeh "
                 f"{getattr(sys.modules.get('bokeh'), '__version__', '3')} stands in for the bokeh 2 it was written for).")


def _bokeh2_panel(module):
    # bokeh 3.1 reused the name `Panel` for a new layout with no `child`: the names a page imports
    # (not bokeh's own modules) mean bokeh 2's tab again.
    if not hasattr(module, "TabPanel"):
        return
    for name in ("bokeh.models", "bokeh.models.widgets"):
        target = sys.modules.get(name)
        if target is not None:
            target.Panel = module.TabPanel


def _bokeh2_patch_doc(module):
    # Pages that link a Python document to BokehJS's (the `bokeh_interactive` example of every classic
    # release) send Python's changes with bokeh 2's `process_document_events(events, use_buffers)`,
    # which bokeh 3 folded into its PATCH-DOC message: given back as what it returned, the patch as
    # JSON text and its buffers as (reference, bytes) pairs. BokehJS 3 reads that patch as it is.
    if hasattr(module, "process_document_events"):
        return

    def process_document_events(events, use_buffers=True):
        message = module.patch_doc.create(list(events))
        buffers = [({"id": buffer.id}, buffer.to_bytes()) for buffer in message.buffers] if use_buffers else []
        return message.content_json, buffers

    module.process_document_events = process_document_events


class _Bokeh2Roots(list):
    """A bokeh 3 document's roots (a list of models) that also answers bokeh 2's `roots["root_ids"]`: the
    same pages read the root's id that way, then hand the document to BokehJS 3, which reads the list."""

    def __getitem__(self, key):
        if key == "root_ids":
            return [root["id"] for root in self]
        return super().__getitem__(key)


def _bokeh2_docs_json(module):
    make = module.standalone_docs_json_and_render_items
    if getattr(make, "_bokeh2", False):
        return

    def standalone_docs_json_and_render_items(*args, **kwargs):
        docs_json, render_items = make(*args, **kwargs)
        for doc in docs_json.values():
            if isinstance(doc.get("roots"), list):
                doc["roots"] = _Bokeh2Roots(doc["roots"])
        return docs_json, render_items

    standalone_docs_json_and_render_items._bokeh2 = True
    module.standalone_docs_json_and_render_items = standalone_docs_json_and_render_items


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real loader, then a patch on the fresh module."""

    def __init__(self, loader, patch):
        self.loader, self.patch = loader, patch

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        self.patch(module)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Patches a module right after its first import, without importing anything early."""

    def __init__(self, patches):
        self.patches = patches

    def find_spec(self, name, path, target=None):
        patch = self.patches.get(name)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _PatchingLoader(spec.loader, patch)
                return spec
        return None


sys.meta_path.insert(0, _AfterImport({"bokeh.models.plots": _bokeh2_plot_arguments, "bokeh.models": _bokeh2_panel,
                                       "bokeh.plotting._figure": _bokeh2_figure_arguments,
                                       "bokeh.protocol.messages.patch_doc": _bokeh2_patch_doc,
                                       "bokeh.embed.util": _bokeh2_docs_json}))



# -- the packages' deprecation warnings go to the console -----------------------------------------
# A classic page was written for the packages of its Pyodide (2022-2023); offline, today's versions
# stand in, and they warn of deprecations those never had (altair 5 of `selection_single`, bokeh 3.6
# of `circle(size=...)`). Shown in the page, in red, they made a working page look broken for the
# app's substitution. The packages' own deprecation warnings (their warning classes, or raised in
# their files) go to the console; every other warning shows as before.

_DEPRECATIONS = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def _console_for_package_deprecations(show):
    def showwarning(message, category, filename, lineno, file=None, line=None):
        package = (getattr(category, "__module__", "") or "").split(".")[0]
        if package in ("", "builtins", "warnings", "__main__"):
            found = re.search(r"/site-packages/([^/]+)/", str(filename))
            package = found.group(1) if found else ""
        if package and issubclass(category, _DEPRECATIONS):
            console.warn(f"[pyscript-desktop] {category.__name__}: {message} (today's {package} stands in for the "
                         "version this classic page was written for)")
            return
        show(message, category, filename, lineno, file, line)

    return showwarning


warnings.showwarning = _console_for_package_deprecations(warnings.showwarning)


def _report_task_errors(loop_, context):
    """An asyncio task that failed with nobody awaiting it (`pyscript.run_until_complete(f())`,
    `asyncio.ensure_future`) would only log to the console: show it like any other error."""
    import traceback

    error = context.get("exception")
    if error is None:
        loop_.default_exception_handler(context)
        return
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__)).rstrip()
    errors = getattr(js.window, "__pyscriptDesktopErrors", None)
    if errors is not None:
        errors.show(text)
    console.error(text)


loop.set_exception_handler(_report_task_errors)


# -- used by the classic layer (pyscript.js) ---------------------------------------------------


async def _run(code, namespace, target_id):
    """Run one <py-script>/<py-repl>: top-level await allowed, last expression displayed."""
    global _current_target
    _current_target = target_id
    _mark_output(target_id)
    try:
        result = await eval_code_async(code, namespace, return_mode="last_expr")
        if result is not None and target_id:
            write(target_id, result, append=True)
        return None
    except BaseException as error:  # noqa: BLE001 - shown in the page as a classic red box; the page goes on
        return _user_traceback(error)
    finally:
        _current_target = None


def _mark_output(target_id):
    """The alpha's sys.stdout knew its target element's id as `_out` (the official antigravity
    example reads `sys.stdout._out`); modern Pyodide's stdout takes the attribute as well."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        try:
            stream._out = target_id
        except AttributeError:
            pass


def _user_traceback(error):
    """The traceback of the page's code only, without this module's and Pyodide's frames."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__)
              if not f.filename.startswith(("/lib/python", "/lib/pyscript-desktop-classic/"))]
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


from classic_config import parse_config as _parse_config  # noqa: E402, F401  (shared with `migrate`)
