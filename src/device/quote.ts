/**
 * Quotes one word for the device's /system/bin/sh (mksh): single quotes, with
 * each embedded ' written as '\''. Nothing inside single quotes is special, so
 * a path or serial can never run a command on the phone.
 */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
