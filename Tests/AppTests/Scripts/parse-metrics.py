#!/usr/bin/python3
"""Parses Prometheus text exposition from stdin with the reference client's parser
(python3-prometheus-client) and prints every sample as JSON: {"name", "labels", "value", "type"}.
Exits 1 with the parser's message when the text is not valid exposition."""
import json, sys
from prometheus_client.parser import text_string_to_metric_families

try:
    samples = [{"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type}
               for family in text_string_to_metric_families(sys.stdin.read())
               for sample in family.samples]
except Exception as error:  # the parser raises ValueError (and others) on a malformed line
    print(f"not valid Prometheus text: {error}", file=sys.stderr)
    sys.exit(1)
json.dump(samples, sys.stdout)
