import * as nunjucks from "nunjucks";

/**
 * Jinja decides `{% if %}`, `x if c else y` and `not` with Python truthiness: empty lists and dicts are false.
 * nunjucks compiles those to JavaScript truthiness, where `[]` and `{}` are true, so `{% if chat_history %}`
 * would print an empty history section. This wraps each condition in `runtime.pyTruthy(...)` at compile time.
 */

export function pythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  if (typeof value === "object" && value !== null) {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype || proto === null) return Object.keys(value).length > 0;
    return true;
  }
  return Boolean(value);
}

interface AstNode {
  typename: string;
  lineno: number;
  colno: number;
}

interface ConditionNode extends AstNode {
  cond?: AstNode;
  target?: AstNode;
}

type CompileMethod = (this: CompilerLike, node: ConditionNode, frame: unknown, ...rest: unknown[]) => void;

interface CompilerLike {
  _emit(code: string): void;
  compile(node: AstNode, frame: unknown): void;
}

type GroupConstructor = new (lineno: number, colno: number, children: AstNode[]) => AstNode & { children: AstNode[] };

function isObjectLike(value: unknown): value is Record<string, unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}

const WRAPPER = "PyTruthy";
let installed = false;

export function installPythonTruthiness(): void {
  if (installed) return;
  installed = true;
  const runtime: unknown = nunjucks.runtime;
  const compilerModule: unknown = (nunjucks as unknown as Record<string, unknown>).compiler;
  const nodesModule: unknown = (nunjucks as unknown as Record<string, unknown>).nodes;
  if (!isObjectLike(runtime) || !isObjectLike(compilerModule) || !isObjectLike(nodesModule)) {
    throw new Error("nunjucks internals changed: cannot install Jinja truthiness");
  }
  const compiler = compilerModule.Compiler;
  const group = nodesModule.Group;
  if (!isObjectLike(compiler) || !isObjectLike(compiler.prototype) || typeof group !== "function") {
    throw new Error("nunjucks internals changed: cannot install Jinja truthiness");
  }
  const Group = group as GroupConstructor;
  const proto = compiler.prototype;
  runtime.pyTruthy = pythonTruthy;

  // A Group passes the compiler's expression type checks; its own typename routes it to compilePyTruthy.
  const wrap = (node: AstNode): AstNode => {
    if (node.typename === WRAPPER) return node;
    const wrapper = new Group(node.lineno, node.colno, [node]);
    Object.defineProperty(wrapper, "typename", { value: WRAPPER });
    return wrapper;
  };
  proto[`compile${WRAPPER}`] = function compilePyTruthy(this: CompilerLike, node: AstNode & { children: AstNode[] }, frame: unknown): void {
    this._emit("runtime.pyTruthy(");
    this.compile(node.children[0], frame);
    this._emit(")");
  };
  const patch = (method: string, field: "cond" | "target"): void => {
    const original = proto[method];
    if (typeof original !== "function") throw new Error(`nunjucks internals changed: no ${method}`);
    const compileOriginal = original as CompileMethod;
    proto[method] = function patched(this: CompilerLike, node: ConditionNode, frame: unknown, ...rest: unknown[]): void {
      const child = node[field];
      if (child) node[field] = wrap(child);
      compileOriginal.call(this, node, frame, ...rest);
    };
  };
  patch("compileIf", "cond");
  patch("compileInlineIf", "cond");
  patch("compileNot", "target");
}
