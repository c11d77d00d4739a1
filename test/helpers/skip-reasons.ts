/**
 * A vitest reporter that ends `npm test` with one line per group of skipped tests and what would
 * enable them: vitest's default reporter shows a skipped group's title (where our tests put the
 * reason) only deep in its tree, if at all. Tests skipped by a filter (-t, .only) have no reason
 * and are not listed.
 *
 * A test that skips puts its reason in its title or its describe's, as "(skipped: …)", or passes
 * it to ctx.skip(reason).
 */
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** The reason in a skipped test's title or its parents' titles, or undefined. */
export function skipReason(test: Pick<TestCase, 'fullName'>, note: string | undefined): string | undefined {
  if (note) return note;
  const m = /\((?:skipped: )?([^()]*(?:\([^()]*\)[^()]*)*(?:not installed|missing|skipped|needs)[^()]*(?:\([^()]*\)[^()]*)*)\)/.exec(test.fullName);
  if (m) return m[1].trim();
  const bare = /(?:^|> )([^>]*: skipped, [^>]*)/.exec(test.fullName);
  return bare ? bare[1].trim() : undefined;
}

export default class SkipReasons implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const groups = new Map<string, number>();
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        if (r.state !== 'skipped') continue;
        const reason = skipReason(t, r.note);
        if (reason !== undefined) groups.set(reason, (groups.get(reason) ?? 0) + 1);
      }
    }
    for (const [reason, n] of groups) process.stdout.write(`skipped ${n} test${n === 1 ? '' : 's'}: ${reason}\n`);
  }
}
