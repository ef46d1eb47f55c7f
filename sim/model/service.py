"""Customer service: inquiries queue for agents on shifts.

The agents are a SimPy ``Resource`` whose slots are agents x concurrency (an agent
answers several chats at once) and whose capacity follows the shifts; when a shift ends
an agent finishes the current chats before leaving. Each inquiry waits for a slot in
first-come order; a shopper whose patience runs out before a slot frees up leaves
(reneging) and is skipped when reached, taking no agent time. The wait until a slot frees
is the first-response time. With constant staffing and exponential times this is the
M/M/c+M queue; with infinite patience M/M/c, whose mean wait is given by Erlang C.
Each inquiry is a chain of SimPy events with callbacks (cheaper than a process each).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy

PRE, AFTER = 0, 1


class ShiftDesk(simpy.Resource):
    """A SimPy ``Resource`` whose capacity follows the staffing plan.

    Lowering the capacity grants no new chats until enough running chats end: an agent
    whose shift is over finishes the current chats first. Raising it serves the queue at
    once.
    """

    def set_capacity(self, slots: int) -> None:
        """Put ``slots`` chat slots on duty from now."""
        grow = slots > self._capacity
        self._capacity = slots
        if grow:
            self._trigger_put(None)


@dataclass
class Tickets:
    """Growable ticket records (documented in sim.results.TABLES["tickets"])."""

    kind: list[int] = field(default_factory=list)
    sku: list[int] = field(default_factory=list)
    order_id: list[int] = field(default_factory=list)
    arrive_h: list[float] = field(default_factory=list)
    wait_min: list[float] = field(default_factory=list)
    answered: list[bool] = field(default_factory=list)
    handle_min: list[float] = field(default_factory=list)
    converted: list[bool] = field(default_factory=list)


class ServiceDesk:
    """Agents on shifts answering pre- and after-sale inquiries."""

    def __init__(self, env: simpy.Environment, params):
        self.env = env
        self.params = params
        self.desk = ShiftDesk(env, capacity=1)
        self.desk.set_capacity(0)
        self.tickets = Tickets()
        self.agent_hours = 0.0

    def set_agents(self, agents: int) -> None:
        """Put ``agents`` on duty from now (called when the plan changes)."""
        self.desk.set_capacity(agents * self.params.concurrency)

    def inquire(
        self,
        kind: int,
        sku: int,
        order_id: int,
        delay_h: float,
        patience_min: float,
        handle_min: float,
        on_answer: Callable[[int, float, bool], bool],
    ) -> None:
        """Start an inquiry ``delay_h`` hours from now.

        ``on_answer(ticket, wait_min, answered)`` is called when the inquiry is answered
        or abandoned and returns whether it led to a purchase. The inquiry is a chain of
        SimPy events (arrival, request for a slot, end of the chat) with callbacks, which
        is the same as a process but without a generator per inquiry.
        """
        arrival = self.env.timeout(delay_h)
        arrival.callbacks.append(
            lambda _ev: self._arrive(kind, sku, order_id, patience_min, handle_min, on_answer)
        )

    def _arrive(self, kind, sku, order_id, patience_min, handle_min, on_answer) -> None:
        arrived = self.env.now
        req = self.desk.request()
        req.callbacks.append(
            lambda _ev: self._granted(
                req, arrived, kind, sku, order_id, patience_min, handle_min, on_answer
            )
        )

    def _granted(
        self, req, arrived, kind, sku, order_id, patience_min, handle_min, on_answer
    ) -> None:
        env = self.env
        wait_min = (env.now - arrived) * 60
        answered = wait_min <= patience_min
        ticket = self.record(kind, sku, order_id, arrived, wait_min, answered, handle_min)
        if not answered:
            # the shopper left when patience ran out; the slot goes to the next in line at once
            self.desk.release(req)
            self.tickets.converted[ticket] = bool(on_answer(ticket, patience_min, False))
            return
        self.tickets.converted[ticket] = bool(on_answer(ticket, wait_min, True))
        done = env.timeout(handle_min / 60)
        done.callbacks.append(lambda _ev: self.desk.release(req))

    def record(self, kind, sku, order_id, arrived, wait_min, answered, handle_min) -> int:
        """Add a ticket; return its number (abandoned: the wait is the patience)."""
        t = self.tickets
        t.kind.append(kind)
        t.sku.append(sku)
        t.order_id.append(order_id)
        t.arrive_h.append(arrived)
        t.wait_min.append(wait_min)
        t.answered.append(answered)
        t.handle_min.append(handle_min if answered else 0.0)
        t.converted.append(False)
        return len(t.kind) - 1

    def ask_and_wait(self, kind, sku, order_id, patience_min, handle_min, on_answer):
        """The textbook SimPy reneging process, for a visitor process to ``yield from``.

        The shopper requests an agent and waits for the grant or the end of their patience,
        whichever comes first (``request | timeout``). The per-visitor reference model uses
        it; it must agree in distribution with the callback chain of :meth:`inquire`.
        """
        env = self.env
        arrived = env.now
        req = self.desk.request()
        got = yield req | env.timeout(patience_min / 60)
        if req not in got:
            req.cancel()
            ticket = self.record(kind, sku, order_id, arrived, patience_min, False, handle_min)
            self.tickets.converted[ticket] = bool(on_answer(ticket, patience_min, False))
            return
        wait_min = (env.now - arrived) * 60
        ticket = self.record(kind, sku, order_id, arrived, wait_min, True, handle_min)
        self.tickets.converted[ticket] = bool(on_answer(ticket, wait_min, True))
        yield env.timeout(handle_min / 60)
        self.desk.release(req)


def draw_times(rng: np.random.Generator, n: int, params) -> tuple[np.ndarray, np.ndarray]:
    """Patience and handling times (minutes), exponential with the configured means."""
    return rng.exponential(params.patience_min_mean, n), rng.exponential(params.handle_min_mean, n)
