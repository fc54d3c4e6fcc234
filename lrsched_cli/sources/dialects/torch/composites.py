"""torch's composite schedulers, which share one optimizer between their children:
SequentialLR (children one after another; ``_update_lr(0)`` at each milestone, and the
construction-time quirks: one step undone, a nested SequentialLR advancing one step) and
ChainedScheduler (children stepped together). Either inside SequentialLR fails at a
milestone, as in torch.

Imports only the dialects' ``base`` and this package's ``schedulers``: never the rest of
``lrsched_cli.sources``, never typer, click, rich, plotext or matplotlib (not even inside a
function); numpy only inside functions.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from ..base import FrameworkError
from .schedulers import Group, ReduceLROnPlateau, Sched


class SequentialLR(Sched):
    def __init__(self, group: Group, schedulers: Any, milestones: Any) -> None:
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise FrameworkError("ValueError: SequentialLR expects at least one scheduler, but "
                                 "got no scheduler.")
        for i, s in enumerate(schedulers):
            if isinstance(s, ReduceLROnPlateau):
                raise FrameworkError(
                    "ValueError: SequentialLR does not support `ReduceLROnPlateau` scheduler as "
                    "it requires additional kwargs to be specified when calling `step`, but got "
                    f"one at index {i} in the given schedulers sequence.")
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise FrameworkError(
                "ValueError: Sequential Schedulers expects number of schedulers provided to be "
                "one more than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}")
        self.group = group
        self.schedulers, self.milestones = schedulers, milestones
        self.last_epoch = 0
        group["lr"] = group["initial_lr"]
        self.undo(self)
        self.schedulers[bisect_right(milestones, 0)].initial_step()

    def undo(self, s: Any) -> None:
        if hasattr(s, "schedulers"):
            for c in s.schedulers:
                self.undo(c)
        elif hasattr(s, "last_epoch"):
            s.last_epoch -= 1

    def initial_step(self) -> None:  # as LRScheduler._initial_step: one step()
        self.step_count = 0
        self.step()

    def update_lr(self, epoch: int | None) -> None:
        raise FrameworkError(_AT_MILESTONE.format(name="SequentialLR"))

    def step(self) -> None:
        self.last_epoch += 1
        idx = bisect_right(self.milestones, self.last_epoch)
        s = self.schedulers[idx]
        if idx > 0 and self.milestones[idx - 1] == self.last_epoch:
            s.update_lr(0)
        else:
            s.step()


class ChainedScheduler(Sched):
    def __init__(self, group: Group, schedulers: Any) -> None:
        schedulers = list(schedulers)
        if len(schedulers) < 1:
            raise FrameworkError("ValueError: ChainedScheduler expects at least one scheduler "
                                 "to be chained, but got no scheduler.")
        for i, s in enumerate(schedulers):
            if isinstance(s, ReduceLROnPlateau):
                raise FrameworkError(
                    "ValueError: ChainedScheduler does not support `ReduceLROnPlateau` scheduler "
                    "as it requires additional kwargs to be specified when calling `step`, but "
                    f"got one at index {i} in the given schedulers sequence.")
        self.group = group
        self.schedulers = schedulers

    def initial_step(self) -> None:
        self.step_count = 0
        self.step()

    def step(self) -> None:
        for s in self.schedulers:
            s.step()

    def update_lr(self, epoch: int | None) -> None:
        raise FrameworkError(_AT_MILESTONE.format(name="ChainedScheduler"))


# torch's SequentialLR starts the child of a milestone with child._update_lr(0), which calls
# child.get_lr(); composites have none, so LRScheduler.get_lr raises (torch 2.13).
_AT_MILESTONE = ("NotImplementedError: a {name} inside SequentialLR cannot start at a "
                 "milestone (torch calls its get_lr(), which composites do not implement: "
                 "LRScheduler.get_lr raises)")
