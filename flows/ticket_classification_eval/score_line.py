"""Per-line scoring: normalises both labels the same way so "Billing " and "billing" agree."""
from promptflow.core import tool


def _label(value) -> str:
    return " ".join(str(value or "").split()).lower()


@tool
def score_line(prediction: str, ground_truth: str, confidence: float = 0.0) -> dict:
    predicted = _label(prediction)
    expected = _label(ground_truth)
    try:
        confidence_value = float(confidence)
    except (TypeError, ValueError):
        confidence_value = 0.0
    return {
        "prediction": predicted,
        "ground_truth": expected,
        "correct": predicted != "" and predicted == expected,
        "confidence": confidence_value,
    }
