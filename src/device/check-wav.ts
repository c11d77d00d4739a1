import { UserError } from '../errors.js';

export interface WavCheck {
  samples: number;
  sampleRate: number;
  seconds: number;
  /** Highest |sample| in dBFS (-Infinity for pure silence). */
  peakDbfs: number;
  warnings: string[];
}

const SILENT_DBFS = -40;
const CLIPPED_FRACTION = 0.001;

/**
 * Checks the recorder's file against the contract (44-byte PCM header, mono,
 * 16-bit, the requested rate, as many samples as DONE announced and about as
 * many as requested), then measures the level.
 */
/**
 * Why a take can be silent without any error, per Android version: the framework hands the
 * shell zeros instead of refusing it. From Android 12 the Quick Settings "Microphone access"
 * toggle, and from 10 a foreground app that captures (a call, an assistant, a recorder) both
 * silence the background capture; on 11 a locked phone or screen off does too.
 */
export function silenceAdvice(sdk: number): string {
  const common = 'another app using the microphone (a call, a voice assistant, a recorder app: close it)';
  if (sdk >= 31) {
    return `Android 12+ gives silence instead of an error when Quick Settings → "Microphone access" is off (turn it on) or with ${common}; ` +
      'also check that nothing covers the microphone and speak closer to the phone';
  }
  if (sdk === 30) {
    return `Android 11 gives silence instead of an error when the phone is locked or its screen goes off (unlock it and keep it on) or with ${common}; ` +
      'also check that nothing covers the microphone and speak closer to the phone';
  }
  return 'check that nothing covers the microphone and speak closer to the phone';
}

export function checkRecording(wav: Buffer, expect: { rate: number; seconds: number; samples: number }, phone?: { sdk: number }): WavCheck {
  const bad = (why: string) => new UserError(`the phone sent a recording dlaudio cannot use (${why}): run again; if it persists, report it with the output of \`dlaudio devices\``);
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 8, 12) !== 'WAVE' ||
      wav.toString('ascii', 12, 16) !== 'fmt ' || wav.toString('ascii', 36, 40) !== 'data') {
    throw bad('not a 44-byte-header WAV file');
  }
  const format = wav.readUInt16LE(20);
  const channels = wav.readUInt16LE(22);
  const rate = wav.readUInt32LE(24);
  const bits = wav.readUInt16LE(34);
  const dataBytes = wav.readUInt32LE(40);
  if (format !== 1 || channels !== 1 || bits !== 16) throw bad(`format ${format}, ${channels} channel(s), ${bits} bits instead of PCM mono 16-bit`);
  if (rate !== expect.rate) throw bad(`${rate} Hz instead of ${expect.rate} Hz`);
  if (dataBytes !== wav.length - 44 || dataBytes !== expect.samples * 2) {
    throw bad(`${wav.length - 44} data bytes, header says ${dataBytes}, recorder said ${expect.samples} samples`);
  }
  const samples = dataBytes / 2;
  const wanted = Math.round(expect.seconds * rate);
  if (Math.abs(samples - wanted) > Math.max(1, wanted * 0.01)) throw bad(`${(samples / rate).toFixed(2)} s instead of ${expect.seconds} s`);

  let peak = 0;
  let fullScale = 0;
  for (let i = 0; i < samples; i++) {
    const s = wav.readInt16LE(44 + 2 * i);
    const a = Math.abs(s);
    if (a > peak) peak = a;
    if (s >= 32767 || s <= -32768) fullScale++;
  }
  const peakDbfs = peak === 0 ? -Infinity : 20 * Math.log10(peak / 32768);
  const warnings: string[] = [];
  if (peakDbfs < SILENT_DBFS) {
    warnings.push(`the recording is almost silent (peak ${formatDbfs(peakDbfs)}): ${silenceAdvice(phone?.sdk ?? Number.NaN)}`);
  }
  if (samples > 0 && fullScale / samples >= CLIPPED_FRACTION) {
    warnings.push(`the recording is clipped (${fullScale} samples at full scale): speak a little further from the phone`);
  }
  return { samples, sampleRate: rate, seconds: samples / rate, peakDbfs, warnings };
}

export function formatDbfs(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(1)} dBFS` : '-inf dBFS';
}
