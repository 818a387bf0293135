import { parentPort } from 'node:worker_threads';
import { type IndexText, PostingsBuilder } from './search.index.js';

/**
 * The build worker: tokenises the documents the main thread sends and hands back frozen postings
 * (their buffers transferred, not copied). Its garbage — millions of token strings — dies with it.
 */
const port = parentPort;
if (port) {
  const b = new PostingsBuilder();
  port.on('message', (m: { type: 'docs'; docs: IndexText[] } | { type: 'finish' }) => {
    if (m.type === 'docs') {
      for (const d of m.docs) b.add(d);
      return;
    }
    const p = b.finish();
    port.postMessage(p, [p.offsets.buffer, p.docs.buffer, p.tfs.buffer, p.lens.buffer] as ArrayBuffer[]);
  });
}
