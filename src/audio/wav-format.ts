/**
 * What the `fmt ` chunk of a WAV file says, checked before any sample is read.
 *
 * wavefile picks the sample type from the plain format tag and bitsPerSample, so
 * float data in a WAVE_FORMAT_EXTENSIBLE header would be read as integers, and a
 * codec it does not know (MP3, MS ADPCM…) as PCM noise. Every format is decided
 * here instead, and wavefile only ever sees a plain header we write ourselves.
 */

export type SampleCoding =
  | { kind: 'pcm'; bytesPerSample: 1 | 2 | 3 | 4 } // 8-bit is unsigned, the rest signed little-endian
  | { kind: 'float'; bytesPerSample: 4 | 8 }
  | { kind: 'mulaw' }
  | { kind: 'alaw' }
  | { kind: 'ima-adpcm'; samplesPerBlock: number };

export interface WavFormat {
  coding: SampleCoding;
  channels: number;
  sampleRate: number;
  /** Bytes per block: one sample frame for PCM/float/G.711, one ADPCM block otherwise. */
  blockAlign: number;
  /** Human-readable, e.g. "24-bit", "32-bit float", "8-bit µ-law", "IMA ADPCM". */
  encoding: string;
}

export type FormatResult = { ok: true; format: WavFormat } | { ok: false; problem: string };

const PCM = 0x0001;
const IEEE_FLOAT = 0x0003;
const ALAW = 0x0006;
const MULAW = 0x0007;
const IMA_ADPCM = 0x0011;
const EXTENSIBLE = 0xfffe;

/** Codecs seen in the wild inside WAV containers, to name them when refusing. */
const KNOWN_CODECS: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0022: 'DSP Group TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MP3-in-WAV',
  0x0064: 'G.726 ADPCM',
  0x0065: 'G.722 ADPCM',
  0x0092: 'Dolby AC-3 (S/PDIF)',
  0x00ff: 'AAC-in-WAV',
  0x0160: 'Windows Media Audio',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x0163: 'Windows Media Audio Lossless',
  0x1610: 'AAC-in-WAV',
  0x2000: 'Dolby AC-3',
  0x2001: 'DTS',
  0xf1ac: 'FLAC-in-WAV',
};

const SOX_HINT = 'convert it with `sox in.wav -e signed -b 16 out.wav`';

/** The 14 bytes that follow the format tag in the sub-format GUID of every standard KSDATAFORMAT_SUBTYPE_*. */
const KS_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export function parseFmt(body: Uint8Array): FormatResult {
  if (body.length < 16) return { ok: false, problem: `its "fmt " chunk is only ${body.length} bytes long (16 needed): the header is damaged (export or record the file again)` };
  const v = new DataView(body.buffer, body.byteOffset, body.byteLength);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  let validBits = bitsPerSample;

  if (tag === EXTENSIBLE) {
    if (body.length < 40) return { ok: false, problem: `its WAVE_FORMAT_EXTENSIBLE header is only ${body.length} bytes long (40 needed): the header is damaged (export or record the file again)` };
    validBits = v.getUint16(18, true) || bitsPerSample;
    const sub = body.subarray(24, 40);
    const subTag = v.getUint16(24, true);
    if (!KS_GUID_TAIL.every((b, i) => sub[i + 2] === b)) {
      return { ok: false, problem: `its WAVE_FORMAT_EXTENSIBLE sub-format {${guid(sub)}} is not supported: ${SOX_HINT}` };
    }
    tag = subTag;
  }

  if (channels === 0) return { ok: false, problem: 'its header says it has 0 channels: the header is damaged (export or record the file again)' };
  if (sampleRate === 0) return { ok: false, problem: 'its header says its sample rate is 0 Hz: the header is damaged (export or record the file again)' };
  if (sampleRate < 1000 || sampleRate > 1_000_000) {
    return { ok: false, problem: `its sample rate (${sampleRate} Hz) is not an audio rate dlaudio can use (1000 Hz to 1 MHz): the header is probably damaged (export or record the file again)` };
  }
  const base = { channels, sampleRate, blockAlign };

  switch (tag) {
    case PCM: {
      // 12-, 20-bit… samples sit left-justified in whole bytes, so the container size is what we read.
      const bytes = Math.ceil(bitsPerSample / 8);
      if (bytes < 1 || bytes > 4) return { ok: false, problem: `${bitsPerSample}-bit PCM is not supported: ${SOX_HINT}` };
      if (blockAlign !== bytes * channels) return badAlign(blockAlign, channels, `${bitsPerSample}-bit`);
      const shown = validBits > 0 && validBits < bitsPerSample ? validBits : bytes * 8;
      return { ok: true, format: { ...base, coding: { kind: 'pcm', bytesPerSample: bytes as 1 | 2 | 3 | 4 }, encoding: `${shown}-bit` } };
    }
    case IEEE_FLOAT: {
      if (bitsPerSample !== 32 && bitsPerSample !== 64) return { ok: false, problem: `${bitsPerSample}-bit floating point is not supported (only 32 and 64): ${SOX_HINT}` };
      const bytes = bitsPerSample / 8;
      if (blockAlign !== bytes * channels) return badAlign(blockAlign, channels, `${bitsPerSample}-bit float`);
      return { ok: true, format: { ...base, coding: { kind: 'float', bytesPerSample: bytes as 4 | 8 }, encoding: `${bitsPerSample}-bit float` } };
    }
    case MULAW:
    case ALAW: {
      const name = tag === MULAW ? 'µ-law' : 'A-law';
      if (bitsPerSample !== 8) return { ok: false, problem: `${bitsPerSample}-bit ${name} is not a valid encoding (it is always 8-bit): the header is damaged (export or record the file again)` };
      if (blockAlign !== channels) return badAlign(blockAlign, channels, `8-bit ${name}`);
      return { ok: true, format: { ...base, coding: { kind: tag === MULAW ? 'mulaw' : 'alaw' }, encoding: `8-bit ${name}` } };
    }
    case IMA_ADPCM: {
      if (bitsPerSample !== 4) return { ok: false, problem: `${bitsPerSample}-bit IMA ADPCM is not supported (only 4-bit): ${SOX_HINT}` };
      // Each block holds a 4-byte header per channel, then 4-byte groups per channel.
      if (blockAlign === 0 || blockAlign % (4 * channels) !== 0 || blockAlign <= 4 * channels) {
        return { ok: false, problem: `its IMA ADPCM block size (${blockAlign} bytes for ${channels} channel${channels > 1 ? 's' : ''}) is invalid: the header is damaged (export or record the file again)` };
      }
      const perBlock = ((blockAlign / channels - 4) * 2) + 1;
      const declared = body.length >= 22 ? v.getUint16(18, true) : perBlock;
      if (declared !== perBlock) {
        return { ok: false, problem: `its IMA ADPCM header says ${declared} samples per block but a ${blockAlign}-byte block holds ${perBlock}: the header is damaged (export or record the file again)` };
      }
      return { ok: true, format: { ...base, coding: { kind: 'ima-adpcm', samplesPerBlock: perBlock }, encoding: 'IMA ADPCM' } };
    }
    default: {
      const hex = `0x${tag.toString(16).toUpperCase()}`;
      const name = KNOWN_CODECS[tag];
      return {
        ok: false,
        problem: name
          ? `${name} (format ${hex}) is not supported: ${SOX_HINT}`
          : `its audio format ${hex} is not one dlaudio can decode (PCM, float, µ-law, A-law, IMA ADPCM): ${SOX_HINT}`,
      };
    }
  }
}

function badAlign(blockAlign: number, channels: number, what: string): FormatResult {
  return { ok: false, problem: `its header is inconsistent (${blockAlign}-byte sample frames for ${channels} channel${channels > 1 ? 's' : ''} of ${what} audio): the header is damaged (export or record the file again)` };
}

function guid(b: Uint8Array): string {
  const hex = (from: number, to: number, reverse: boolean): string => {
    const part = Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, '0'));
    return (reverse ? part.reverse() : part).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`;
}
