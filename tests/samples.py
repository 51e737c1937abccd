"""Pastes and expected shapes the tests of several folders share (importable from any test)."""

from __future__ import annotations

EVENT_1196 = """Log Name:      System
Source:        Microsoft-Windows-FailoverClustering
Date:          2/3/2012 3:20:11 AM
Event ID:      1196
Task Category: Network Name Resource
Level:         Error
Computer:      node2.contoso.com
Description:
Cluster network name resource 'SQL Network Name (SQLCLU01)' failed registration of one or more
associated DNS name(s) for the following reason:
DNS signature failed to verify.
"""
# Near some entries but answered by none: the nearest entries come back, not confident.
NOT_COVERED = "The cluster service failed to bring the network name online: DNS error 0x0000232B."
# Near nothing at all: no remedy comes back.
UNRELATED = "The printer 'HP LaserJet 4' has a paper jam in tray 2. Error 0x00000709."

# The fields of one result, in the CLI's --json, the engine's to_dict() and the JSON API alike.
RESULT_FIELDS = {"id", "title", "source", "score", "confidence", "why", "symptom", "cause", "fix"}
