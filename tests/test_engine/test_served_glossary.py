"""A served KB speaks the built-in glossary's product names, with or without a glossary.yaml
of its own (the version gate builds what is served; it must merge the built-in glossary as
engine.kb.load_glossary does)."""

from __future__ import annotations

from engine.diagnoser import Diagnoser

ENTRY = """---
id: vm-start
title: A virtual machine does not start after the host update
source: https://example.com/vm-start
products: [Hyper-V]
---

## Symptom

The virtual machine could not be started because the hypervisor is not running.

## Cause

Hardware virtualisation is off in the firmware after the update.

## Fix

Turn on hardware virtualisation in the firmware and start the host again.
"""

PASTE = "vmms.exe: 'SQL7' could not be started because the hypervisor is not running."


def _kb(tmp_path, glossary: str | None):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "vm-start.md").write_text(ENTRY, encoding="utf-8")
    if glossary is not None:
        (kb / "glossary.yaml").write_text(glossary, encoding="utf-8")
    return kb


def test_without_a_glossary_file_the_built_in_products_are_known(tmp_path):
    diagnoser = Diagnoser(_kb(tmp_path, None), tmp_path / "index")
    try:
        assert "vm-start" in diagnoser.snapshot.entries  # served: Hyper-V is a known product
        found = diagnoser.diagnose(PASTE)
        # vmms.exe is one of the built-in glossary's names for Hyper-V
        assert "Hyper-V" in found.normalised.facts.products
    finally:
        diagnoser.close()


def test_a_glossary_file_adds_to_the_built_in_one(tmp_path):
    own = "products:\n  - name: Contoso Widget\n    aliases: [cwidget.exe]\n"
    diagnoser = Diagnoser(_kb(tmp_path, own), tmp_path / "index")
    try:
        products = diagnoser.diagnose(PASTE + " cwidget.exe failed").normalised.facts.products
        assert {"Hyper-V", "Contoso Widget"} <= set(products)
    finally:
        diagnoser.close()


def test_a_broken_glossary_file_leaves_the_built_in_one_served(tmp_path):
    # the file is refused (listed on /kb/_status) and the KB serves without it: still with
    # the built-in glossary, so its entries' products stay known and pastes still name them
    diagnoser = Diagnoser(_kb(tmp_path, "products: [unclosed\n"), tmp_path / "index")
    try:
        assert "vm-start" in diagnoser.snapshot.entries
        assert "Hyper-V" in diagnoser.diagnose(PASTE).normalised.facts.products
    finally:
        diagnoser.close()
