"""Rates over the sampled production log. `share_<category>` is the category distribution: a sudden shift
between two reports (say outage from 2% to 30%) is worth a look even when every rate is within its gate."""
from promptflow import log_metric
from promptflow.core import tool

CATEGORIES = ("billing", "technical", "account", "shipping", "outage", "other")


def _rate(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


@tool
def production_metrics(checks: list) -> dict:
    lines = [check for check in checks if isinstance(check, dict)]
    total = len(lines)

    def flagged(flag: str) -> int:
        return sum(1 for line in lines if flag in (line.get("flags") or []))

    metrics = {
        "lines": total,
        "invalid_category_rate": _rate(flagged("invalid_category"), total),
        "low_confidence_rate": _rate(flagged("low_confidence"), total),
        "other_rate": _rate(flagged("other"), total),
        "invalid_priority_rate": _rate(flagged("invalid_priority"), total),
        "empty_ticket_rate": _rate(flagged("empty_ticket"), total),
        "mean_confidence": round(sum(float(line.get("confidence") or 0.0) for line in lines) / total, 4) if total else 0.0,
    }
    for category in CATEGORIES + ("invalid",):
        metrics["share_" + category] = _rate(sum(1 for line in lines if line.get("category") == category), total)

    for name, value in metrics.items():
        log_metric(name, value)
    return metrics
