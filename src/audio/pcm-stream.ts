/**
 * A source of sound that arrives while it is being used: the phone's microphone streaming
 * (`dlaudio live --device`, src/device/live-stream.ts) or a file read chunk by chunk
 * (`dlaudio live --wav`). `live` cuts it into chunks and trains on each while the next arrives.
 */
export interface PcmStream {
  /** Always 16 000 for the course; kept so a consumer can check rather than assume. */
  readonly sampleRate: number;
  /** What the user sees in messages: "Pixel 7 (USB cable)", "session.wav". */
  readonly label: string;
  /**
   * 16-bit mono samples in order, in blocks of any length, as they arrive. Ends when the source
   * ends (end of file, --minutes reached by the caller calling close()); throws a UserError that
   * says what to do when the source fails (cable pulled, microphone refused, recorder error).
   */
  blocks(): AsyncIterable<Int16Array>;
  /**
   * Stops the source and releases everything it holds: on the phone the microphone is released,
   * the recorder process ends and nothing is left in /data/local/tmp. Safe to call twice and
   * while blocks() is being iterated (the iteration then ends without error).
   */
  close(): Promise<void>;
}
