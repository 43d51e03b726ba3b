"""Runs only for outage tickets (see `activate` in flow.dag.yaml): builds the note the incident channel receives."""
from promptflow.core import tool

PAGED_TIERS = ("enterprise", "premium")


@tool
def escalate_outage(ticket_text: str, customer_tier: str, priority: str) -> dict:
    summary = ticket_text if len(ticket_text) <= 160 else ticket_text[:157].rstrip() + "..."
    return {
        "team": "incident-response",
        "page_on_call": customer_tier in PAGED_TIERS or priority == "P1",
        "note": "Customer report (" + customer_tier + ", " + priority + "): " + summary,
    }
