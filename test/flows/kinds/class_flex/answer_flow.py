"""A class flex flow: answers with a prompty, counts words, and reports the mean word count over the run."""
from dataclasses import dataclass
from pathlib import Path

from promptflow.core import AzureOpenAIModelConfiguration, Prompty
from promptflow.tracing import trace

HERE = Path(__file__).absolute().parent


@dataclass
class Answer:
    answer: str
    words: int


class AnswerFlow:
    def __init__(self, model_config: AzureOpenAIModelConfiguration, max_words: int = 50):
        if max_words < 1:
            raise ValueError("max_words must be positive")
        self.prompty = Prompty.load(source=HERE / "answer.prompty", model={"configuration": model_config})
        self.max_words = max_words

    @trace
    def __call__(self, question: str, chat_history: list = None) -> Answer:
        if question == "boom":
            raise RuntimeError("cannot answer boom")
        text = self.prompty(question=question, chat_history=chat_history or [])
        words = text.split()[: self.max_words]
        print("answered with %d words" % len(words))
        return Answer(answer=" ".join(words), words=len(words))

    def __aggregate__(self, line_results: list) -> dict:
        total = len(line_results)
        return {"mean_words": sum(r.words for r in line_results) / total, "answered": total}
