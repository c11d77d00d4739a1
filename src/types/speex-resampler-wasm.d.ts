// The package ships an Emscripten module without types: the C functions we call, by their C names
// (speex_resampler.h), and the heap views.
declare module '@echogarden/speex-resampler-wasm/simd' {
  export interface SpeexModule {
    HEAPF32: Float32Array;
    HEAPU32: Uint32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_process_float(state: number, channel: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
    _speex_resampler_destroy(state: number): void;
  }
  const SpeexResampler: () => Promise<SpeexModule>;
  export default SpeexResampler;
}
