"""A griffe extension for the API pages of the docs site (mkdocs.yml loads it).

The docstrings are numpydoc written for readers of the source and of ``help()``; two habits
of theirs need help on the site, and this extension gives it without touching ``src/``:

* **attrs classes.** Most classes are ``@attrs.frozen`` or ``@attrs.define``: their
  ``__init__`` is generated, so griffe, which reads the source without importing it, sees no
  parameters. The extension writes the ``__init__`` attrs would generate (annotated fields in
  order, base classes' fields first, private ``_x`` taken as ``x``, ``init=False`` left out,
  defaults and factories shown), so that class pages show a signature and the Parameters
  table gets its types.
* **Sphinx roles.** Cross-references are written ``:class:`Scorecard```, ``:func:`~x.y```
  and so on. Each becomes a link to the object's entry when the name resolves to an object
  of this package that the site documents, and plain code otherwise (numpy, attrs, the
  standard library). ``:math:`` becomes code, and a paragraph ending in ``::`` (a literal
  block follows) ends in ``:``.
* **Sphinx comments.** A module constant or class attribute documented by ``#:`` comments
  on the lines above it gets them as its docstring.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ATTRS_DECORATORS = {
    "attrs.frozen",
    "attrs.define",
    "attrs.mutable",
    "attr.s",
    "attr.attrs",
    "attr.frozen",
    "attr.define",
}
_FIELD_CALLS = {"attrs.field", "attr.ib", "attr.field"}
_ROLE = re.compile(r":(?:py:)?(class|func|meth|attr|mod|data|exc|obj|const|math):`(~?)([^`]+)`")
_PACKAGE = "touchpoint_signals"


def _comment_docstring(obj: griffe.Object) -> None:
    if obj.docstring is not None or not obj.is_attribute or obj.lineno is None:
        return
    try:
        lines = obj.lines_collection[obj.filepath]  # type: ignore[index]
    except (KeyError, TypeError):
        return
    comment: list[str] = []
    index = obj.lineno - 2
    while index >= 0 and lines[index].strip().startswith("#:"):
        comment.insert(0, lines[index].strip()[2:].strip())
        index -= 1
    if comment:
        obj.docstring = griffe.Docstring(
            " ".join(comment), lineno=index + 2, endlineno=obj.lineno - 1, parent=obj
        )


def _decorator_call(cls: griffe.Class) -> griffe.Expr | str | None:
    for decorator in cls.decorators:
        value = decorator.value
        path = getattr(value, "canonical_path", None)
        if path is None and isinstance(value, griffe.ExprCall):
            path = value.function.canonical_path
        if path in _ATTRS_DECORATORS:
            return value
    return None


def _keywords(call: object) -> dict[str, Any]:
    if not isinstance(call, griffe.ExprCall):
        return {}
    return {
        argument.name: argument.value
        for argument in call.arguments
        if isinstance(argument, griffe.ExprKeyword)
    }


def _attrs_fields(cls: griffe.Class, class_kw_only: bool) -> list[griffe.Parameter]:
    parameters = []
    for member in cls.members.values():
        if member.is_alias or not member.is_attribute or member.annotation is None:
            continue
        if "class-attribute" in member.labels and "instance-attribute" not in member.labels:
            continue
        if str(member.annotation).startswith("ClassVar"):
            continue

        value = member.value
        field_args: dict[str, Any] = {}
        if isinstance(value, griffe.ExprCall) and value.function.canonical_path in _FIELD_CALLS:
            field_args = _keywords(value)
            if str(field_args.get("init")) == "False":
                continue
            if "default" in field_args:
                value = field_args["default"]
            elif "factory" in field_args:
                value = f"{field_args['factory']}()"
            else:
                value = None
        if isinstance(value, griffe.ExprCall) and value.function.canonical_path in {
            "attrs.Factory",
            "attr.Factory",
        }:
            value = f"{value.arguments[0]}()"

        name = str(field_args.get("alias", "")).strip("'\"") or member.name.lstrip("_")
        kw_only = class_kw_only or str(field_args.get("kw_only")) == "True"
        kind = (
            griffe.ParameterKind.keyword_only
            if kw_only
            else griffe.ParameterKind.positional_or_keyword
        )
        parameters.append(
            griffe.Parameter(name, annotation=member.annotation, kind=kind, default=value)
        )
    return parameters


def _add_attrs_init(cls: griffe.Class) -> None:
    if "__init__" in cls.members or _decorator_call(cls) is None:
        return
    try:
        mro = cls.mro()
    except ValueError:
        mro = []

    parameters: dict[str, griffe.Parameter] = {}
    for klass in [*reversed(mro), cls]:
        call = _decorator_call(klass)
        if call is None:
            continue
        options = _keywords(call)
        if str(options.get("init")) == "False":
            return
        for parameter in _attrs_fields(klass, str(options.get("kw_only")) == "True"):
            parameters[parameter.name] = parameter

    ordered = sorted(
        parameters.values(), key=lambda p: p.kind is griffe.ParameterKind.keyword_only
    )
    self_ = griffe.Parameter("self", kind=griffe.ParameterKind.positional_or_keyword)
    init = griffe.Function(
        "__init__",
        lineno=cls.lineno,
        endlineno=cls.lineno,
        parent=cls,
        parameters=griffe.Parameters(self_, *ordered),
        returns="None",
    )
    cls.set_member("__init__", init)


def _documented(obj: griffe.Object | griffe.Alias) -> str | None:
    """The path of the entry that documents ``obj`` on the site, or None if there is none.

    An object without a docstring of its own (an attrs field, a module constant) has no
    entry: its class or module documents it, so the link goes there.
    """
    try:
        target = obj.final_target if isinstance(obj, griffe.Alias) else obj
    except (griffe.AliasResolutionError, griffe.CyclicAliasError):
        return None
    parts = target.path.split(".")
    if parts[0] != _PACKAGE or parts[1:2] == ["data"]:
        return None
    if any(part.startswith("_") for part in parts):
        return None
    while not target.docstring and not target.is_module and target.parent is not None:
        target = target.parent
    return target.path


def _resolve(name: str, scope: griffe.Object) -> str | None:
    name = name.removesuffix("()")
    collection = scope.modules_collection
    candidates = []
    parent: griffe.Object | None = scope
    while parent is not None:
        candidates.append(f"{parent.path}.{name}")
        parent = parent.parent
    candidates += [name, f"{_PACKAGE}.{name}"]
    for candidate in candidates:
        try:
            obj = collection.get_member(candidate)
        except (KeyError, ValueError, AttributeError, griffe.AliasResolutionError):
            continue
        if obj is not None and (path := _documented(obj)) is not None:
            return path
    return None


def _rewrite(text: str, scope: griffe.Object) -> str:
    def replace(match: re.Match[str]) -> str:
        role, short, name = match.groups()
        shown = name.split(".")[-1] if short else name
        if role == "math":
            return f"`{name}`"
        target = _resolve(name, scope)
        return f"[`{shown}`][{target}]" if target else f"`{shown}`"

    text = _ROLE.sub(replace, text)
    return re.sub(r"(\S)::\n", r"\1:\n", text)


class TouchpointDocs(griffe.Extension):
    """attrs signatures and Sphinx roles for the touchpoint_signals API pages."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.name != _PACKAGE:
            return
        objects = list(_objects(pkg, set()))
        # First every object's own docstring and signature, then the links between them,
        # so that a link to a constant documented by a comment finds its entry.
        for obj in objects:
            if isinstance(obj, griffe.Class):
                _add_attrs_init(obj)
            _comment_docstring(obj)
        for obj in objects:
            if obj.docstring is not None:
                obj.docstring.value = _rewrite(obj.docstring.value, obj)


def _objects(obj: griffe.Object, seen: set[str]) -> list[griffe.Object]:
    if obj.path in seen:
        return []
    seen.add(obj.path)
    found = [obj]
    for member in list(obj.members.values()):
        if not member.is_alias:
            found += _objects(member, seen)
    return found
