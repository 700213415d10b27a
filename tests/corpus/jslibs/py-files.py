import js
from pyscript import document
from pyscript.js_modules import three

d3 = await js.eval('import("https://esm.run/d3@7")')
vector = three.Vector3.new(3, 4, 0)
total = d3.sum([1, 2, 3, 4])
document.querySelector("#out").innerText = f"three r{three.REVISION} length {vector.length()}, d3 sum {total}"
