"""Checks one logged prediction for the signals that need no ground truth: an answer outside the fixed category
set, a low confidence, the catch-all "other", a missing priority, an empty ticket."""
from promptflow.core import tool

CATEGORIES = ("billing", "technical", "account", "shipping", "outage", "other")
PRIORITIES = ("P1", "P2", "P3", "P4")


@tool
def check_prediction(ticket_text: str, category: str, confidence: float, priority: str = "", low_confidence_threshold: float = 0.5) -> dict:
    label = str(category or "").strip().lower()
    try:
        score = float(confidence)
    except (TypeError, ValueError):
        score = 0.0
    flags = []
    valid_category = label in CATEGORIES
    if not valid_category:
        flags.append("invalid_category")
    low_confidence = score < float(low_confidence_threshold)
    if low_confidence:
        flags.append("low_confidence")
    if label == "other":
        flags.append("other")
    if str(priority or "") not in PRIORITIES:
        flags.append("invalid_priority")
    if not str(ticket_text or "").strip():
        flags.append("empty_ticket")
    return {
        "category": label if valid_category else "invalid",
        "confidence": score,
        "valid_category": valid_category,
        "low_confidence": low_confidence,
        "flags": flags,
    }
