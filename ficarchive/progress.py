"""Progress of a long command in stages: a bar on a terminal, one line per stage elsewhere.

`StageProgress` is the callback `backups.backup` and `backups.restore` take — `(stage, done,
total)` — so the services say what they are doing and the command decides how it is shown: a
bar redrawn in place when stderr is a terminal, and in logs (cron, systemd) one line when a
stage starts, without a flood of carriage returns.
"""

from __future__ import annotations

import time
from typing import TextIO

BAR = 30
# Redraws a second: more is flicker, and a fast stage with thousands of steps stays cheap.
REDRAWS_PER_SECOND = 10


class StageProgress:
    def __init__(self, stream: TextIO, *, interactive: bool | None = None) -> None:
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self.stage = ""
        self.drawn_at = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.finish()
            self.stage = stage
            self.drawn_at = 0.0  # a stage's first step is always drawn, however soon it comes
            if not self.interactive:
                self.stream.write(f"{stage}…\n")
                self.stream.flush()
        if not self.interactive:
            return
        now = time.monotonic()
        if done < total and now - self.drawn_at < 1 / REDRAWS_PER_SECOND:
            return
        self.drawn_at = now
        share = done / total if total > 0 else 1.0
        bar = "#" * int(BAR * share)
        self.stream.write(f"\r[{bar:<{BAR}}] {share:4.0%} {stage}")
        self.stream.flush()

    def finish(self) -> None:
        """End the line of the stage being drawn (before other output, or at the end)."""
        if self.interactive and self.stage:
            self.stream.write("\n")
            self.stream.flush()
        self.stage = ""
