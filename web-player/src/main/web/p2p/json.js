// Strict JSON for CONTROL frames, matching Java's Jackson setup (FAIL_ON_TRAILING_TOKENS,
// STRICT_DUPLICATE_DETECTION, default nesting limit): JSON.parse already rejects trailing tokens and
// everything Jackson rejects by default, but silently keeps the last of duplicate keys, so this module adds
// the duplicate and depth checks with a scan over text JSON.parse has already accepted.

/** Jackson's StreamReadConstraints default (2.15+): deeper documents are refused. */
export const MAX_NESTING_DEPTH = 1000;

/**
 * Parses exactly one JSON object.
 * @param {string} text
 * @returns {Object|null} the object, or null when the text is not one strict JSON object
 */
export function parseStrictObject(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return isStrict(text) ? value : null;
}

/** Walks valid JSON text: no duplicate key in any object, no nesting deeper than Jackson allows. */
function isStrict(text) {
  const stack = []; // a Set of keys per open object, null per open array
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push(c === '{' ? new Set() : null);
      if (stack.length > MAX_NESTING_DEPTH) return false;
      i++;
    } else if (c === '}' || c === ']') {
      stack.pop();
      i++;
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const literal = text.slice(i, end + 1);
      i = end + 1;
      let next = i;
      while (next < text.length && ' \t\r\n'.includes(text[next])) next++;
      const keys = stack[stack.length - 1];
      if (text[next] === ':' && keys) {
        // Compare decoded names, as Jackson does: "a" and "\u0061" are the same key.
        const name = JSON.parse(literal);
        if (keys.has(name)) return false;
        keys.add(name);
      }
    } else {
      i++;
    }
  }
  return true;
}
