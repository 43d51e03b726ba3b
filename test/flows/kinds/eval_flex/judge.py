"""A class flex evaluation flow: does the answer mention what was expected? __aggregate__ gives the accuracy."""


class Judge:
    def __init__(self, ignore_case: bool = True):
        self.ignore_case = ignore_case

    def __call__(self, answer: str, expected: str) -> dict:
        found = expected.lower() in answer.lower() if self.ignore_case else expected in answer
        return {"match": found}

    def __aggregate__(self, line_results: list) -> dict:
        return {"accuracy": sum(1 for r in line_results if r["match"]) / len(line_results)}
