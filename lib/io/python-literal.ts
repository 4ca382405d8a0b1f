/**
 * The Python literal subset found in .npy headers: dicts (as Map), tuples and lists (as arrays), quoted
 * strings, integers (with Python 2's optional L suffix), True, False and None. Throws Error on anything else.
 */
export type PythonValue = string | number | boolean | null | PythonValue[] | Map<PythonValue, PythonValue>;

export function parsePythonLiteral(text: string): PythonValue {
  let at = 0;

  const fail = (what: string): never => {
    throw new Error(`${what} at character ${at}`);
  };
  const skipSpace = () => {
    while (at < text.length && /\s/.test(text[at])) at++;
  };
  const expect = (char: string) => {
    skipSpace();
    if (text[at] !== char) fail(`expected '${char}'`);
    at++;
  };

  /** Comma-separated items up to `close`, trailing comma allowed. Returns whether any comma was seen. */
  const items = (close: string, item: () => void): boolean => {
    let comma = false;
    for (;;) {
      skipSpace();
      if (text[at] === close) break;
      item();
      skipSpace();
      if (text[at] === ',') {
        comma = true;
        at++;
      } else if (text[at] !== close) {
        fail(`expected ',' or '${close}'`);
      }
    }
    at++;
    return comma;
  };

  const value = (): PythonValue => {
    skipSpace();
    const char = text[at];
    if (char === '{') {
      at++;
      const map = new Map<PythonValue, PythonValue>();
      items('}', () => {
        const key = value();
        expect(':');
        map.set(key, value());
      });
      return map;
    }
    if (char === '(' || char === '[') {
      at++;
      const list: PythonValue[] = [];
      const comma = items(char === '(' ? ')' : ']', () => list.push(value()));
      // "(3)" is just 3 in Python; only "(3,)" is a one-element tuple.
      return char === '(' && list.length === 1 && !comma ? list[0] : list;
    }
    if (char === "'" || char === '"') {
      const end = text.indexOf(char, at + 1);
      if (end < 0) fail('unterminated string');
      const body = text.slice(at + 1, end);
      if (body.includes('\\')) fail('escapes in strings are not supported');
      at = end + 1;
      return body;
    }
    const word = /^(-?\d+)L?|^(True|False|None)\b/.exec(text.slice(at));
    if (word === null) return fail('unexpected input');
    at += word[0].length;
    if (word[1] !== undefined) {
      const n = Number(word[1]);
      return Number.isSafeInteger(n) ? n : fail(`integer ${word[1]} is too large`);
    }
    return word[2] === 'True' ? true : word[2] === 'False' ? false : null;
  };

  const result = value();
  skipSpace();
  if (at !== text.length) fail('unexpected text after the value');
  return result;
}
