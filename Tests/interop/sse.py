"""Reads an `/api/events` stream (server-sent events) on a thread, keeping each event."""
import json
import threading
import time
import urllib.request


class EventReader:
    def __init__(self, base):
        self.events = []  # (type, data dict)
        self.comments = 0
        self.response = urllib.request.urlopen(base + "/api/events", timeout=30)
        assert self.response.headers["Content-Type"].startswith("text/event-stream")
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        kind, data = None, None
        try:
            for raw in self.response:
                line = raw.decode().rstrip("\n")
                if line.startswith(":"):
                    self.comments += 1
                elif line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = json.loads(line[6:])
                elif line == "" and kind:
                    self.events.append((kind, data))
                    kind, data = None, None
        except (OSError, ValueError, AttributeError):  # AttributeError: closed under the reader
            pass

    def wait_for(self, kind, timeout=10, **fields):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for k, data in self.events:
                if k == kind and all(data.get(key) == value for key, value in fields.items()):
                    return data
            time.sleep(0.05)
        raise AssertionError(f"no {kind} event with {fields} in {self.events}")

    def close(self):
        self.response.close()
