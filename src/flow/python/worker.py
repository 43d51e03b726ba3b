"""Long-lived worker that runs prompt flow python tools for the Node flow engine.

Protocol: one JSON request per line on stdin, one JSON response per line on the protocol pipe (the original
stdout, duplicated at start-up). File descriptor 1 is then pointed at stderr and sys.stdout is captured per call,
so a tool's print() -- or a C library writing to fd 1 -- can never corrupt the protocol.

Request:  {"id": n, "path": "/abs/tool.py", "kwargs": {...}, "bypassed": ["x"], "cwd": "/abs/flow", "env": {...}}
Response: {"id": n, "ok": true, "result": ..., "stdout": "...", "metrics": {...}}
          {"id": n, "ok": false, "error": {"type", "message", "traceback"}, "stdout": "...", "metrics": {...}}

Only the standard library is used, and `promptflow` need not be installed: fake `promptflow` and
`promptflow.core` modules providing `tool` and `log_metric` are registered in sys.modules.
"""
import hashlib
import importlib.util
import inspect
import io
import json
import os
import sys
import traceback
import types

TOOL_MARK = "__promptflow_tool__"
TRACEBACK_FRAMES = 5

_metrics = {}


def tool(func=None, **_options):
    """`@tool` and `@tool(name=...)`: marks the function the node calls."""
    def mark(f):
        setattr(f, TOOL_MARK, True)
        return f
    return mark(func) if callable(func) else mark


def log_metric(key, value, variant_id=None):
    """Records a metric for the aggregation step; the last write of a key wins."""
    try:
        number = float(value)
        _metrics[str(key)] = number if number == number and number not in (float("inf"), float("-inf")) else str(value)
    except (TypeError, ValueError):
        _metrics[str(key)] = str(value)


def _install_promptflow_shim():
    if "promptflow" in sys.modules:
        return
    package = types.ModuleType("promptflow")
    package.__path__ = []
    package.tool = tool
    package.log_metric = log_metric
    core = types.ModuleType("promptflow.core")
    core.tool = tool
    core.log_metric = log_metric
    package.core = core
    sys.modules["promptflow"] = package
    sys.modules["promptflow.core"] = core


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
    sys.path[:] = mine + [entry for entry in sys.path if entry not in mine and _owner_dir(entry) is None]


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
             if callable(value) and getattr(value, TOOL_MARK, False)
             and getattr(value, "__module__", None) == module.__name__]
    if not tools:
        tools = [value for value in vars(module).values() if callable(value) and getattr(value, TOOL_MARK, False)]
    if len(tools) != 1:
        found = ", ".join(sorted(getattr(t, "__name__", "?") for t in tools)) or "none"
        raise LookupError("%s must define exactly one @tool function, found %s" % (path, found))
    return tools[0]


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
              if os.path.abspath(frame.filename) != os.path.abspath(__file__)]
    return "".join(traceback.format_list(frames[-TRACEBACK_FRAMES:]))


def _handle(request):
    _metrics.clear()
    captured = io.StringIO()
    response = {"id": request.get("id")}
    previous_stdout = sys.stdout
    sys.stdout = captured
    try:
        os.environ.update({str(k): str(v) for k, v in (request.get("env") or {}).items()})
        if request.get("cwd"):
            os.chdir(request["cwd"])
        path = os.path.abspath(request["path"])
        func = _find_tool(_load_module(path, request.get("cwd")), path)
        result = func(**_arguments(func, request.get("kwargs") or {}, request.get("bypassed") or []))
        try:
            json.dumps(result, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise TypeError("the tool's return value is not JSON-serialisable: %s" % error) from None
        response.update(ok=True, result=result)
    except BaseException as error:  # noqa: B902 - a tool's SystemExit must not end the worker either
        response.update(ok=False, error={
            "type": type(error).__name__,
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
    protocol_in = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    sys.stdin = open(os.devnull, "r")
    _install_promptflow_shim()
    # Lets the pool start a call's timeout only once the interpreter is up.
    protocol_out.write(json.dumps({"ready": True}) + "\n")
    protocol_out.flush()
    for raw in protocol_in:
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
