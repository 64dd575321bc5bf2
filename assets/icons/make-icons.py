# Regenerates the PNG icon set in this folder: `pip install pillow && python3 assets/icons/make-icons.py` from the repository root.
# Renders Kith's app icon: two overlapping circles (people, kith) on a calm teal rounded square.
from PIL import Image, ImageDraw
S = 1024
img = Image.new("RGBA", (S, S), (0, 0, 0, 0))
d = ImageDraw.Draw(img)
d.rounded_rectangle([40, 40, S - 40, S - 40], radius=220, fill=(14, 94, 92, 255))
# two people as circles, overlapping: heads and shoulders
def person(cx, colour):
    d.ellipse([cx - 125, 235, cx + 125, 485], fill=colour)
    d.pieslice([cx - 230, 545, cx + 230, 1025], 180, 360, fill=colour)
TEAL = (14, 94, 92, 255)
def person_outline(cx, width):
    d.ellipse([cx - 125 - width, 255 - width, cx + 125 + width, 505 + width], fill=TEAL)
    d.pieslice([cx - 230 - width, 555 - width, cx + 230 + width, 1015 + width], 180, 360, fill=TEAL)
person(629, (158, 224, 208, 255))
person_outline(395, 28)
person(395, (236, 247, 244, 255))
out = "assets/icons/"
for size, name in [(32, "32x32.png"), (128, "128x128.png"), (256, "128x128@2x.png"), (512, "icon.png")]:
    img.resize((size, size), Image.LANCZOS).save(out + name)
