/**
 * A small strict XML parser for tests: enough of XML 1.0 to prove a generated document is well-formed (one root,
 * matched tags, quoted unique attributes, only the five predefined entities and character references, no raw `<`
 * or `&` in text or attributes, no characters XML forbids) and to read it back as a tree. Throws on anything else.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const entities: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const nameChars = /[A-Za-z0-9_:.-]/;
const forbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/.test(raw)) throw new Error(`raw < or & at ${where}: ${raw.slice(0, 60)}`);
  if (forbidden.test(raw)) throw new Error(`forbidden character at ${where}`);
  return raw.replace(/&(#x[0-9A-Fa-f]+|#\d+|\w+);/g, (_m, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    return entities[ref];
  });
}

export function parseXml(text: string): XmlElement {
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`XML not well-formed at ${pos}: ${why}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos])) pos++;
  };
  const readName = (): string => {
    const start = pos;
    while (pos < text.length && nameChars.test(text[pos])) pos++;
    if (pos === start) fail("expected a name");
    return text.slice(start, pos);
  };
  if (text.startsWith("<?xml")) {
    const end = text.indexOf("?>");
    if (end < 0) fail("unterminated declaration");
    pos = end + 2;
  }
  skipSpace();

  const parseElement = (): XmlElement => {
    if (text[pos] !== "<") fail("expected <");
    pos++;
    const element: XmlElement = { name: readName(), attributes: {}, children: [], text: "" };
    for (;;) {
      skipSpace();
      if (text.startsWith("/>", pos)) {
        pos += 2;
        return element;
      }
      if (text[pos] === ">") {
        pos++;
        break;
      }
      const attribute = readName();
      skipSpace();
      if (text[pos] !== "=") fail(`expected = after ${attribute}`);
      pos++;
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") fail("attribute value not quoted");
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail("unterminated attribute");
      if (attribute in element.attributes) fail(`duplicate attribute ${attribute}`);
      element.attributes[attribute] = decode(text.slice(pos + 1, end), pos);
      pos = end + 1;
    }
    for (;;) {
      const next = text.indexOf("<", pos);
      if (next < 0) fail(`unclosed <${element.name}>`);
      element.text += decode(text.slice(pos, next), pos);
      pos = next;
      if (text.startsWith("</", pos)) {
        pos += 2;
        const name = readName();
        if (name !== element.name) fail(`</${name}> closes <${element.name}>`);
        skipSpace();
        if (text[pos] !== ">") fail("expected >");
        pos++;
        return element;
      }
      element.children.push(parseElement());
    }
  };

  const root = parseElement();
  skipSpace();
  if (pos !== text.length) fail("content after the root element");
  return root;
}
