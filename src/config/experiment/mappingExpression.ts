/** The expressions a mapping value can hold, parsed so each place that allows only some of them can say so. */

export type MappingExpression =
  | { kind: "data"; column: string }
  | { kind: "run.outputs"; column: string }
  | { kind: "run.inputs"; column: string }
  | { kind: "literal"; value: string };

const reference = /^\$\{(data|run\.outputs|run\.inputs)\.([^}\s]+)\}$/;

export function parseMappingExpression(text: string): MappingExpression {
  const match = reference.exec(text.trim());
  if (!match) return { kind: "literal", value: text };
  const column = match[2];
  switch (match[1]) {
    case "data":
      return { kind: "data", column };
    case "run.outputs":
      return { kind: "run.outputs", column };
    default:
      return { kind: "run.inputs", column };
  }
}

/** Something that looks like a reference but is not one of the three forms: almost certainly a typo. */
export function isMalformedReference(text: string): boolean {
  return text.trim().startsWith("${") && parseMappingExpression(text).kind === "literal";
}
