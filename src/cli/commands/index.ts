import { Help, type Command } from '../commander.js';

/**
 * Each command lives in its own file and adds itself to the program. Only the command being run is
 * loaded: importing all of them (ml-matrix, wavefile, the decoders…) cost ~0.1 s of CPU before
 * `--version` could answer. The list below is what `dlaudio --help` shows without loading them;
 * test/cli-commands.test.ts checks it against what each file registers.
 */
export interface CommandEntry {
  name: string;
  /** How `dlaudio --help` lists it: name, [options], arguments. */
  term: string;
  description: string;
  register: () => Promise<(program: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'train',
    term: 'train [options]',
    description: 'train the course\'s auto-encoder X(160) → relu(W·X) → V·Z (or a deeper one: --layers) on a WAV file and print the loss curve',
    register: async () => (await import('./train.js')).registerTrain,
  },
  {
    name: 'live',
    term: 'live [options]',
    description: 'train while the sound streams in: each chunk (default 5 s) is learnt while the next one is captured, with a live loss chart (from the phone, or a file with --wav)',
    register: async () => (await import('./live.js')).registerLive,
  },
  {
    name: 'sweep',
    term: 'sweep [options]',
    description: 'train the same initial weights with several learning rates and compare the loss curves',
    register: async () => (await import('./sweep.js')).registerSweep,
  },
  {
    name: 'gradcheck',
    term: 'gradcheck [options]',
    description: 'compare the hand-derived gradients with central finite differences (float64)',
    register: async () => (await import('./gradcheck.js')).registerGradcheck,
  },
  {
    name: 'convert',
    term: 'convert [options] <in.wav>',
    description: 'write a WAV file as training sees it: 16 kHz mono 16-bit (to listen to it, or compare with other tools)',
    register: async () => (await import('./convert.js')).registerConvert,
  },
  {
    name: 'record',
    term: 'record [options]',
    description: 'record your voice with the phone\'s microphone (Android 11+, over adb) into a WAV file',
    register: async () => (await import('./record.js')).registerRecord,
  },
  {
    name: 'play',
    term: 'play [options] <file.wav>',
    description: 'play a WAV file on the phone\'s speaker (over adb), as 16 kHz mono 16-bit: what training hears',
    register: async () => (await import('./play.js')).registerPlay,
  },
  {
    name: 'devices',
    term: 'devices [options]',
    description: 'list the phones adb sees, their Android version and whether they can record (Android 11+) and play (Android 6+)',
    register: async () => (await import('./devices.js')).registerDevices,
  },
  {
    name: 'doctor',
    term: 'doctor [options]',
    description: 'check a phone before class: adb, authorisation, Android version, the recorder, a 1-second test recording, a 1-second live stream and a test tone (docs/recorder.md)',
    register: async () => (await import('./doctor.js')).registerDoctor,
  },
  {
    name: 'reconstruct',
    term: 'reconstruct [options]',
    description: 'put every frame of a WAV file through a trained model and write what comes out (to listen to it), with its SNR',
    register: async () => (await import('./reconstruct.js')).registerReconstruct,
  },
  {
    name: 'compress',
    term: 'compress [options] <in.wav>',
    description: 'encode a WAV file with a trained model: each frame\'s code Z, quantised, plus the decoder, in one .dla file',
    register: async () => (await import('./compress.js')).registerCompress,
  },
  {
    name: 'decompress',
    term: 'decompress [options] <in.dla>',
    description: 'decode a .dla file (written by `dlaudio compress`) back to a 16 kHz mono WAV; it needs no model: the decoder is in the file',
    register: async () => (await import('./decompress.js')).registerDecompress,
  },
  {
    name: 'inspect',
    term: 'inspect [options] <model.json>',
    description: 'show what a saved model learnt: its units (strongest frequency, share of the signal, waveform), and its loss, SNR and subspace figure on a sound',
    register: async () => (await import('./inspect.js')).registerInspect,
  },
];

/**
 * The command named on the command line (`dlaudio train …`, `dlaudio help train`) is loaded and
 * registered in full; otherwise (`--help`, `--version`, a typo) every command is listed by name and
 * description only, which is all commander needs to list them or suggest the closest name.
 */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const args = argv.slice(2);
  const first = args.find((a) => !a.startsWith('-'));
  const named = first === 'help' ? args[args.indexOf('help') + 1] : first;
  const entry = COMMANDS.find((c) => c.name === named);
  if (entry) {
    (await entry.register())(program);
    return;
  }
  for (const c of COMMANDS) program.command(c.name).description(c.description);
  const terms = new Map(COMMANDS.map((c) => [c.name, c.term]));
  const defaultTerm = Help.prototype.subcommandTerm;
  program.configureHelp({ subcommandTerm(cmd) { return terms.get(cmd.name()) ?? defaultTerm.call(this, cmd); } });
}

/** Every command in full (for tests that compare the list above with the real commands). */
export async function registerAllCommands(program: Command): Promise<void> {
  for (const c of COMMANDS) (await c.register())(program);
}
