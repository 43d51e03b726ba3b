"""Long-lived worker that runs prompt flow python tools and flex flow entries for the Node flow engine.

Protocol: one JSON request per line on stdin, one JSON response per line on the protocol pipe (the original
stdout, duplicated at start-up). File descriptor 1 is then pointed at stderr and sys.stdout is captured per call,
so a tool's print() -- or a C library writing to fd 1 -- can never corrupt the protocol.

Request:  {"id": n, "op": "tool", "path": "/abs/tool.py", "kwargs": {...}, "bypassed": ["x"], "cwd": "/abs/flow",
           "env": {...}, "connections": {name: {...}}}
          {"id": n, "op": "flex_init" | "flex_call" | "flex_aggregate", "flex": {"key", "dir", "entry", "init"},
           "kwargs": {...}, "line_results": [...], "stream": bool, "cwd", "env", "connections"}
Response: {"id": n, "ok": true, "result": ..., "stdout": "...", "metrics": {...}}
          {"id": n, "ok": false, "error": {"type", "message", "traceback"}, "stdout": "...", "metrics": {...}}
During a call the worker may write {"id": n, "request": {...}} (a Prompty call for the engine) and then reads one
{"ok": true, "result": ...} / {"ok": false, "error": {...}} line back; or, when streaming, {"id": n, "chunk": "..."}
(preceded, for a dict or dataclass result, by {"id": n, "stream_start": {"field", "others"}}: the generator field
whose chunks follow and the fields that are not generators).

Only the standard library is used, and `promptflow` need not be installed: promptflow_shim.py registers the
modules flows import.
"""
import asyncio
import dataclasses
import hashlib
import importlib.util
import inspect
import io
import json
import os
import sys
import traceback
from collections.abc import AsyncIterator, Iterator

import promptflow_shim as shim

TRACEBACK_FRAMES = 5
_metrics = shim._metrics
_protocol = {}
_current = {"id": None, "stream": False}


_modules = {}

# One worker serves several flows (an evaluation runs the flow and its evaluator flows in one pool). Each flow's own
# modules (a sibling `utils.py`, say) are kept per flow folder and swapped in before its tools load or run, so two
# flows with a same-named helper each import their own, as they would in separate prompt flow processes.
_flow_dirs = []
_parked = {}
_active = [None]


def _owner(module):
    filename = getattr(module, "__file__", None)
    if not isinstance(filename, str):
        return None
    filename = os.path.abspath(filename)
    owners = [folder for folder in _flow_dirs if filename.startswith(folder + os.sep)]
    return max(owners, key=len) if owners else None


def _activate_flow(flow_dir, tool_dir):
    if flow_dir not in _flow_dirs:
        _flow_dirs.append(flow_dir)
    if _active[0] != flow_dir:
        for name, module in list(sys.modules.items()):
            owner = _owner(module)
            if owner is not None and owner != flow_dir and not name.startswith("pf_tool_"):
                _parked.setdefault(owner, {})[name] = sys.modules.pop(name)
        sys.modules.update(_parked.pop(flow_dir, {}))
        _active[0] = flow_dir
    mine = [tool_dir] if tool_dir == flow_dir else [tool_dir, flow_dir]
    # Other flows' folders leave the path; entries this flow's own code added (a package appending its folder,
    # as the template's chat_with_pdf does) stay while it runs.
    sys.path[:] = mine + [entry for entry in sys.path if entry not in mine and _owner_dir(entry) in (None, flow_dir)]


def _owner_dir(entry):
    entry = os.path.abspath(entry or os.curdir)
    return next((folder for folder in _flow_dirs if entry == folder or entry.startswith(folder + os.sep)), None)


def _load_module(path, flow_dir):
    tool_dir = os.path.dirname(path)
    _activate_flow(os.path.abspath(flow_dir or tool_dir), tool_dir)
    module = _modules.get(path)
    if module is not None:
        return module
    name = "pf_tool_" + hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError("cannot import " + path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    _modules[path] = module
    return module


def _find_tool(module, path):
    tools = [value for value in vars(module).values()
             if callable(value) and getattr(value, shim.TOOL_MARK, False)
             and getattr(value, "__module__", None) == module.__name__]
    if not tools:
        tools = [value for value in vars(module).values() if callable(value) and getattr(value, shim.TOOL_MARK, False)]
    if len(tools) != 1:
        found = ", ".join(sorted(getattr(t, "__name__", "?") for t in tools)) or "none"
        raise LookupError("%s must define exactly one @tool function, found %s" % (path, found))
    return tools[0]


def _resolve_connections(func, arguments, connections):
    """A string given to a parameter typed as a connection class becomes that connection's object."""
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return arguments
    for name, parameter in parameters.items():
        kind = shim.annotation_name(parameter.annotation)
        value = arguments.get(name)
        if kind in shim.CONNECTION_CLASSES and isinstance(value, str):
            if value not in connections:
                raise LookupError("connection %r for parameter %r is not defined" % (value, name))
            arguments[name] = shim.connection_from_payload(connections[value])
        elif kind in shim.MODEL_CONFIGURATIONS and isinstance(value, dict):
            arguments[name] = shim.MODEL_CONFIGURATIONS[kind](**value)
    return arguments


def _arguments(func, kwargs, bypassed):
    """Inputs that read a bypassed node: left out when the parameter has a default, otherwise None."""
    try:
        parameters = inspect.signature(func).parameters
    except (TypeError, ValueError):
        parameters = {}
    arguments = dict(kwargs)
    for name in bypassed:
        parameter = parameters.get(name)
        if parameter is not None and parameter.default is not inspect.Parameter.empty:
            arguments.pop(name, None)
        else:
            arguments[name] = None
    return arguments


def _short_traceback(error):
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if os.path.abspath(frame.filename) not in _own_files]
    return "".join(traceback.format_list(frames[-TRACEBACK_FRAMES:]))


_own_files = {os.path.abspath(__file__), os.path.abspath(shim.__file__)}


class EngineError(Exception):
    """The engine could not serve a request (a Prompty call that failed); carries the engine's error type."""

    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def ask(message):
    """Sends a request to the engine and waits for its answer (the engine handles one at a time per worker)."""
    _protocol["out"].write(json.dumps({"id": _current["id"], "request": message}) + "\n")
    _protocol["out"].flush()
    line = _protocol["in"].readline()
    if not line:
        raise EngineError("WorkerCrashed", "the engine closed the protocol")
    reply = json.loads(line)
    if reply.get("ok"):
        return reply.get("result")
    error = reply.get("error") or {}
    raise EngineError(error.get("type", "EngineError"), error.get("message", "request failed"))


def _send_chunk(text):
    _protocol["out"].write(json.dumps({"id": _current["id"], "chunk": text}) + "\n")
    _protocol["out"].flush()


def _send_stream_start(field, others):
    _protocol["out"].write(json.dumps({"id": _current["id"], "stream_start": {"field": field, "others": others}}) + "\n")
    _protocol["out"].flush()


def _is_generator(value):
    return not isinstance(value, (str, bytes, list, tuple, dict)) and isinstance(value, (Iterator, AsyncIterator))


def _consume(value, stream=True):
    """Generators become strings (chunks streamed when asked), as prompt flow collects them in bulk runs."""
    if isinstance(value, (str, bytes, list, tuple, dict)):
        return value
    if isinstance(value, AsyncIterator):
        async def collect():
            return [chunk async for chunk in value]
        value = iter(asyncio.run(collect()))
    if isinstance(value, Iterator):
        parts = []
        for chunk in value:
            text = str(chunk)
            parts.append(text)
            if _current["stream"] and stream:
                _send_chunk(text)
        return "".join(parts)
    return value


def _settle(value):
    if inspect.isawaitable(value):
        async def wait():
            return await value
        value = asyncio.run(wait())
    return _consume(value)


def _plain(value):
    """JSON-able copy of a result: dataclasses become dicts, as prompt flow serialises flex outputs."""
    def default(item):
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            return {field.name: getattr(item, field.name) for field in dataclasses.fields(item)}
        if hasattr(item, "isoformat"):
            return item.isoformat()
        raise TypeError("%s is not JSON-serialisable" % type(item).__name__)
    try:
        return json.loads(json.dumps(value, default=default, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise TypeError("the return value is not JSON-serialisable: %s" % error) from None


def _flex_outputs(result):
    """dict as is, dataclass by fields, anything else under `output` (prompt flow's convert_eager_flow_output_to_dict)."""
    if isinstance(result, dict):
        fields = dict(result)
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        fields = {field.name: getattr(result, field.name) for field in dataclasses.fields(result)}
    else:
        return {"output": _consume(result)}
    generators = [key for key, value in fields.items() if _is_generator(value)]
    streamed = generators[0] if _current["stream"] and generators else None
    if streamed is not None:
        # prompt flow's serving sends the outputs that are not generators first, then the generator's chunks.
        _send_stream_start(streamed, _plain({key: value for key, value in fields.items() if key not in generators}))
    return {key: _consume(value, stream=key == streamed) for key, value in fields.items()}


class FlexInitError(Exception):
    """The flow class's __init__ raised: the run fails."""


_flex = {}


def _flex_entry(flex, connections):
    key = flex["key"]
    entry = _flex.get(key)
    if entry is not None:
        return entry
    flow_dir = os.path.abspath(flex["dir"])
    _activate_flow(flow_dir, flow_dir)
    module_name, attribute = flex["entry"].split(":")
    module = importlib.import_module(module_name)
    target = getattr(module, attribute, None)
    if target is None:
        raise LookupError("module %r has no %r" % (module_name, attribute))
    if inspect.isclass(target):
        init = _resolve_connections(target.__init__, dict(flex.get("init") or {}), connections)
        try:
            instance = target(**init)
        except Exception as error:
            raise FlexInitError("%s.__init__ failed: (%s) %s" % (attribute, type(error).__name__, error)) from error
        entry = (instance.__call__, getattr(instance, "__aggregate__", None))
    else:
        entry = (target, None)
    _flex[key] = entry
    return entry


def _line_results(func, results):
    """__aggregate__ gets what __call__ returned: dataclass results are rebuilt from their fields (attribute access)."""
    try:
        returned = inspect.signature(func).return_annotation
    except (TypeError, ValueError):
        return results
    if not (inspect.isclass(returned) and dataclasses.is_dataclass(returned)):
        return results
    names = {field.name for field in dataclasses.fields(returned)}
    return [returned(**item) if isinstance(item, dict) and set(item) == names else item for item in results]


def _call_flex(request, connections):
    flex = request["flex"]
    func, aggregate = _flex_entry(flex, connections)
    op = request.get("op")
    if op == "flex_init":
        return None
    if op == "flex_aggregate":
        if aggregate is None:
            return None
        return _plain(_settle(aggregate(_line_results(func, request.get("line_results") or []))))
    kwargs = request.get("kwargs") or {}
    try:
        parameters = inspect.signature(func).parameters
        if not any(p.kind == inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
            kwargs = {key: value for key, value in kwargs.items() if key in parameters}
    except (TypeError, ValueError):
        pass
    result = _settle(func(**_resolve_connections(func, dict(kwargs), connections)))
    outputs = _flex_outputs(result)
    # __aggregate__ receives what __call__ returned (a str stays a str), the outputs are its dict form.
    structured = isinstance(result, dict) or (dataclasses.is_dataclass(result) and not isinstance(result, type))
    plain = _plain(outputs)
    return {"outputs": plain, "line_result": plain if structured else plain["output"]}


def _handle(request):
    _metrics.clear()
    captured = io.StringIO()
    response = {"id": request.get("id")}
    _current.update(id=request.get("id"), stream=bool(request.get("stream")))
    previous_stdout = sys.stdout
    sys.stdout = captured
    try:
        os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
        if request.get("cwd"):
            os.chdir(request["cwd"])
        connections = request.get("connections") or {}
        if str(request.get("op", "tool")).startswith("flex_"):
            result = _call_flex(request, connections)
        else:
            path = os.path.abspath(request["path"])
            func = _find_tool(_load_module(path, request.get("cwd")), path)
            arguments = _resolve_connections(func, _arguments(func, request.get("kwargs") or {}, request.get("bypassed") or []), connections)
            result = _plain(_settle(func(**arguments)))
        response.update(ok=True, result=result)
    except BaseException as error:  # noqa: B902 - a tool's SystemExit must not end the worker either
        response.update(ok=False, error={
            "type": error.kind if isinstance(error, EngineError) else type(error).__name__,
            "message": str(error),
            "traceback": _short_traceback(error),
        })
    finally:
        sys.stdout = previous_stdout
    response["stdout"] = captured.getvalue()
    response["metrics"] = dict(_metrics)
    return response


def main():
    protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    protocol_in = os.fdopen(os.dup(0), "r", encoding="utf-8")
    _protocol.update(out=protocol_out, **{"in": protocol_in})
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdin = open(os.devnull, "r")
    shim.install(ask)
    # Lets the pool start a call's timeout only once the interpreter is up.
    protocol_out.write(json.dumps({"ready": True}) + "\n")
    protocol_out.flush()
    while True:
        raw = protocol_in.readline()
        if not raw:
            break
        if not raw.strip():
            continue
        try:
            request = json.loads(raw)
        except ValueError as error:
            response = {"id": None, "ok": False, "stdout": "", "metrics": {},
                        "error": {"type": "ProtocolError", "message": str(error), "traceback": ""}}
        else:
            response = _handle(request)
        protocol_out.write(json.dumps(response) + "\n")
        protocol_out.flush()


if __name__ == "__main__":
    main()
