"""Run-level metrics over all scored lines. Per-category metrics are named `precision_<category>` and
`recall_<category>`; macro F1 averages F1 over the categories present in the ground truth, so a category the
data never contains cannot inflate or deflate it."""
from promptflow import log_metric
from promptflow.core import tool


def _ratio(numerator: float, denominator: float) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


@tool
def aggregate_scores(scores: list) -> dict:
    lines = [line for line in scores if isinstance(line, dict)]
    total = len(lines)
    correct = sum(1 for line in lines if line.get("correct"))
    labels = sorted({line.get("ground_truth", "") for line in lines} - {""})
    metrics = {"accuracy": _ratio(correct, total), "lines_scored": total}

    f1_values = []
    for label in labels:
        true_positive = sum(1 for line in lines if line.get("prediction") == label and line.get("ground_truth") == label)
        predicted = sum(1 for line in lines if line.get("prediction") == label)
        actual = sum(1 for line in lines if line.get("ground_truth") == label)
        precision = _ratio(true_positive, predicted)
        recall = _ratio(true_positive, actual)
        f1 = round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0
        metrics["precision_" + label] = precision
        metrics["recall_" + label] = recall
        f1_values.append(f1)
    metrics["macro_f1"] = round(sum(f1_values) / len(f1_values), 4) if f1_values else 0.0

    confidences = [float(line.get("confidence") or 0.0) for line in lines]
    metrics["mean_confidence"] = round(sum(confidences) / total, 4) if total else 0.0
    right = [float(line.get("confidence") or 0.0) for line in lines if line.get("correct")]
    wrong = [float(line.get("confidence") or 0.0) for line in lines if not line.get("correct")]
    # A well-calibrated classifier is more confident when it is right than when it is wrong.
    metrics["confidence_gap"] = round((sum(right) / len(right) if right else 0.0) - (sum(wrong) / len(wrong) if wrong else 0.0), 4)

    for name, value in metrics.items():
        log_metric(name, value)
    return metrics
