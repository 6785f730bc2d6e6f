"""Prometheus text exposition format (version 0.0.4), the few parts we need."""

from collections.abc import Iterable


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _number(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def render(families: Iterable[tuple[str, str, str, Iterable[tuple[dict, float]]]]) -> str:
    """`families`: iterable of (name, type, help, samples) with samples = [(labels dict, value)].

    Families without samples are still declared (HELP/TYPE), so dashboards see the metric exists.
    A sample's `__name__` label is a suffix of the family's name (a histogram's `_bucket`, `_sum`, `_count`).
    """
    lines = []
    for name, kind, help_text, samples in families:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            labels = dict(labels)
            sample_name = name + labels.pop("__name__", "")
            label_text = ",".join(f'{key}="{_escape(val)}"' for key, val in labels.items())
            lines.append(
                f"{sample_name}{{{label_text}}} {_number(value)}"
                if label_text
                else f"{sample_name} {_number(value)}"
            )
    return "\n".join(lines) + "\n"
