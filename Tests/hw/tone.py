"""A 1 kHz tone, 48 kHz S16_LE mono, 2 s: what the guest plays into snd-aloop."""
import math
import struct
import sys
import wave

with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(48000)
    w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 1000 * i / 48000))) for i in range(96000)))
