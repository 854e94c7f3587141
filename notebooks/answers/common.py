"""What several lessons' exercise checkers share."""


class Verdict:
    """What an exercise checker returns: true when the answer is right, false when not yet.

    The checker has already printed its sentence, so a verdict shows nothing in a notebook: a
    check cell that ends with the checker's call looks exactly as before (a plain ``True`` would
    add an ``Out[...]`` line under every check). The graded edition's tests
    (``scripts/build_classroom_edition.py``) assert it.
    """

    __slots__ = ("right",)

    def __init__(self, right):
        self.right = bool(right)

    def __bool__(self):
        return self.right

    def __repr__(self):
        return f"Verdict(right={self.right})"

    def _ipython_display_(self):
        """Show nothing: the sentence the checker printed is the feedback."""


#: For a checker whose helper has already printed why the answer is not right yet.
NOT_YET = Verdict(False)


def say(sentence):
    """Print a checker's sentence and return its Verdict: right when it starts with "Correct".

    Every checker's last sentence starts with "Correct" or "Not yet" (lesson 00 tells learners
    so), which is what makes the sentence and the verdict agree.
    """
    print(sentence)
    return Verdict(sentence.startswith("Correct"))


def as_number(value, what_to_check):
    """``float(value)``, or None after printing a "Not yet" for a blank or non-numeric answer."""
    if value is None:
        print(f"Not yet: no answer given. {what_to_check}")
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        print(f"Not yet: {value!r} is not a number. {what_to_check}")
        return None
