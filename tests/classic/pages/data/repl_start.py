counter = globals().get("counter", 0) + 1
f"run {counter}"
