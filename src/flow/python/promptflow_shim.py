"""The parts of the `promptflow` package that flows import, for flows run by the Node engine without it.

Registered in sys.modules by worker.py: `promptflow`, `promptflow.core` (tool, log_metric, Prompty, model
configurations), `promptflow.core._flow` (Prompty, AsyncPrompty), `promptflow.connections` / `promptflow.entities`
(connection classes), `promptflow.tracing` (trace, start_trace). A Prompty call is not made here: it is sent to
the Node engine (`ask`), which renders the prompty and calls the model, so retries, rate limits, token usage and
secrets stay in one place. Model configurations naming a `connection` are resolved there too; no secret of a named
connection enters this process unless a tool parameter asks for the connection object.
"""
import dataclasses
import functools
import inspect
import os
import sys
import types

TOOL_MARK = "__promptflow_tool__"

_metrics = {}
_ask = [None]


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


def trace(func=None, **_options):
    """Tracing is the engine's business; the decorated function runs unchanged."""
    def wrap(f):
        if inspect.iscoroutinefunction(f):
            @functools.wraps(f)
            async def traced_async(*args, **kwargs):
                return await f(*args, **kwargs)
            traced_async.__original_function = f
            return traced_async

        @functools.wraps(f)
        def traced(*args, **kwargs):
            return f(*args, **kwargs)
        traced.__original_function = f
        return traced
    return wrap(func) if callable(func) else wrap


def start_trace(*_args, **_kwargs):
    """Accepted so `__main__` blocks and notebooks import cleanly; traces are not collected here."""
    return None


# --- connections -------------------------------------------------------------------------------------------------

class _Connection:
    type = "custom"

    def __init__(self, name=None, **fields):
        self.name = name
        for key, value in fields.items():
            setattr(self, key, value)

    def __repr__(self):
        return "%s(name=%r)" % (type(self).__name__, self.name)


class AzureOpenAIConnection(_Connection):
    type = "azure_open_ai"

    def __init__(self, api_key=None, api_base=None, api_type="azure", api_version=None, auth_mode="key", name=None, **extra):
        super().__init__(name=name, api_key=api_key, api_base=api_base, api_type=api_type, api_version=api_version,
                         auth_mode=auth_mode, **extra)


class OpenAIConnection(_Connection):
    type = "open_ai"

    def __init__(self, api_key=None, organization=None, base_url=None, name=None, **extra):
        super().__init__(name=name, api_key=api_key, organization=organization, base_url=base_url, **extra)


class CustomConnection(_Connection):
    type = "custom"

    def __init__(self, configs=None, secrets=None, name=None, **_extra):
        super().__init__(name=name, configs=dict(configs or {}), secrets=dict(secrets or {}))

    def __getattr__(self, key):
        # prompt flow lets `conn.endpoint` read configs and secrets alike.
        for store in ("configs", "secrets"):
            values = self.__dict__.get(store) or {}
            if key in values:
                return values[key]
        raise AttributeError(key)


CONNECTION_CLASSES = {cls.__name__: cls for cls in (AzureOpenAIConnection, OpenAIConnection, CustomConnection)}


def connection_from_payload(payload):
    """The object a tool parameter typed as a connection receives, from the engine's resolved connection."""
    kind = payload.get("type")
    if kind == "azure_open_ai":
        return AzureOpenAIConnection(api_key=payload.get("api_key"), api_base=payload.get("api_base"),
                                     api_version=payload.get("api_version"), auth_mode=payload.get("auth_mode", "key"),
                                     name=payload.get("name"))
    if kind == "open_ai":
        return OpenAIConnection(api_key=payload.get("api_key"), organization=payload.get("organization"),
                                base_url=payload.get("base_url"), name=payload.get("name"))
    return CustomConnection(configs=payload.get("configs"), secrets=payload.get("secrets"), name=payload.get("name"))


def annotation_name(annotation):
    if annotation is inspect.Parameter.empty:
        return None
    if isinstance(annotation, str):
        return annotation.split(".")[-1]
    return getattr(annotation, "__name__", None)


# --- model configurations ----------------------------------------------------------------------------------------

@dataclasses.dataclass
class AzureOpenAIModelConfiguration:
    azure_deployment: str = None
    azure_endpoint: str = None
    api_version: str = None
    api_key: str = None
    connection: str = None

    @property
    def type(self):
        return "azure_openai"

    @classmethod
    def from_connection(cls, connection, azure_deployment=None):
        if isinstance(connection, str):
            return cls(connection=connection, azure_deployment=azure_deployment)
        return cls(azure_deployment=azure_deployment, azure_endpoint=connection.api_base,
                   api_version=connection.api_version, api_key=connection.api_key, connection=connection.name)


@dataclasses.dataclass
class OpenAIModelConfiguration:
    model: str = None
    base_url: str = None
    api_key: str = None
    organization: str = None
    connection: str = None

    @property
    def type(self):
        return "openai"

    @classmethod
    def from_connection(cls, connection, model=None):
        if isinstance(connection, str):
            return cls(connection=connection, model=model)
        return cls(model=model, base_url=connection.base_url, api_key=connection.api_key,
                   organization=connection.organization, connection=connection.name)


MODEL_CONFIGURATIONS = {cls.__name__: cls for cls in (AzureOpenAIModelConfiguration, OpenAIModelConfiguration)}


def model_configuration_payload(value):
    """A model configuration (object or dict) as the engine reads it: `type` plus the fields that are set."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        payload = {key: item for key, item in dataclasses.asdict(value).items() if item is not None}
        payload["type"] = value.type
        return payload
    if isinstance(value, dict):
        return {key: model_configuration_payload(item) if key == "configuration" else item for key, item in value.items()}
    return value


# --- Prompty -----------------------------------------------------------------------------------------------------

def _model_payload(model):
    if model is None:
        return {}
    if not isinstance(model, dict):
        raise TypeError("Prompty model must be a dict such as {'configuration': ..., 'parameters': {...}}")
    payload = dict(model)
    if "configuration" in payload:
        payload["configuration"] = model_configuration_payload(payload["configuration"])
    return payload


class Prompty:
    """`Prompty.load(source=..., model={...})(**inputs)`; the call is executed by the Node engine."""

    def __init__(self, path, model=None, **kwargs):
        self._path = os.path.abspath(str(path))
        if not os.path.isfile(self._path):
            raise FileNotFoundError("prompty file not found: %s" % self._path)
        self._model = _model_payload(model)
        self._extra = {key: value for key, value in kwargs.items() if key in ("inputs", "outputs", "sample")}

    @classmethod
    def load(cls, source, model=None, **kwargs):
        return cls(source, model=model, **kwargs)

    def _request(self, op, args, kwargs):
        if args:
            raise TypeError("Prompty must be called with keyword arguments (its inputs)")
        return _ask[0]({"op": op, "source": self._path, "model": self._model, "inputs": kwargs})

    def __call__(self, *args, **kwargs):
        return self._request("prompty", args, kwargs)

    def estimate_token_count(self, *args, **kwargs):
        return self._request("prompty_tokens", args, kwargs)

    def render(self, *args, **kwargs):
        return self._request("prompty_render", args, kwargs)


class AsyncPrompty(Prompty):
    async def __call__(self, *args, **kwargs):
        return self._request("prompty", args, kwargs)


def install(ask):
    """Registers the shim modules (unless a real promptflow is importable) and the engine callback."""
    _ask[0] = ask
    if "promptflow" in sys.modules:
        return

    def module(name, **attributes):
        created = types.ModuleType(name)
        created.__path__ = []
        for key, value in attributes.items():
            setattr(created, key, value)
        sys.modules[name] = created
        return created

    connections = dict(CONNECTION_CLASSES)
    configurations = dict(MODEL_CONFIGURATIONS)
    package = module("promptflow", tool=tool, log_metric=log_metric, trace=trace)
    package.core = module("promptflow.core", tool=tool, log_metric=log_metric, Prompty=Prompty, AsyncPrompty=AsyncPrompty,
                          **configurations)
    module("promptflow.core._flow", Prompty=Prompty, AsyncPrompty=AsyncPrompty)
    module("promptflow.core._model_configuration", **configurations)
    package.connections = module("promptflow.connections", **connections)
    package.entities = module("promptflow.entities", **connections)
    package.tracing = module("promptflow.tracing", trace=trace, start_trace=start_trace)
    module("promptflow.tracing._trace", trace=trace)
    package.core._flow = sys.modules["promptflow.core._flow"]
