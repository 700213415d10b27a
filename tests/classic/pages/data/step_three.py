steps.append("script src= ran third")
display(steps[-1], target="log")
