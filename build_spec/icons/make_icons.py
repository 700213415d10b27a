"""Draws the app icon (a Python-blue page with a yellow play mark) and writes every format the installers need.

Run once after changing the drawing; the outputs are committed so builds need no Pillow:
    .venv/bin/python build_spec/icons/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
BLUE, DARK, YELLOW, WHITE = (55, 118, 171), (38, 84, 124), (255, 212, 59), (255, 255, 255)


def draw(size: int = 1024) -> Image.Image:
    """The icon at `size` pixels: a rounded tile, a folded page, a play triangle (run the page)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    s = size / 1024
    d.rounded_rectangle((40 * s, 40 * s, 984 * s, 984 * s), radius=200 * s, fill=BLUE)
    fold = 170 * s
    left, top, right, bottom = 250 * s, 170 * s, 774 * s, 854 * s
    d.polygon([(left, top), (right - fold, top), (right, top + fold), (right, bottom), (left, bottom)], fill=WHITE)
    d.polygon([(right - fold, top), (right - fold, top + fold), (right, top + fold)], fill=DARK)
    d.polygon([(420 * s, 390 * s), (420 * s, 720 * s), (660 * s, 555 * s)], fill=YELLOW)
    return image


def main() -> None:
    master = draw()
    for size in SIZES:
        master.resize((size, size), Image.LANCZOS).save(HERE / f"pyscript-desktop-{size}.png")
    master.resize((256, 256), Image.LANCZOS).save(
        HERE / "pyscript-desktop.ico", sizes=[(n, n) for n in (16, 24, 32, 48, 64, 128, 256)]
    )
    master.resize((1024, 1024), Image.LANCZOS).save(HERE / "pyscript-desktop.icns")


if __name__ == "__main__":
    main()
