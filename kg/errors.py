"""The errors kg reports as one line, with the exit code each maps to."""

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


class KGError(Exception):
    """An error shown to the user as one line; `exit_code` is the process exit status."""

    exit_code = EXIT_USAGE


class InputError(KGError):
    """A file, folder, query or parameter that cannot be used."""


def cut(text: str, limit: int = 80, typed: str | None = None) -> str:
    """Typed text for a message, cut to `limit` characters with the length of what was
    typed (`typed`, else `text`) told: a 100,000-character parameter was echoed whole into
    the one-line error."""
    length = len(text if typed is None else typed)
    return text if len(text) <= limit else f"{text[:limit]}... ({length:,} characters)"


def shown(value: str) -> str:
    """A typed value in quotes for a message (repr), cut as `cut` does."""
    return cut(repr(value), typed=value)


def expect(value, kinds, what: str, meaning: str) -> None:
    """A TypeError naming the argument and what it takes: a call of the wrong type is a
    program's mistake, not a user's input (an InputError), and got messages from deep
    inside (`'str' object has no attribute 'inputs'`, `cannot use a string pattern on a
    bytes-like object`) or, for describe(None), a search for an entity named "None"."""
    if not isinstance(value, kinds):
        raise TypeError(f"{what}: {meaning}, not a {type(value).__name__}")


def expect_flag(value, what: str) -> None:
    """A TypeError unless True or False: any other value (\"no\") would count as true."""
    expect(value, bool, what, "True or False")


def whole_number(value, what: str, low: int, high: int | None = None) -> None:
    """A TypeError unless an int, an InputError unless it is from `low` to `high`."""
    if isinstance(value, bool):  # an int to Python, but no number to the caller
        raise TypeError(f"{what}: a whole number, not a bool")
    expect(value, int, what, "a whole number")
    if value < low or (high is not None and value > high):
        upto = f"to {high}" if high is not None else "up"
        raise InputError(f"{what} {value!r}: give a whole number from {low} {upto}")


def close_matches(typed: str, names, n: int, cutoff: float = 0.6) -> list[str]:
    """The names closest to a mistyped one, best first (difflib's ratio, at least
    `cutoff`: 0.6 still finds MHI for HMI), without those far behind the best:
    "akd:unted-states" was offered akc:statuses beside akd:united-states."""
    import difflib  # only for error messages
    import heapq

    # difflib.get_close_matches, but a name's ratio is computed only if its upper bounds
    # reach the n-th best so far, not just the cutoff: at a million triples, 117,000
    # similar names ("akd:syn-system-98") took 3.5 s, now 0.8 s, for the same matches
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(typed)
    best: list[tuple[float, str]] = []  # a heap of the n best (ratio, name)
    for name in names:
        bar = best[0][0] if len(best) == n else cutoff
        matcher.set_seq1(name)
        if matcher.real_quick_ratio() >= bar and matcher.quick_ratio() >= bar:
            score = matcher.ratio()
            if score >= cutoff:
                (heapq.heappush if len(best) < n else heapq.heappushpop)(best, (score, name))
    close = [name for _, name in sorted(best, reverse=True)]
    top = difflib.SequenceMatcher(None, typed, close[0]).ratio() if close else 0
    return [name for name in close
            if difflib.SequenceMatcher(None, typed, name).ratio() >= top - 0.1]
