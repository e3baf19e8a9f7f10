"""Where format adapters are found by name: the built-ins and those of installed plugins.

Another package adds an adapter without forking by declaring an entry point in the group
``touchpoint_signals.adapters`` whose object is an adapter class (see
:class:`~touchpoint_signals.ingest.sources.Adapter`). Built-in adapters are imported only
when asked for, so importing the library stays cheap.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from importlib import metadata
from typing import Any

import attrs

from touchpoint_signals.errors import ConfigError, DataError, ProtocolError, UnknownNameError
from touchpoint_signals.ingest.sources import Adapter

__all__ = ["ENTRY_POINT_GROUP", "FILE_FORMATS", "adapter_names", "make_adapter"]

logger = logging.getLogger(__name__)

#: Entry-point group under which other packages register adapters.
ENTRY_POINT_GROUP = "touchpoint_signals.adapters"

#: Generic record formats read by :mod:`touchpoint_signals.ingest.readers`.
FILE_FORMATS = ("csv", "jsonl")

_BUILTIN: dict[str, str] = {
    "mbox": "touchpoint_signals.ingest.mbox:MboxAdapter",
    "support_threads": "touchpoint_signals.ingest.threads:SupportThreadsAdapter",
    "appointments": "touchpoint_signals.ingest.appointments:AppointmentsAdapter",
    "qa_dump": "touchpoint_signals.ingest.qa:QaDumpAdapter",
    "ravenstack": "touchpoint_signals.ingest.tickets:TicketsAdapter",
    "crm_pipeline": "touchpoint_signals.ingest.crm:CrmPipelineAdapter",
}


def _plugins() -> dict[str, metadata.EntryPoint]:
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def adapter_names() -> list[str]:
    """Names of every adapter that can be built: built-ins first, then plugins."""
    plugins = sorted(name for name in _plugins() if name not in _BUILTIN)
    return [*_BUILTIN, *plugins]


def _adapter_class(name: str) -> Any:
    if name in _BUILTIN:
        module, _, attribute = _BUILTIN[name].partition(":")
        return getattr(importlib.import_module(module), attribute)

    plugins = _plugins()
    if name in plugins:
        return plugins[name].load()

    valid = ", ".join([*FILE_FORMATS, *adapter_names()])
    raise UnknownNameError(f"unknown format {name!r}: expected one of {valid}")


def make_adapter(name: str, options: Mapping[str, Any] | None = None) -> Adapter:
    """Build the adapter called ``name`` with ``options`` (an ``[adapter]`` table)."""
    factory = _adapter_class(name)
    given = dict(options or {})

    if attrs.has(factory):
        valid = [f.name for f in attrs.fields(factory) if f.init]
        unknown = sorted(set(given) - set(valid))
        if unknown:
            raise ConfigError(
                f"adapter.{unknown[0]}: unknown option of the {name} adapter, expected one "
                f"of {', '.join(valid)}"
            )

    try:
        adapter = factory(**given)
    except TypeError as exc:
        raise ConfigError(f"adapter: bad options for the {name} adapter: {exc}") from None
    except (DataError, UnknownNameError) as exc:
        raise ConfigError(f"adapter.{name}: {exc}") from None

    if not isinstance(adapter, Adapter):
        raise ProtocolError(
            f"adapter {name!r} built a {type(adapter).__name__}, which has no name and "
            "read(source) method"
        )
    return adapter
