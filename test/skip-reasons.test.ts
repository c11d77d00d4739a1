import { describe, it, expect } from 'vitest';
import { skipReason } from './helpers/skip-reasons.js';

describe('the skipped-tests summary (test/helpers/skip-reasons.ts)', () => {
  it('finds the reason our tests put in their titles, or the ctx.skip note', () => {
    const t = (fullName: string) => ({ fullName });
    expect(skipReason(t('dlaudio play against a simulated phone (skipped: adb is not installed (apt-get install adb)) > plays'), undefined)).toBe('adb is not installed (apt-get install adb)');
    expect(skipReason(t('same rate: bit-exact with sox -D (sox is not installed (apt-get install sox); the comparisons with sox are skipped) > 8-bit'), undefined)).toBe('sox is not installed (apt-get install sox); the comparisons with sox are skipped');
    expect(skipReason(t('.wasm rebuild: skipped, clang or wasm-ld missing (Debian: clang lld) > kernel.wasm'), undefined)).toBe('.wasm rebuild: skipped, clang or wasm-ld missing (Debian: clang lld)');
    expect(skipReason(t('documented output docs/commands.md:1 > is what the commands print now (skipped: needs sox, apt-get install sox)'), undefined)).toBe('needs sox, apt-get install sox');
    expect(skipReason(t('anything'), 'smali is missing (apt-get install libsmali-java)')).toBe('smali is missing (apt-get install libsmali-java)');
    // Skipped by a filter: no reason, not listed.
    expect(skipReason(t('dlaudio train (real bin) > prints the loss curve (80 columns)'), undefined)).toBeUndefined();
  });
});
