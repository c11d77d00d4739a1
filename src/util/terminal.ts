/**
 * Text from users and files (names, values) reaches the terminal: a file name holding ESC could
 * move the cursor, retitle the window or hide text, and a CR hides the start of its line (the
 * `dlaudio:` prefix). Control characters are shown as escapes instead: \x1b, \r, …
 */

// C0 controls but tab and newline, DEL, C1 controls (0x9b is an 8-bit CSI), line/paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;

function escape(c: string): string {
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
}

/** Every control character but tab and newline escaped: for one value or one message. */
export function escapeControls(s: string): string {
  return s.replace(CONTROL, escape);
}

/**
 * Like escapeControls, but keeps the colour codes (ESC [ … m) dlaudio's own output uses (the loss
 * chart): for whole blocks of output. A colour code in a file name can recolour, never move or hide.
 */
export function escapeForTerminal(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/(\u001b\[[0-9;]*m)|[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g, (m, sgr: string | undefined) => sgr ?? escape(m));
}

/** `stream` whose string writes go through escapeForTerminal (bytes, e.g. a WAV on stdout, pass as they are). */
export function terminalSafe(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  const write = (chunk: unknown, ...rest: unknown[]): boolean =>
    (stream.write as (...a: unknown[]) => boolean)(typeof chunk === 'string' ? escapeForTerminal(chunk) : chunk, ...rest);
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write') return write;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
