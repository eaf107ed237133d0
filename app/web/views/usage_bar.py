"""The line above the composer: how full the selected model's context window is (a <meter> and its words,
e.g. "12% of the context window"), the open conversation's tokens and cost, and the note that older messages
were left out to fit the window. Renders from `Assistant.usage_summary()`; hidden while there is nothing to say.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from app.web.dom import h, set_attr, text

if TYPE_CHECKING:
    from app.model_choice import UsageSummary


class UsageBar:
    def __init__(self) -> None:
        self.notice = h("p", {"class": "context-notice", "role": "status", "hidden": True})
        self.meter = h(
            "meter",
            {
                "class": "window-gauge",
                "min": "0",
                "max": "100",
                "low": "70",
                "high": "90",
                "optimum": "0",
                "value": "0",
                "aria-labelledby": "window-text",
            },
        )
        self.window_text = h("span", {"class": "window-text", "id": "window-text"})
        self.gauge = h("span", {"class": "gauge"}, self.meter, self.window_text)
        self.totals = h(
            "span",
            {"class": "conversation-usage", "title": "Tokens and estimated cost of this conversation at list prices"},
        )
        self.line = h("div", {"class": "usage-line"}, self.gauge, self.totals)
        self.el = h("div", {"class": "usage-bar", "id": "usage-bar", "hidden": True}, self.notice, self.line)
        self._state: Optional[tuple] = None

    def render(self, summary: UsageSummary) -> None:
        gauge = summary.gauge
        state = (summary.totals, summary.notice, gauge.describe() if gauge else None, gauge.level if gauge else None)
        if state == self._state:
            return
        self._state = state
        self.notice.hidden = not summary.notice
        text(self.notice, summary.notice)
        self.gauge.hidden = gauge is None
        if gauge is not None:
            self.meter.value = gauge.percent
            set_attr(self.meter, "data-level", gauge.level)
            text(self.window_text, gauge.describe())
        self.totals.hidden = not summary.totals
        text(self.totals, ("This conversation: " + summary.totals) if summary.totals else "")
        self.line.hidden = gauge is None and not summary.totals
        self.el.hidden = self.line.hidden and not summary.notice
