from promptflow import log_metric
from promptflow.core import tool


@tool
def totals(lines: list) -> dict:
    words = sum(line["words"] for line in lines if isinstance(line, dict))
    log_metric("lines", len(lines))
    log_metric("words", words)
    return {"lines": len(lines), "words": words}
