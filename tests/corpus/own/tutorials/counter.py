from pyscript import display, when
import numpy as np

clicks = np.zeros(1, dtype=int)


@when("click", "#click-me")
def on_click(event):
    clicks[0] += 1
    display(int(clicks[0]), target="clicks", append=False)
