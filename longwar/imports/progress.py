"""Progress of a long import: a bar on a terminal (tqdm), a plain line every few seconds otherwise.

The file is read once, so the total number of records is not known in advance: the bar measures the bytes
read (which gives the time left) and shows the records done and their rate beside it.
"""

import time
from typing import TextIO

from tqdm import tqdm


class Progress:
    def __init__(
        self, *, total_bytes: int, stream: TextIO, label: str, every: float = 10.0, enabled: bool = True
    ):
        self.total, self.stream, self.label, self.every = max(total_bytes, 1), stream, label, every
        self.items, self.position = 0, 0
        self.started = self.last_line = time.monotonic()
        self.enabled = enabled
        self.bar = None
        if enabled and stream.isatty():
            self.bar = tqdm(
                total=self.total,
                file=stream,
                desc=label,
                unit="B",
                unit_scale=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
            )

    def advance(self, *, items: int = 0, position: int | None = None) -> None:
        self.items += items
        if position is not None:
            self.position = min(position, self.total)
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.items:,} items, {self.rate():,.0f}/s", refresh=False)
            self.bar.update(self.position - self.bar.n)
        elif self.enabled and time.monotonic() - self.last_line >= self.every:
            self.last_line = time.monotonic()
            self.stream.write(f"{self.label}: {self.line()}\n")
            self.stream.flush()

    def rate(self) -> float:
        return self.items / max(time.monotonic() - self.started, 1e-6)

    def line(self) -> str:
        done = self.position / self.total
        elapsed = time.monotonic() - self.started
        left = elapsed * (1 - done) / done if done else 0
        return (
            f"{done:4.0%} of the file, {self.items:,} items, {self.rate():,.0f}/s, about {left:,.0f} s left"
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
