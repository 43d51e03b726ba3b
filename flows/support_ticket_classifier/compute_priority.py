"""Priority and response-time target from category, model confidence and customer tier. Deterministic business
rules live here rather than in the prompt so they can be tested and audited."""
from promptflow.core import tool

BASE_PRIORITY = {"outage": 1, "account": 2, "technical": 3, "billing": 3, "shipping": 3, "other": 4}
TIER_BOOST = {"enterprise": 1, "premium": 1, "standard": 0, "free": 0}
SLA_HOURS = {1: 1, 2: 4, 3: 24, 4: 72}
LOW_CONFIDENCE = 0.5


@tool
def compute_priority(category: str, confidence: float, customer_tier: str = "standard", urgent_words: list = None) -> dict:
    level = BASE_PRIORITY.get(category, 4)
    level -= TIER_BOOST.get(customer_tier, 0)
    if urgent_words:
        level -= 1
    level = min(max(level, 1), 4)
    needs_review = float(confidence or 0) < LOW_CONFIDENCE
    if needs_review and level > 2:
        # An uncertain classification may hide an urgent ticket: a human looks at it sooner.
        level -= 1
    return {"priority": "P" + str(level), "sla_hours": SLA_HOURS[level], "needs_review": needs_review}
