/**
 * What a log line must never carry, whatever a caller passes in: values
 * under keys that name a secret (at any depth), the platform's secret
 * formats anywhere in any string (messages, error messages, stacks), and the
 * input values GraphQL echoes in its errors. A misspelt field name defeats
 * any list of keys ("currentPasword"), so what GraphQL says it got is
 * removed whole, not by key.
 */

export const censor = '[redacted]';

// Keys whose value is a secret (ids of secrets are not: token_id, sessionId),
// and keys whose value is a caller's input, logged never (its own keys may be
// misspelt secrets).
const secretKey = /pass(word|wd|phrase)?|secret|authori[sz]ation|cookie|csrf|credential|private|token$|^token|tokenhash|token_hash|^(variables|variablevalues|connectionparams|input|inputs|args|params|body|query)$/i;
const idKey = /(_id|Id|_ids|Ids)$/;

const textRules: [RegExp, string][] = [
  // Session, CSRF and service tokens (generateSecret: `<prefix>_<base64url>`).
  [/\b(?:ucp[a-z]*|csrf|dummy)_[A-Za-z0-9_-]{16,}/g, censor],
  // Password hashes.
  [/\$argon2(?:id|i|d)\$[^\s"',}]+/g, censor],
  // Authorization header values.
  [/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{6,}/gi, `$1 ${censor}`],
  // graphql-js echoes a variable's value: `Variable "$input" got invalid value { ... }; Field ...`.
  [/(got invalid value )[\s\S]*?(;\s|\s+at "|$)/g, `$1${censor}$2`],
  // ...and a literal's: `Expected value of type "X", found "...".` / `cannot represent ...: "..."`.
  [/(found |cannot represent [^:]*: )("(?:[^"\\]|\\.)*"|[^\s;.,]+)/g, `$1${censor}`],
  // `password: "x"`, `"newPassword":"x"`, `token=x` in free text (Prisma's invocation dumps, URLs).
  [/(["']?)([\w-]*(?:pass(?:word|wd)?|secret|token|authorization|cookie|csrf)[\w-]*)\1(\s*[:=]\s*)("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s,;&}\]]+)/gi, `$1$2$1$3"${censor}"`],
];

export function redactText(text: string): string {
  let out = text;
  for (const [pattern, replacement] of textRules) out = out.replace(pattern, replacement);
  return out;
}

/** A copy of `value` with every secret removed (errors become plain objects; cycles and depth are cut). */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8 || seen.has(value)) return '[cut]';
  seen.add(value);
  if (value instanceof Error) {
    const plain: Record<string, unknown> = { type: value.name, message: value.message, stack: value.stack };
    for (const key of Object.keys(value)) plain[key] = (value as unknown as Record<string, unknown>)[key];
    return redactValue(plain, depth + 1, seen);
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = secretKey.test(key) && !idKey.test(key) ? censor : redactValue(inner, depth + 1, seen);
  }
  return out;
}
