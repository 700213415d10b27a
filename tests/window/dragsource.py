"""A tiny window that drags one file (argv[1]) when pressed: a person dragging from a file manager."""
import sys
from pathlib import Path

from qtpy.QtCore import QMimeData, Qt, QUrl
from qtpy.QtGui import QDrag
from qtpy.QtWidgets import QApplication, QLabel

app = QApplication(sys.argv)
path = Path(sys.argv[1]).resolve()


class Source(QLabel):
    def mousePressEvent(self, event):  # noqa: N802
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        drag = QDrag(self)
        drag.setMimeData(data)
        drag.exec(Qt.DropAction.CopyAction)


label = Source(f"drag {path.name}")
label.setWindowTitle("drag source")
label.resize(200, 100)
label.move(0, 0)
label.show()
app.exec()
