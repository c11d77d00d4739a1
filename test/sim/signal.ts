/** The known signal the simulated recorder "hears", so tests can demand a byte-exact WAV. */
export type SimSignal = 'sine' | 'silent' | 'clipped';

export function simulatedSamples(samples: number, rate: number, signal: SimSignal = 'sine'): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++) {
    const phase = Math.sin((2 * Math.PI * 440 * i) / rate);
    if (signal === 'sine') out[i] = Math.round(16000 * phase); // about -6.2 dBFS
    else if (signal === 'clipped') out[i] = phase >= 0 ? 32767 : -32768;
    else out[i] = 0;
  }
  return out;
}

/** 44-byte RIFF/WAVE PCM header + mono 16-bit data, as the recorder contract specifies. */
export function simulatedWav(seconds: number, rate: number, signal: SimSignal = 'sine'): Buffer {
  const samples = Math.round(seconds * rate);
  const pcm = simulatedSamples(samples, rate, signal);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(samples * 2, 40);
  return Buffer.concat([header, Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength)]);
}

/**
 * What the simulated microphone hears in stream mode, sample by sample without end: `(short) (i * 997)`,
 * the host-JVM stub's waveform. 997 is odd, so any 65 536 consecutive samples hold every 16-bit value once.
 */
export function streamSample(i: number): number {
  return (Math.imul(i, 997) << 16) >> 16;
}
