# Replace the code below with your own
print("Hello, world!")
