"""Finance: the profit and loss by day, and cash.

Accrual lines (yuan): revenue is what shoppers paid, recognised at payment (a pre-sale
at balance payment; a forfeited deposit when forfeited); refunds when refunded; cost of
goods at sale, reversed when a returned item goes back to stock; commission and payment
fees on revenue (commission refunded with refunds, payment fees not); ads per click;
shipping per parcel; gifts per order; holding cost daily on stock on hand; staff wages
per hour on duty; penalties as the platform levies them; platform fees and the store's
fixed overheads (office, operations and design salaries, software) daily.

    net profit = revenue - refunds - cogs - commission - payment_fees - ads - shipping
                 - gifts - holding - staff - penalties - platform_fees - overheads

Cash: the platform pays out an order's revenue less its fees ``settlement_days`` after
delivery (escrow); suppliers are paid when a purchase order is placed; ads, shipping,
staff, refunds, penalties, gifts and platform fees are paid when incurred. Holding cost is
an economic cost (capital and storage) and does not move cash here.
"""

from __future__ import annotations

LINES = (
    "revenue",
    "refunds",
    "cogs",
    "commission",
    "payment_fees",
    "ads",
    "shipping",
    "gifts",
    "holding",
    "staff",
    "penalties",
    "platform_fees",
    "overheads",
)
COST_LINES = LINES[2:]


class Books:
    """Daily accumulators of P&L lines and cash."""

    def __init__(self, cash: float):
        self.cash = round(float(cash), 2)
        self.today = dict.fromkeys(LINES, 0.0)
        self.cash_in = 0.0
        self.cash_out = 0.0
        self.rows: list[dict[str, float]] = []

    def book(self, line: str, amount: float, cash: float = 0.0) -> None:
        """Add ``amount`` to a P&L line and move ``cash`` (+ in, - out)."""
        self.today[line] += amount
        self.move(cash)

    def move(self, cash: float) -> None:
        """Move cash without a P&L line (settlements, supplier payments)."""
        if cash >= 0:
            self.cash_in += cash
        else:
            self.cash_out -= cash
        self.cash += cash

    def close_day(self, day: int) -> None:
        """Record today's lines and reset the accumulators."""
        row = {"day": day, **{k: round(v, 2) for k, v in self.today.items()}}
        row["net_profit"] = round(
            row["revenue"] - row["refunds"] - sum(row[k] for k in COST_LINES), 2
        )
        row["cash_in"] = round(self.cash_in, 2)
        row["cash_out"] = round(self.cash_out, 2)
        row["cash"] = round(self.cash, 2)
        self.rows.append(row)
        self.today = dict.fromkeys(LINES, 0.0)
        self.cash_in = self.cash_out = 0.0
