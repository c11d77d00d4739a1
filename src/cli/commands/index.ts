import type { Command } from 'commander';
import { registerTrain } from './train.js';
import { registerSweep } from './sweep.js';
import { registerGradcheck } from './gradcheck.js';
import { registerConvert } from './convert.js';
import { registerRecord } from './record.js';
import { registerPlay } from './play.js';
import { registerDevices } from './devices.js';
import { registerDoctor } from './doctor.js';
import { registerReconstruct } from './reconstruct.js';
import { registerCompress } from './compress.js';
import { registerDecompress } from './decompress.js';
import { registerInspect } from './inspect.js';

/** Each command lives in its own file and adds itself to the program. */
export function registerCommands(program: Command): void {
  registerTrain(program);
  registerSweep(program);
  registerGradcheck(program);
  registerConvert(program);
  registerRecord(program);
  registerPlay(program);
  registerDevices(program);
  registerDoctor(program);
  registerReconstruct(program);
  registerCompress(program);
  registerDecompress(program);
  registerInspect(program);
}
