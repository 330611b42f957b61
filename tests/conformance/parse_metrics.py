#!/usr/bin/python3
# Parses a /metrics scrape (stdin) with the Prometheus client library's own parser (Debian's
# python3-prometheus-client) and prints {"types": {family: type}, "samples": {key: value}} as
# JSON, where key is `name` or `name{k=v,...}` with the labels sorted. Exits non-zero (with the
# parser's error) when the text is not valid exposition format. Used by metrics_test.cpp.
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

types, samples = {}, {}
for family in text_string_to_metric_families(sys.stdin.read()):
    types[family.name] = family.type
    for s in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        samples[s.name + ("{" + labels + "}" if labels else "")] = s.value
print(json.dumps({"types": types, "samples": samples}))
