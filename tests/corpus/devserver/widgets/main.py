import asyncio

from pyscript import document

from widgets.label import render


async def main():
    await asyncio.sleep(0)
    document.querySelector("#app").innerHTML = render("Widgets loaded from [files]")


asyncio.ensure_future(main())
