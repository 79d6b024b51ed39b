/** True for a plain JSON object (not null, not an array): what parsed JSON holds where a mapping is expected. */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
