import hashlib

from promptflow.core import tool


@tool
def digest(id: int, text: str, rounds: int, fail_sevens: bool) -> dict:
    if fail_sevens and id % 10 == 7:
        raise ValueError("line %d ends in 7" % id)
    value = text.encode("utf-8")
    for _ in range(rounds):
        value = hashlib.sha256(value).digest()
    return {"id": id, "digest": value.hex()[:16], "words": len(text.split())}
