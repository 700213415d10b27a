"""Print the X clipboard's text, as another program pasting would see it."""
from qtpy.QtWidgets import QApplication

app = QApplication([])
print(app.clipboard().text())
