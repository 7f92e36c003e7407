"""Personal deadlines for gezinsmigranten (Wet inburgering 2021).

See shared/knowledge/deadline-contract.md. Rules and parameters: rules.yaml; cases: cases.yaml.
"""
from .engine import FIELD_NAMES, InvalidInput, compute, parse_inputs, warning_texts
from .labels import format_date, label

__all__ = ["FIELD_NAMES", "InvalidInput", "compute", "format_date", "label", "parse_inputs", "warning_texts"]
