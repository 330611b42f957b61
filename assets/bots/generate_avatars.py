#!/usr/bin/env python3
"""Draws the five bot avatars (128x128 PNG) from simple shapes; no fonts, no third-party modules.

Run from anywhere: python3 assets/bots/generate_avatars.py  (rewrites the PNGs beside this file).
"""
import math
import os
import struct
import zlib

SIZE = 128
SS = 4  # supersampling per axis, for smooth edges
WHITE = (255, 255, 255)


def circle(cx, cy, r):
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def ring(cx, cy, r_in, r_out):
    return lambda x, y: r_in * r_in <= (x - cx) ** 2 + (y - cy) ** 2 <= r_out * r_out


def rect(x0, y0, x1, y1):
    return lambda x, y: x0 <= x <= x1 and y0 <= y <= y1


def rounded_rect(x0, y0, x1, y1, r):
    def inside(x, y):
        if not (x0 <= x <= x1 and y0 <= y <= y1):
            return False
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
    return inside


def arc(cx, cy, r_in, r_out, a0, a1):
    """Ring sector between angles a0..a1 (degrees, 0 = right, counter-clockwise, y up)."""
    def inside(x, y):
        d2 = (x - cx) ** 2 + (y - cy) ** 2
        if not (r_in * r_in <= d2 <= r_out * r_out):
            return False
        a = math.degrees(math.atan2(cy - y, x - cx))
        return a0 <= a <= a1
    return inside


def segment(x0, y0, x1, y1, w):
    """A thick line with round caps."""
    def inside(x, y):
        dx, dy = x1 - x0, y1 - y0
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / (dx * dx + dy * dy)))
        px, py = x0 + t * dx, y0 + t * dy
        return (x - px) ** 2 + (y - py) ** 2 <= (w / 2) ** 2
    return inside


def triangle(a, b, c):
    def inside(x, y):
        def side(p, q):
            return (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])
        s1, s2, s3 = side(a, b), side(b, c), side(c, a)
        return (s1 >= 0 and s2 >= 0 and s3 >= 0) or (s1 <= 0 and s2 <= 0 and s3 <= 0)
    return inside


def ellipse(cx, cy, rx, ry, angle_deg):
    t = math.radians(angle_deg)
    def inside(x, y):
        dx, dy = x - cx, y - cy
        u = dx * math.cos(t) + dy * math.sin(t)
        v = -dx * math.sin(t) + dy * math.cos(t)
        return (u / rx) ** 2 + (v / ry) ** 2 <= 1
    return inside


def render(background, layers):
    """layers: list of (shape, colour), painted in order over a filled circle of `background`."""
    disc = circle(64, 64, 63.5)
    rows = []
    for py in range(SIZE):
        row = bytearray([0])  # PNG filter type 0
        for px in range(SIZE):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    x = px + (sx + 0.5) / SS
                    y = py + (sy + 0.5) / SS
                    if not disc(x, y):
                        continue
                    colour = background
                    for shape, c in layers:
                        if shape(x, y):
                            colour = c
                    acc[0] += colour[0]
                    acc[1] += colour[1]
                    acc[2] += colour[2]
                    acc[3] += 255
            n = SS * SS
            alpha = acc[3] // n
            if alpha == 0:
                row += bytes(4)
            else:
                covered = acc[3] // 255
                row += bytes([acc[0] // covered, acc[1] // covered, acc[2] // covered, alpha])
        rows.append(bytes(row))
    return png(b"".join(rows))


def png(raw):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


AVATARS = {
    # EchoBot: a dot and three sound waves going out.
    "echo_bot": ((30, 136, 229), [
        (circle(40, 64, 9), WHITE),
        (arc(40, 64, 20, 27, -50, 50), WHITE),
        (arc(40, 64, 36, 43, -50, 50), WHITE),
        (arc(40, 64, 52, 59, -45, 45), WHITE),
    ]),
    # CounterBot: a bold plus.
    "counter_bot": ((67, 160, 71), [
        (rounded_rect(56, 28, 72, 100, 6), WHITE),
        (rounded_rect(28, 56, 100, 72, 6), WHITE),
    ]),
    # ClockBot: a clock face at ten past two.
    "clock_bot": ((251, 140, 0), [
        (ring(64, 64, 34, 42), WHITE),
        (segment(64, 64, 64, 38, 8), WHITE),
        (segment(64, 64, 82, 72, 8), WHITE),
        (circle(64, 64, 6), WHITE),
    ]),
    # MusicBot: a quaver (eighth note).
    "music_bot": ((142, 36, 170), [
        (ellipse(54, 86, 14, 10, -25), WHITE),
        (rect(63, 32, 70, 86), WHITE),
        (triangle((66, 32), (92, 50), (66, 50)), WHITE),
    ]),
    # ChatBot: a speech bubble with three dots.
    "chat_bot": ((229, 57, 53), [
        (rounded_rect(26, 34, 102, 84, 14), WHITE),
        (triangle((40, 80), (58, 82), (36, 100)), WHITE),
        (circle(46, 59, 6), (229, 57, 53)),
        (circle(64, 59, 6), (229, 57, 53)),
        (circle(82, 59, 6), (229, 57, 53)),
    ]),
}

if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    for name, (background, layers) in AVATARS.items():
        path = os.path.join(here, name + ".png")
        with open(path, "wb") as f:
            f.write(render(background, layers))
        print(path, os.path.getsize(path), "bytes")
