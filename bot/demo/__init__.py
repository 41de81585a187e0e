"""`apel demo`: one whole working day of the sample office, played through the real core with a
simulated clock and simulated people, on a throwaway database. See `bot.demo.script`."""

from bot.demo.clock import ScriptedClock
from bot.demo.script import DemoSummary, play_day

__all__ = ["DemoSummary", "ScriptedClock", "play_day"]
