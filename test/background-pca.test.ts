import { describe, it, expect } from 'vitest';
import { BackgroundPca } from '../src/model/background-pca.js';
import { pcaShapeOf } from '../src/model/pca.js';
import { createNetwork, initNetwork } from '../src/model/network.js';
import { Rng } from '../src/model/rng.js';
import { sampleFrames } from './helpers/sample.js';

// The worker runs dist/model/pca-worker.js: `npm test` builds first (pretest).
describe('PCA on a worker thread (train computes it while it trains)', () => {
  const { data, count } = sampleFrames();
  const shared = new Float64Array(new SharedArrayBuffer(data.byteLength));
  shared.set(data);

  for (const sizes of [[160, 10, 160], [160, 32, 10, 32, 160]]) {
    it(`gives bit for bit what the main thread computes (${sizes.join(',')})`, async () => {
      const net = createNetwork(sizes);
      initNetwork(net, new Rng(3));
      const job = { shape: pcaShapeOf(net), frames: shared, count };
      const thread = new BackgroundPca();
      const here = new BackgroundPca({ thread: false });
      try {
        thread.begin(job);
        here.begin(job);
        const [a, b] = await Promise.all([thread.reference(), here.reference()]);
        expect(a.loss).toBe(b.loss);
        expect('pca' in a).toBe(sizes.length === 3);
        if ('pca' in a && 'pca' in b) expect(Array.from(a.pca.vectors)).toEqual(Array.from(b.pca.vectors));
        const [fa, fb] = [await thread.subspace(net), await here.subspace(net)];
        expect(fa).toEqual(fb);
        expect(fa === null).toBe(sizes.length !== 3);
      } finally {
        thread.close();
        here.close();
      }
    });
  }

  it('a thread that dies leaves the work to the main thread, with the same numbers', async () => {
    const net = createNetwork([160, 10, 160]);
    initNetwork(net, new Rng(4));
    const job = { shape: pcaShapeOf(net), frames: shared, count };
    const thread = new BackgroundPca();
    const worker = (thread as unknown as { worker: { terminate(): Promise<number> } | null }).worker;
    expect(worker).not.toBeNull();
    await worker?.terminate();
    thread.begin(job);
    const here = new BackgroundPca({ thread: false });
    here.begin(job);
    expect((await thread.reference()).loss).toBe((await here.reference()).loss);
    expect(await thread.subspace(net)).toEqual(await here.subspace(net));
    thread.close();
  });
});
