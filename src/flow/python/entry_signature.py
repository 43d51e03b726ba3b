"""Reads a flex flow entry's signature from its source with `ast` -- nothing is imported or executed.

Usage: python3 entry_signature.py <flow dir> <module:Name>
Prints one JSON object: {"ok": true, "file", "kind": "function"|"class", "is_async", "inputs": [...], "init": [...],
"has_aggregate", "outputs": [names] | null} or {"ok": false, "message"}. Each parameter is
{"name", "annotation" (source text or null), "default" (JSON value) | "has_default": false}.
"""
import ast
import json
import os
import sys


def _literal(node):
    try:
        value = ast.literal_eval(node)
        json.dumps(value)
        return True, value
    except (ValueError, TypeError, SyntaxError):
        return True, None


def _parameters(function, skip_self):
    args = function.args
    positional = list(args.posonlyargs) + list(args.args)
    if skip_self and positional:
        positional = positional[1:]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    result = []
    for arg, default in list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults)):
        entry = {"name": arg.arg, "annotation": ast.unparse(arg.annotation) if arg.annotation is not None else None}
        if default is not None:
            entry["has_default"], entry["default"] = _literal(default)
        else:
            entry["has_default"] = False
        result.append(entry)
    return result


def _fields_of(module, annotation):
    """Output names of a return annotation naming a dataclass or TypedDict defined in the same module."""
    if annotation is None:
        return None
    name = ast.unparse(annotation)
    for node in module.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return [item.target.id for item in node.body
                    if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)]
    if name in ("str", "int", "float", "bool", "list") or name.startswith(("list[", "List[")):
        return ["output"]
    return None


def inspect_entry(flow_dir, entry):
    if entry.count(":") != 1:
        return {"ok": False, "message": "entry %r is not <module>:<function or class>" % entry}
    module_name, attribute = entry.split(":")
    relative = module_name.replace(".", os.sep)
    candidates = [os.path.join(flow_dir, relative + ".py"), os.path.join(flow_dir, relative, "__init__.py")]
    file = next((c for c in candidates if os.path.isfile(c)), None)
    if file is None:
        return {"ok": False, "message": "entry module %r not found (looked for %s)" % (module_name, " and ".join(
            os.path.relpath(c, flow_dir) for c in candidates))}
    with open(file, "r", encoding="utf-8") as handle:
        source = handle.read()
    try:
        module = ast.parse(source, filename=file)
    except SyntaxError as error:
        return {"ok": False, "file": file, "message": "%s:%s:%s: %s" % (file, error.lineno, error.offset, error.msg)}
    found = [node for node in module.body
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == attribute]
    if not found:
        return {"ok": False, "file": file, "message": "%s defines no top-level function or class %r" % (file, attribute)}
    node = found[-1]
    if isinstance(node, ast.ClassDef):
        methods = {item.name: item for item in node.body if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
        call = methods.get("__call__")
        if call is None:
            return {"ok": False, "file": file, "message": "class %r in %s has no __call__ method" % (attribute, file)}
        init = methods.get("__init__")
        return {"ok": True, "file": file, "kind": "class", "is_async": isinstance(call, ast.AsyncFunctionDef),
                "inputs": _parameters(call, True), "init": _parameters(init, True) if init else [],
                "has_aggregate": "__aggregate__" in methods, "outputs": _fields_of(module, call.returns)}
    return {"ok": True, "file": file, "kind": "function", "is_async": isinstance(node, ast.AsyncFunctionDef),
            "inputs": _parameters(node, False), "init": [], "has_aggregate": False,
            "outputs": _fields_of(module, node.returns)}


if __name__ == "__main__":
    print(json.dumps(inspect_entry(os.path.abspath(sys.argv[1]), sys.argv[2])))
