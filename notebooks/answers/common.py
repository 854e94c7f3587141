"""What several lessons' exercise checkers share."""


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
