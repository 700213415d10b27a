# Written for this project in the style of a Pelican blog post's game script (see SOURCE.md):
# pyscript.document, handlers named by py-click / py-keydown, the key checked for "Enter".
from pyscript import document

message = document.querySelector("#game-message-txt")
entry = document.querySelector("#new-guess-txt")
total = 0


def reset(e):
    global total
    total = 0
    message.innerText = "Type whole numbers; the post adds them up"


reset(None)


def add(e):
    global total
    if not entry.value.isnumeric():
        message.innerText = "Come on, it needs to be a number"
        return
    total += int(entry.value)
    message.innerText = f"Running total: {total}"


def add_on_enter(e):
    if e.key == "Enter":
        add(e)
