// Moodle's REST server reads its parameters as PHP does: `users[0][username]=x` is the nested
// array users => [0 => [username => x]] (moodle/moodle webservice/rest/locallib.php takes $_POST
// merged with $_GET). Nest's body parser may already have nested a form body (qs), so both the flat
// form and a nested object are accepted and turned into the same tree.

export type PhpValue = string | PhpArray;
export interface PhpArray {
  [key: string]: PhpValue;
}

/** `a[b][0]` -> ['a', 'b', '0']; a key without brackets is one segment. */
export function keyPath(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  const rest = key.slice(open);
  const segments = /\[([^\]]*)\]/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = segments.exec(rest)) !== null) {
    path.push(match[1]!);
    consumed = segments.lastIndex;
  }
  // PHP keeps the unparsed tail as part of the last name; a malformed key stays one segment.
  return consumed === rest.length ? path : [key];
}

/** A flat form (`key -> value`) as PHP's nested arrays; `[]` appends as PHP does. */
export function parsePhpForm(flat: Iterable<readonly [string, string]>): PhpArray {
  const root: PhpArray = {};
  for (const [key, value] of flat) {
    const path = keyPath(key);
    let node: PhpArray = root;
    path.forEach((segment, i) => {
      const name = segment === '' ? String(Object.keys(node).length) : segment;
      if (i === path.length - 1) {
        node[name] = value;
        return;
      }
      const next = node[name];
      if (typeof next !== 'object') node[name] = {};
      node = node[name] as PhpArray;
    });
  }
  return root;
}

/** A body parser's nested object (qs) back to flat PHP keys, so one parser decides. */
export function flattenNested(value: unknown, prefix = '', into: [string, string][] = []): [string, string][] {
  if (value === null || value === undefined) return into;
  if (typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
    for (const [key, inner] of entries) flattenNested(inner, prefix === '' ? key : `${prefix}[${key}]`, into);
    return into;
  }
  into.push([prefix, String(value)]);
  return into;
}

/** The items of an external_multiple_structure: PHP iterates an array's values in insertion order. */
export function listOf(value: PhpValue | undefined): PhpValue[] {
  if (value === undefined || typeof value === 'string') return [];
  return Object.values(value);
}
