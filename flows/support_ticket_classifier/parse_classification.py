"""Turns the model's answer into {category, confidence, parsed}. Models wrap JSON in code fences, add prose,
invent categories or return confidences as strings or percentages: all of that is tolerated, and anything that
cannot be read falls back to category "other" with confidence 0 so the flow still answers."""
import json
import re

from promptflow.core import tool

CATEGORIES = ("billing", "technical", "account", "shipping", "outage", "other")
SYNONYMS = {
    "payment": "billing",
    "invoice": "billing",
    "refund": "billing",
    "tech": "technical",
    "bug": "technical",
    "login": "account",
    "delivery": "shipping",
    "incident": "outage",
    "service_outage": "outage",
}


def _json_object(text: str):
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL | re.IGNORECASE)
    candidates = [fenced.group(1)] if fenced else []
    braces = re.search(r"\{.*\}", text, re.DOTALL)
    if braces:
        candidates.append(braces.group(0))
    candidates.append(text)
    for candidate in candidates:
        try:
            value = json.loads(candidate.strip())
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _category(raw) -> str:
    name = re.sub(r"[\s-]+", "_", str(raw or "").strip().lower())
    if name in CATEGORIES:
        return name
    return SYNONYMS.get(name, "")


def _confidence(raw) -> float:
    if isinstance(raw, bool):
        return 0.0
    if isinstance(raw, str):
        text = raw.strip()
        percent = text.endswith("%")
        try:
            value = float(text.rstrip("%"))
        except ValueError:
            return 0.0
        if percent:
            value /= 100
    elif isinstance(raw, (int, float)):
        value = float(raw)
    else:
        return 0.0
    if value > 1 and value <= 100:
        value /= 100
    if value != value:
        return 0.0
    return round(min(max(value, 0.0), 1.0), 4)


@tool
def parse_classification(llm_output: str) -> dict:
    text = str(llm_output or "")
    answer = _json_object(text)
    if answer is not None:
        category = _category(answer.get("category"))
        if category:
            return {"category": category, "confidence": _confidence(answer.get("confidence")), "parsed": True}
    # No usable JSON: accept a bare category word, at reduced confidence since the format was not followed.
    words = re.findall(r"[a-z_]+", text.lower())
    for word in words:
        category = _category(word)
        if category:
            return {"category": category, "confidence": 0.3, "parsed": False}
    return {"category": "other", "confidence": 0.0, "parsed": False}
