"""Worker process that runs Python step files for the motia-like runtime.

Node starts a few of these and speaks newline-delimited JSON with them: requests arrive on stdin,
answers leave on a private copy of the original stdout. File descriptor 1 is pointed at stderr and
`sys.stdout` at the invocation's logger, so a handler's print() can never corrupt the protocol.
Each invocation runs as its own asyncio task, so many jobs interleave inside one worker; what a
handler does through its context (emit, state, logger) is a call back to Node, which runs it through
the real context of that invocation. Standard library only.
"""

import asyncio
import contextvars
import inspect
import itertools
import json
import os
import sys
import threading
import traceback
import types

PROTOCOL_IN = os.fdopen(os.dup(0), "rb")
PROTOCOL_OUT = os.fdopen(os.dup(1), "wb")
# A handler reading stdin reads nothing, and anything written to fd 1 lands on stderr.
os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
os.dup2(2, 1)
sys.stdin = open(os.devnull)
WRITE_LOCK = threading.Lock()
MAX_LINE = 1 << 30
KEPT_VERSIONS = 2
STEP_MODULE_PREFIX = "motia_step_"

current_invocation = contextvars.ContextVar("current_invocation", default=None)
loading = {"file": None}


def encode(message, default=None):
    return json.dumps(message, separators=(",", ":"), allow_nan=False, default=default).encode("ascii") + b"\n"


def write(line):
    """Writes one protocol line; safe from any thread (sync handlers run in threads)."""
    with WRITE_LOCK:
        PROTOCOL_OUT.write(line)
        PROTOCOL_OUT.flush()


def send(message, default=None):
    write(encode(message, default))


def send_log(invocation, level, msg, meta=None):
    """Sends a log line; a log never fails, so values JSON cannot hold are sent as their text."""
    message = {"t": "log", "inv": invocation, "level": level, "msg": str(msg)}
    if invocation is None and loading["file"]:
        message["file"] = loading["file"]
    if meta is not None:
        message["meta"] = meta if isinstance(meta, dict) else {"meta": meta}
    try:
        send(message, default=str)
    except ValueError:
        message["meta"] = {"meta": repr(meta)}
        send(message, default=str)


class MotiaError(Exception):
    """An error the runtime raised for a context call (undeclared emit, invalid data, ...)."""

    def __init__(self, message, code="MOTIA_ERROR", call_id=None):
        super().__init__(message)
        self.code = code
        self.call_id = call_id


class EmitNotDeclaredError(MotiaError):
    pass


class ValidationError(MotiaError):
    pass


class NonRetriableError(Exception):
    """Raise it from a handler to fail the job at once, with no retry."""


RUNTIME_ERRORS = {"EmitNotDeclaredError": EmitNotDeclaredError, "ValidationError": ValidationError}

# Step files import these as `from motia_like import NonRetriableError`.
public_module = types.ModuleType("motia_like")
public_module.MotiaError = MotiaError
public_module.EmitNotDeclaredError = EmitNotDeclaredError
public_module.ValidationError = ValidationError
public_module.NonRetriableError = NonRetriableError
sys.modules["motia_like"] = public_module


class PrintToLogger:
    """Stands in for sys.stdout: each printed line becomes an info line of the invocation's logger."""

    def __init__(self):
        self.partial = {}

    def write(self, text):
        invocation = current_invocation.get()
        buffered = self.partial.pop(invocation, "") + text
        *lines, rest = buffered.split("\n")
        for line in lines:
            send_log(invocation, "info", line)
        if rest:
            self.partial[invocation] = rest
        return len(text)

    def end(self, invocation):
        """Logs what an invocation printed without a final newline, and forgets it."""
        rest = self.partial.pop(invocation, "")
        if rest:
            send_log(invocation, "info", rest)

    def flush(self):
        pass

    def isatty(self):
        return False


printer = PrintToLogger()
sys.stdout = printer


class Calls:
    """Context calls waiting for Node's reply, by call id."""

    def __init__(self, loop):
        self.loop = loop
        self.ids = itertools.count(1)
        self.waiting = {}

    def call(self, invocation, method, args):
        """Encodes the call at once, so a value JSON cannot hold (NaN, a set) raises at the handler's
        line; returns the coroutine that sends it and waits for the reply."""
        call_id = next(self.ids)
        line = encode({"t": "call", "id": call_id, "inv": invocation, "method": method, "args": args})
        return self.wait(call_id, line)

    async def wait(self, call_id, line):
        future = self.loop.create_future()
        self.waiting[call_id] = future
        try:
            write(line)
            return await future
        finally:
            self.waiting.pop(call_id, None)

    def settle(self, message):
        future = self.waiting.get(message["id"])
        if future is None or future.done():
            return
        if message.get("ok"):
            future.set_result(message.get("value"))
        else:
            error = message.get("error") or {}
            kind = RUNTIME_ERRORS.get(error.get("name"), MotiaError)
            future.set_exception(kind(error.get("message", "context call failed"), error.get("code", "MOTIA_ERROR"), message["id"]))


class Logger:
    def __init__(self, invocation):
        self.invocation = invocation

    def info(self, msg, meta=None):
        send_log(self.invocation, "info", msg, meta)

    def warn(self, msg, meta=None):
        send_log(self.invocation, "warn", msg, meta)

    warning = warn

    def error(self, msg, meta=None):
        send_log(self.invocation, "error", msg, meta)

    def debug(self, msg, meta=None):
        send_log(self.invocation, "debug", msg, meta)


class Context:
    """The `ctx` of one invocation. In an async handler its methods return awaitables; in a sync
    handler (run in a thread) they block and return the value."""

    def __init__(self, worker, invocation, trace_id):
        self._worker = worker
        self._invocation = invocation
        self.trace_id = trace_id
        self.logger = Logger(invocation)
        self.state = State(self)
        self.streams = Streams(self)

    def _call(self, method, *args):
        coroutine = self._worker.calls.call(self._invocation, method, list(args))
        if threading.get_ident() == self._worker.loop_thread:
            return coroutine
        return asyncio.run_coroutine_threadsafe(coroutine, self._worker.loop).result()

    def emit(self, event=None, **fields):
        event = dict(event or {}, **fields)
        if not isinstance(event.get("topic"), str):
            raise TypeError('emit takes {"topic": str, "data": ...}')
        return self._call("emit", event)


class State:
    def __init__(self, context):
        self._context = context

    def get(self, group, key):
        return self._context._call("state.get", group, key)

    def set(self, group, key, value):
        return self._context._call("state.set", group, key, value)

    def delete(self, group, key):
        return self._context._call("state.delete", group, key)

    def get_group(self, group):
        return self._context._call("state.getGroup", group)

    def clear(self, group):
        return self._context._call("state.clear", group)


class Streams:
    """`ctx.streams.<name>` (or `ctx.streams["name"]`): each call runs on the stream in Node."""

    def __init__(self, context):
        self._context = context

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Stream(self._context, name)

    def __getitem__(self, name):
        return Stream(self._context, name)


class Stream:
    def __init__(self, context, name):
        self._context = context
        self._name = name

    def get(self, group_id, id):
        return self._context._call("streams", self._name, "get", group_id, id)

    def set(self, group_id, id, data):
        return self._context._call("streams", self._name, "set", group_id, id, data)

    def delete(self, group_id, id):
        return self._context._call("streams", self._name, "delete", group_id, id)

    def get_group(self, group_id):
        return self._context._call("streams", self._name, "getGroup", group_id)

    getGroup = get_group

    def send(self, channel, event):
        return self._context._call("streams", self._name, "send", channel, event)


def to_json_config(value, path):
    """The config as JSON: Pydantic models (anything with model_json_schema) become JSON Schema."""
    schema = getattr(value, "model_json_schema", None)
    if callable(schema):
        return schema()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [to_json_config(item, f"{path}.{index}") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return {str(key): to_json_config(item, f"{path}.{key}") for key, item in value.items()}
    raise LoadFailure(
        "config",
        f"{path} is a {type(value).__name__}, which a Python step config cannot hold: "
        "use JSON values, JSON Schema dicts or Pydantic models",
        None,
    )


class LoadFailure(Exception):
    def __init__(self, kind, message, line):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.line = line


def line_in(error, file):
    """The line of `file` where an import-time exception was raised (the deepest frame in it)."""
    line = None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == file:
            line = frame.lineno
    return line


def positional_count(handler):
    try:
        parameters = inspect.signature(handler).parameters.values()
    except (TypeError, ValueError):
        return 2
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(1 for p in parameters if p.kind in kinds)


class Worker:
    def __init__(self, loop):
        self.loop = loop
        self.loop_thread = threading.get_ident()
        self.calls = Calls(loop)
        self.modules = {}
        self.tasks = set()
        self.generation = 0
        project = os.environ.get("MOTIA_PROJECT_DIR")
        self.helper_roots = [os.path.join(project, root) + os.sep for root in ("steps", "src")] if project else []
        if project and project not in sys.path:
            sys.path.insert(0, project)

    def forget_helpers(self):
        """A new reload generation: the project's own helper modules are imported afresh."""
        for name, module in list(sys.modules.items()):
            path = getattr(module, "__file__", None) or ""
            if name.startswith(STEP_MODULE_PREFIX) or not any(path.startswith(root) for root in self.helper_roots):
                continue
            # Installed packages (a virtualenv inside the project) are never imported twice.
            if os.sep + "." not in path and "site-packages" not in path:
                del sys.modules[name]

    def load(self, message):
        file, version = message["file"], message["version"]
        generation = message.get("generation", 0)
        if generation > self.generation:
            self.generation = generation
            self.forget_helpers()
        token = current_invocation.set(None)
        loading["file"] = file
        try:
            try:
                code = compile(message["source"], file, "exec")
            except SyntaxError as error:
                raise LoadFailure("syntax", f"{type(error).__name__}: {error.msg}", error.lineno) from None
            name = f"{STEP_MODULE_PREFIX}{abs(hash(file))}_v{version}"
            module = types.ModuleType(name)
            module.__file__ = file
            directory = os.path.dirname(file)
            if directory not in sys.path:
                sys.path.insert(0, directory)
            sys.modules[name] = module
            try:
                exec(code, module.__dict__)
            except BaseException as error:  # a step's import may raise anything, SystemExit included
                del sys.modules[name]
                raise LoadFailure("import", f"{type(error).__name__}: {error}", line_in(error, file)) from None
        finally:
            loading["file"] = None
            current_invocation.reset(token)
        # The latest loads are kept, whatever their number: an old version loaded again is in use.
        versions = self.modules.setdefault(file, {})
        versions.pop(version, None)
        versions[version] = module
        while len(versions) > KEPT_VERSIONS:
            dropped = versions.pop(next(iter(versions)))
            sys.modules.pop(dropped.__name__, None)
        config = getattr(module, "config", None)
        try:
            config = None if config is None else to_json_config(config, "config")
        except LoadFailure:
            raise
        except Exception as error:  # model_json_schema() of a schema may raise
            raise LoadFailure("config", f"config could not be read: {type(error).__name__}: {error}", None) from None
        return {"config": config, "hasHandler": callable(getattr(module, "handler", None))}

    async def run(self, message):
        """Runs the handler of a loaded step version with the arguments its kind takes."""
        handler = self.modules[message["file"]][message["version"]].handler
        ctx = Context(self, message["id"], message.get("traceId"))
        args = [*message.get("args", []), ctx]
        if message["kind"] == "cron" and positional_count(handler) >= 2:
            args = [{}, ctx]
        if not inspect.iscoroutinefunction(handler):
            result = await asyncio.to_thread(handler, *args)
            return await result if inspect.isawaitable(result) else result
        timeout = message.get("timeoutMs")
        return await asyncio.wait_for(handler(*args), timeout / 1000 if timeout else None)

    async def invoke(self, message):
        """Answers every invocation exactly once, whatever the handler does."""
        invocation = message["id"]
        current_invocation.set(invocation)
        if message["version"] not in self.modules.get(message["file"], {}):
            send({"t": "done", "id": invocation, "ok": False, "error": {"code": "NOT_LOADED", "message": "not loaded"}})
            return
        try:
            value = await self.run(message)
            printer.end(invocation)
            # Encoding the result inside the try: a value JSON cannot hold fails the invocation.
            send({"t": "done", "id": invocation, "ok": True, "value": value})
        except (Exception, SystemExit) as error:
            printer.end(invocation)
            send({"t": "done", "id": invocation, "ok": False, "error": describe(error)})

    def handle(self, message):
        kind = message.get("t")
        if kind == "reply":
            self.calls.settle(message)
        elif kind == "invoke":
            task = self.loop.create_task(self.invoke(message))
            self.tasks.add(task)
            task.add_done_callback(self.tasks.discard)
        elif kind == "load":
            try:
                send({"t": "done", "id": message["id"], "ok": True, "value": self.load(message)})
            except Exception as error:
                failure = error if isinstance(error, LoadFailure) else LoadFailure("import", f"{type(error).__name__}: {error}", None)
                error = {"code": "LOAD_FAILED", "kind": failure.kind, "message": failure.message, "line": failure.line}
                send({"t": "done", "id": message["id"], "ok": False, "error": error})


def describe(error):
    # The traceback starts at the handler: frames of this runner and of asyncio say nothing to the user.
    frames = error.__traceback__
    while frames is not None and frames.tb_frame.f_code.co_filename in (__file__, asyncio.tasks.__file__):
        frames = frames.tb_next
    described = {
        "name": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(type(error), error, frames)),
    }
    if isinstance(error, MotiaError) and error.call_id is not None:
        described["callId"] = error.call_id
    return described


async def main():
    loop = asyncio.get_running_loop()
    worker = Worker(loop)
    reader = asyncio.StreamReader(limit=MAX_LINE)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), PROTOCOL_IN)
    while True:
        line = await reader.readline()
        if not line:
            break
        try:
            worker.handle(json.loads(line))
        except Exception as error:  # a message this worker cannot read must not stop the others
            send_log(None, "error", f"Python worker could not handle a message: {error}")
    # Node closed stdin: leave at once, without waiting for handlers or threads still running.
    with WRITE_LOCK:
        PROTOCOL_OUT.flush()
    os._exit(0)


if __name__ == "__main__":
    asyncio.run(main())
