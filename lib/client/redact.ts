/**
 * Keeps secrets out of error messages. Two layers: patterns that look like credentials (JSON fields
 * such as `"password": "…"`, `Authorization`/`Bearer`/`Basic` values, `password=…` pairs, userinfo
 * in URLs), and the literal secrets of the client's own configuration.
 */

export const REDACTED = '[REDACTED]';

/** Field names whose values are treated as secrets. */
const SECRET_KEY = String.raw`(?:[A-Za-z0-9_-]*(?:password|passwd|pwd|secret|token|credential|authorization|api[-_]?key|access[-_]?key|private[-_]?key)[A-Za-z0-9_-]*)`;

type Replacement = (...m: string[]) => string;

/** Safe on any text, including the API's own messages. */
const TEXT_PATTERNS: Array<[RegExp, Replacement]> = [
  // JSON: "password": "value" (also when the value is cut off by a truncation).
  [new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*)"(?:[^"\\]|\\.)*"?`, 'gi'), (_m, key) => `${key}"${REDACTED}"`],
  // Authorization schemes.
  [/\b(Bearer|Basic|Digest)\s+(?!\[REDACTED\])[A-Za-z0-9\-._~+/=:]{4,}/gi, (_m, scheme) => `${scheme} ${REDACTED}`],
  // key=value pairs (form bodies, query strings, log lines).
  [new RegExp(String.raw`(\b${SECRET_KEY}=)[^\s&,;"'<>]+`, 'gi'), (_m, key) => `${key}${REDACTED}`],
  // userinfo in URLs: scheme://user:password@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi, (_m, scheme) => `${scheme}${REDACTED}@`],
];

/** For response bodies only: also `key: value` (headers echoed in error pages); too eager for prose. */
const BODY_PATTERNS: Array<[RegExp, Replacement]> = [
  ...TEXT_PATTERNS,
  [
    new RegExp(String.raw`(\b${SECRET_KEY}\s*:\s*)(?!\s*["{\[])(?!(?:Bearer|Basic|Digest)\s)(?!\[REDACTED\])[^\s&,;"'<>]+`, 'gi'),
    (_m, key) => `${key}${REDACTED}`,
  ],
];

/**
 * Replaces whatever looks like a credential in `text`. `body` mode (for response bodies) also
 * redacts `key: value` pairs.
 */
export function redactPatterns(text: string, mode: 'text' | 'body' = 'body'): string {
  let out = text;
  for (const [re, replacement] of mode === 'body' ? BODY_PATTERNS : TEXT_PATTERNS) {
    out = out.replace(re, replacement);
  }
  return out;
}

/** A redactor that also removes the given literal secrets (shorter than 3 characters are ignored). */
export function makeRedactor(
  secrets: ReadonlyArray<string | undefined>,
  mode: 'text' | 'body' = 'body',
): (text: string) => string {
  const literals = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 3))].sort(
    (a, b) => b.length - a.length,
  );
  return (text: string) => {
    let out = text;
    for (const s of literals) out = out.split(s).join(REDACTED);
    return redactPatterns(out, mode);
  };
}

/** The first `max` characters of a body, redacted first (so a cut cannot expose half a secret), on one line. */
export function bodySnippet(body: string, redact: (text: string) => string, max = 100): string {
  const flat = redact(body).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
