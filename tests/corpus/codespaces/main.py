from pyscript import document, when

print("Word builder ready")
halves = ["", ""]


def show():
    if all(halves):
        print("together:", halves[0] + halves[1])


# the decorator way
@when("click", "#first-half")
async def first(event):
    halves[0] = "RAIN"
    print("first half:", halves[0])
    show()


# the onclick way
def second(event):
    halves[1] = "BOW"
    print("second half:", halves[1])
    show()


document.getElementById("second-half").onclick = second
