"""Draws the Teams app icons (stdlib only): teams/color.png (192x192, a white protokoll
page on the accent colour) and teams/outline.png (32x32, white on transparent)."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

ACCENT = (0x1F, 0x4E, 0x79, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)


def png(path: Path, pixels: list[list[tuple[int, int, int, int]]]) -> None:
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\0" + b"".join(bytes(p) for p in row) for row in pixels)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def page(size: int, background: tuple[int, int, int, int],
         ink: tuple[int, int, int, int]) -> list[list[tuple[int, int, int, int]]]:
    """A page with a folded corner and text lines, the lines cut out of the page."""
    s = size / 32
    left, right, top, bottom, fold = 8 * s, 24 * s, 4 * s, 28 * s, 5 * s
    lines = [(10 * s, 11.5 * s, 0.55), (14 * s, 15.5 * s, 0.7), (18 * s, 19.5 * s, 0.7),
             (22 * s, 23.5 * s, 0.45)]
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            cx, cy = x + 0.5, y + 0.5
            inside = left <= cx <= right and top <= cy <= bottom and not (
                cx > right - fold and cy < top + fold and (cx - (right - fold)) > (cy - top))
            for y0, y1, share in lines:
                if y0 <= cy <= y1 and left + 3 * s <= cx <= left + 3 * s + share * 10 * s:
                    inside = False
            row.append(ink if inside else background)
        rows.append(row)
    return rows


if __name__ == "__main__":
    folder = Path(__file__).resolve().parent.parent / "teams"
    png(folder / "color.png", page(192, ACCENT, WHITE))
    png(folder / "outline.png", page(32, CLEAR, WHITE))
