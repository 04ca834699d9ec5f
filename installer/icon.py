"""The application's icon, drawn at build time: the character 通 in white on a red rounded square.

Drawn with Pillow (a ReportLab dependency, so always installed) and the bundled WenQuanYi font,
so the repository carries no binary image and every build, Linux or Windows, draws the same one.
Drawn large and scaled down, because Pillow does not antialias shapes.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from project import ROOT

FONT = ROOT / "src" / "tongban" / "assets" / "fonts" / "wqy-microhei.ttc"
MASTER = 1024
RED = (196, 30, 42, 255)
GOLD = (240, 200, 90, 255)
WHITE = (255, 255, 255, 255)
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)  # the hicolor theme's usual sizes
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)  # Windows picks the nearest for each view


def draw_master() -> Image.Image:
    image = Image.new("RGBA", (MASTER, MASTER), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin, radius = MASTER // 32, MASTER // 5
    box = (margin, margin, MASTER - margin, MASTER - margin)
    draw.rounded_rectangle(box, radius=radius, fill=RED)
    inset = MASTER // 11
    inner = (inset, inset, MASTER - inset, MASTER - inset)
    draw.rounded_rectangle(inner, radius=radius - inset // 2, outline=GOLD, width=MASTER // 64)
    font = ImageFont.truetype(str(FONT), size=int(MASTER * 0.62), index=0)
    draw.text((MASTER / 2, MASTER / 2), "通", font=font, fill=WHITE, anchor="mm")
    return image


def write_icons(folder: Path) -> Path:
    """PNG files tongban-<size>.png and tongban.ico in `folder`; returns the 256-pixel PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    master = draw_master()
    for size in PNG_SIZES:
        master.resize((size, size), Image.Resampling.LANCZOS).save(folder / f"tongban-{size}.png")
    master.resize((256, 256), Image.Resampling.LANCZOS).save(
        folder / "tongban.ico", sizes=[(s, s) for s in ICO_SIZES]
    )
    return folder / "tongban-256.png"


if __name__ == "__main__":
    import sys

    print(write_icons(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "build" / "icons"))
