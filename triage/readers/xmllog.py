"""Event XML: Event Viewer's "Save All Events As" XML (``<Events><Event>...``) and
``wevtutil qe LOG /f:xml`` (``<Event>`` elements one after another, with no root).

Read as a stream with expat (a few events in memory at a time, whatever the file's size),
inside a root element of ours, where a DTD is a syntax error: entities, how XML bombs expand,
are never declared (and the handlers refuse one should the wrapping ever change).

>>> xml = ('<Events><Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System>'
...        '<Provider Name="Service Control Manager"/><EventID Qualifiers="49152">7000</EventID>'
...        '<Level>2</Level><TimeCreated SystemTime="2017-07-12T17:16:28.214161Z"/>'
...        '<Computer>WIN-P4SIAA0SQCO</Computer></System><EventData><Data Name="param1">CldFlt</Data>'
...        '</EventData></Event></Events>')
>>> e = next(read([xml], "saved.xml", None))
>>> e.source, e.event_id, e.level, e.time, e.host, e.message
('Service Control Manager', 7000, 'error', '2017-07-12T17:16:28Z', 'WIN-P4SIAA0SQCO', 'param1: CldFlt')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from xml.parsers import expat

from ..errors import NotALog
from ..event import Event, event_id_of, level_from_text, level_of
from ..notes import Notes
from ..timestamps import parse_time
from .eventdata import message_from_data

_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
MAX_DATA_ITEMS = 64  # <Data> elements kept per event


class _Builder:
    """Collects the few elements of an <Event> that triage uses; yields finished events."""

    def __init__(self, name: str):
        self.name = name
        self.path: list[str] = []
        self.text: list[str] = []
        self.event: dict | None = None
        self.done: list[Event] = []

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        tag = tag.rsplit("}", 1)[-1].rsplit(" ", 1)[-1]
        self.path.append(tag)
        self.text = []
        if tag == "Event":
            self.event = {"data": []}
        elif self.event is not None:
            if tag == "Provider":
                self.event["source"] = attrs.get("EventSourceName") or attrs.get("Name")
            elif tag == "TimeCreated":
                self.event["time"] = attrs.get("SystemTime")
            elif tag == "Data":
                self.event["data_name"] = attrs.get("Name")

    def chars(self, data: str) -> None:
        if self.event is not None:
            self.text.append(data)

    def end(self, tag: str) -> None:
        tag = self.path.pop() if self.path else tag
        event = self.event
        if event is None:
            return
        text = "".join(self.text).strip()
        self.text = []
        parent = self.path[-1] if self.path else ""
        if tag == "Event":
            self.done.append(_event(event))
            self.event = None
        elif parent == "System":
            if tag in ("EventID", "Level", "Computer", "Channel"):
                event[tag] = text
        elif parent == "RenderingInfo":
            if tag in ("Message", "Level"):
                event["rendered_" + tag] = text
        elif (
            ("EventData" in self.path or "UserData" in self.path)
            and tag != "Binary"
            and text
            and len(event["data"]) < MAX_DATA_ITEMS
        ):
            event["data"].append((event.pop("data_name", None) or tag, text))


def _event(e: dict) -> Event:
    message = e.get("rendered_Message") or message_from_data(e["data"])
    level = level_of(e.get("Level")) or level_of(e.get("rendered_Level"))
    return Event(
        message=message,
        level=level or level_from_text(message),
        source=e.get("source"),
        event_id=event_id_of(e.get("EventID")),
        time=parse_time(e.get("time")),
        host=e.get("Computer") or None,
        log=e.get("Channel") or None,
    )


def _refuse_dtd(*_args) -> None:
    raise NotALog("XML", "it declares a DTD or entities, which event logs never do")


def read(lines: Iterable[str], name: str, notes: Notes | None) -> Iterator[Event]:
    builder = _Builder(name)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.chars
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    # one synthetic root holds both <Events> documents and wevtutil's rootless stream
    parser.Parse("<triage>", False)
    first, read_any = True, False
    try:
        for line in lines:
            if first:
                line = _DECLARATION.sub("", line.lstrip("\ufeff"))
                first = False
            parser.Parse(line + "\n", False)
            read_any = read_any or bool(builder.done)
            yield from builder.done
            builder.done.clear()
        parser.Parse("</triage>", True)
    except expat.ExpatError as exc:
        if not read_any and not builder.done:
            raise NotALog(name, f"XML that breaks at line {exc.lineno}") from None
        if notes is not None:
            notes.warn(name, f"the XML is broken at line {exc.lineno}: read up to there")
    except NotALog:
        raise NotALog(name, "XML that declares a DTD or entities") from None
    yield from builder.done
