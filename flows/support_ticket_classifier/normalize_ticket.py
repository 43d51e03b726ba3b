"""Cleans the raw ticket before it reaches the model: collapses whitespace, bounds the length (cost and latency),
normalises the customer tier and derives a stable ticket reference for the acknowledgement."""
import hashlib
import re

from promptflow.core import tool

MAX_CHARS = 2000
KNOWN_TIERS = ("free", "standard", "premium", "enterprise")
URGENT_WORDS = ("urgent", "asap", "immediately", "down", "outage", "cannot work", "production", "emergency")


@tool
def normalize_ticket(ticket_text: str, customer_tier: str = "standard") -> dict:
    text = re.sub(r"\s+", " ", str(ticket_text or "")).strip()
    truncated = len(text) > MAX_CHARS
    if truncated:
        text = text[:MAX_CHARS].rstrip() + " ..."
    tier = str(customer_tier or "").strip().lower()
    if tier not in KNOWN_TIERS:
        tier = "standard"
    lowered = text.lower()
    urgent = [word for word in URGENT_WORDS if re.search(r"\b" + re.escape(word) + r"\b", lowered)]
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8].upper()
    return {
        "text": text,
        "customer_tier": tier,
        "truncated": truncated,
        "word_count": len(text.split()),
        "urgent_words": urgent,
        "reference": "TCK-" + digest,
    }
