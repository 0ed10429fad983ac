"""Draws icons/tray-template.png: the app's mark (its ring and play triangle, from source.svg)
as a macOS menu-bar template image: black with alpha only, 44×44 (22 pt at 2×)."""
import math, struct, zlib
N, S = 44, 8
c = N / 2
def inside(x, y):
    r = math.hypot(x - c, y - c)
    if 17.0 <= r <= 20.5:
        return True
    # the play triangle, its left edge at x=17, its tip at x=30
    if 17.0 <= x <= 30.0:
        half = 8.0 * (30.0 - x) / 13.0
        return abs(y - c) <= half
    return False
rows = []
for j in range(N):
    row = bytearray([0])
    for i in range(N):
        hits = sum(inside(i + (a + .5) / S, j + (b + .5) / S) for a in range(S) for b in range(S))
        row += bytes([0, 0, 0, round(255 * hits / (S * S))])
    rows.append(bytes(row))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b"")
open("icons/tray-template.png", "wb").write(png)
