import { describe, it, expect } from 'vitest';
import { toFrames } from '../src/audio/frames.js';
import { UserError } from '../src/errors.js';

const ramp = (n: number): Int16Array => Int16Array.from({ length: n }, (_, i) => i - 100);

describe('framing', () => {
  it('exactly 160 samples: one frame, nothing dropped, each sample / 32000', () => {
    const f = toFrames(ramp(160), { scale: 32000 });
    expect(f.count).toBe(1);
    expect(f.droppedSamples).toBe(0);
    expect(f.data[0]).toBe(-100 / 32000);
    expect(f.data[159]).toBe(59 / 32000);
  });

  it('159 samples: refused, saying 160 are needed', () => {
    expect(() => toFrames(ramp(159), { scale: 32000 }, 'a.wav')).toThrow(UserError);
    expect(() => toFrames(ramp(159), { scale: 32000 }, 'a.wav')).toThrow(/160 samples .* a\.wav has 159/);
  });

  it('--seconds shorter than a frame on a long enough file: a usage error (exit 2) saying the least to give', () => {
    let caught: unknown;
    try { toFrames(ramp(16000), { scale: 32000, seconds: 0.005 }); } catch (e) { caught = e; }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).exitCode).toBe(2);
    expect((caught as UserError).message).toBe('--seconds 0.005 is less than one frame (160 samples, 10 ms at 16 kHz): give --seconds 0.01 or more');
    // A file shorter than a frame is the file's problem, whatever --seconds says (exit 1).
    try { toFrames(ramp(100), { scale: 32000, seconds: 0.005 }, 'a.wav'); } catch (e) { caught = e; }
    expect((caught as UserError).exitCode).toBe(1);
    expect((caught as UserError).message).toMatch(/^not enough audio for one frame/);
  });

  it('161 samples: one frame, one trailing sample dropped and reported', () => {
    const f = toFrames(ramp(161), { scale: 32000 });
    expect(f.count).toBe(1);
    expect(f.droppedSamples).toBe(1);
    expect(f.data).toHaveLength(160);
  });

  it('--frames and --seconds keep the first frames; 4 s → 400 frames', () => {
    const s = ramp(64000);
    expect(toFrames(s, { scale: 32000 }).count).toBe(400);
    expect(toFrames(s, { scale: 32000, maxFrames: 1 }).count).toBe(1);
    expect(toFrames(s, { scale: 32000, seconds: 0.5 }).count).toBe(50);
    expect(toFrames(s, { scale: 32000, maxFrames: 1000 }).count).toBe(400);
    const f = toFrames(s, { scale: 32000, maxFrames: 3 });
    expect(f.data[3 * 160 - 1]).toBe((3 * 160 - 1 - 100) / 32000);
  });

  it('other scales divide', () => {
    expect(toFrames(ramp(160), { scale: 100 }).data[0]).toBe(-1);
    expect(toFrames(ramp(160), { scale: 1e-60 }).count).toBe(1);
  });

  it('a scale so small that the frames overflow float64 is a usage error (exit 2), not a crash later', () => {
    let caught: unknown;
    try { toFrames(ramp(160), { scale: 1e-300 }); } catch (e) { caught = e; }
    expect((caught as UserError).exitCode).toBe(2);
    expect((caught as UserError).message).toMatch(/^--scale 1e-300 is too small: .*give --scale 1 or more/);
  });
});
