"""Reads the BlockCode stamp (Sources/Media/BlockCode.swift) off a decoded luma plane."""
COLUMNS, ROWS, BLOCK, MARGIN = 16, 6, 8, 8


def crc16(data):
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def read(luma):
    """luma: 2-D array (rows, columns). Returns (frame_counter, wall_clock_ms) or None."""
    bits = []
    for index in range(COLUMNS * ROWS):
        x = MARGIN + (index % COLUMNS) * BLOCK + BLOCK // 2
        y = MARGIN + (index // COLUMNS) * BLOCK + BLOCK // 2
        bits.append(1 if luma[y][x] > 128 else 0)
    data = bytes(int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, len(bits), 8))
    if crc16(data[:10]) != int.from_bytes(data[10:12], "big"):
        return None
    return int.from_bytes(data[0:4], "big"), int.from_bytes(data[4:10], "big")
