/**
 * The one atomic file writer: a temp file beside the target, then a rename, so that a reader sees the
 * old content or the new, never a part. `durable` adds an fsync before the rename, for what must
 * survive a crash (the journal, a result file, the emulator's state file); the rest (the worker's
 * answers, the specs steps' hand-over) need not. Asynchronous: in the step worker many steps write at
 * once, and their fsyncs overlap instead of queueing behind each other and the engine's state writes.
 */
import * as fs from 'node:fs';

let serial = 0;

export async function writeFileAtomic(file: string, data: string, options: { readonly mode: number; readonly durable?: boolean }): Promise<void> {
  const tmp = `${file}.${process.pid}.${++serial}.tmp`;
  try {
    const fh = await fs.promises.open(tmp, 'w', options.mode);
    try {
      await fh.writeFile(data);
      if (options.durable) await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.chmod(tmp, options.mode); // whatever the umask took away
    await fs.promises.rename(tmp, file);
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
}
