"""A function flex flow with a typed signature and a generator output (collected into the line's output)."""


def shout(text: str, times: int = 2):
    for index in range(times):
        yield text.upper()
        if index < times - 1:
            yield " "
