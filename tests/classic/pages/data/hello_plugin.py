# A page's own classic Python plugin (2023.03-2023.05 style): defines the <py-hello> element.
from js import document
from pyscript import Plugin


class HelloPlugin(Plugin):
    def configure(self, config):
        document.getElementById("configured").textContent = f"configured with name={config['name']}"


plugin = HelloPlugin("py-hello")


@plugin.register_custom_element("py-hello")
class PyHello:
    def __init__(self, element):
        self.element = element

    def connect(self):
        name = self.element.originalInnerHTML.strip() or "nobody"
        self.element.innerHTML = f"<b>Hello, {name}!</b>"
