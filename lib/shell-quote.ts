/**
 * POSIX sh quoting for the values put into commands we print for copy and paste: stack names,
 * construct paths and resource addresses are the user's text (or a plan's, or a state's) and may hold
 * `$(...)`, backquotes, quotes or spaces. A quoted value is one sh word that means exactly its text.
 */

/** Words sh reads as plain text anywhere but in the command's first word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** `s` in single quotes, each `'` written as `'\''`: one word, nothing expanded. */
export function shSingleQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** `s` as one sh word: unchanged when it is plain (so common output stays readable), else single-quoted. */
export function shQuote(s: string): string {
  return PLAIN.test(s) ? s : shSingleQuote(s);
}
