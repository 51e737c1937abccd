"""Pastes and expected shapes the tests of several folders share (importable from any test)."""

from __future__ import annotations

# Event 1196 copied from Event Viewer, as a helpdesk pastes it. Also the labelled set's
# "verbatim" 1196 case (tests/data/build_eval.py writes eval.jsonl with it): keep it as it is.
EVENT_1196 = """Log Name:      System
Source:        Microsoft-Windows-FailoverClustering
Date:          3/14/2012 9:02:11 AM
Event ID:      1196
Task Category: Network Name Resource
Level:         Error
Keywords:
User:          SYSTEM
Computer:      NODE1.corp.contoso.com
Description:
Cluster network name resource 'SQL Network Name (SQLVS01)' failed registration of one or more associated DNS name(s) for the following reason:
DNS signature failed to verify.

Ensure that the network adapters associated with dependent IP address resources are configured with at least one accessible DNS server."""
# Near some entries but answered by none: the nearest entries come back, not confident.
NOT_COVERED = "The cluster service failed to bring the network name online: DNS error 0x0000232B."
# Near nothing at all: no remedy comes back.
UNRELATED = "The printer 'HP LaserJet 4' has a paper jam in tray 2. Error 0x00000709."

# The fields of one result, in the CLI's --json, the engine's to_dict() and the JSON API alike.
RESULT_FIELDS = {"id", "title", "source", "score", "confidence", "why", "symptom", "cause", "fix"}
