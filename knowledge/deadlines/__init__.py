"""Personal deadlines for gezinsmigranten (Wet inburgering 2021).

See shared/knowledge/deadline-contract.md (version 2). Input fields: fields.py; one function per
rule: rules.py; their parameters and legal basis: rules.yaml; cases: cases.yaml; words: the
text catalogue (labels.py); planning at the current pace: pace.py.
"""
from .dates import today
from .engine import FIELD_NAMES, InvalidInput, compute, parse_inputs, warning_texts
from .labels import format_date, label

__all__ = [
    "FIELD_NAMES",
    "InvalidInput",
    "compute",
    "format_date",
    "label",
    "parse_inputs",
    "today",
    "warning_texts",
]
