/**
 * The workspace journal: a small record per token, kept beside the Terraform working directory, that
 * survives a killed handler or a killed Terraform. It holds no secret. It answers one question the
 * API cannot: "did this workspace start creating the token at this id?". The result files (the one
 * place a password is written) live in the same folder, mode 0600, until the capture removes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FRESH_MARKER_SUFFIX, freshMarkerName, RESULT_FILE_SUFFIX, resultFileName } from './consts';

export interface JournalEntry {
  readonly tokenId: string;
  readonly registryId: string;
  readonly name: string;
  /** For an adopted token: the id of the `create` resource that adopted it. */
  readonly createId?: string;
  /** Set when the token was adopted (prop `adoptTokenId`) rather than created: its password is unknown. */
  readonly adopted?: boolean;
  readonly at: string;
}

/**
 * Writes a file atomically (temp file, rename) with the given mode, without fsync: for files that
 * need not survive a crash (the worker's answers, the specs step's hand-over). What must survive one
 * (journal, result file) goes through writeFileAtomicAsync.
 */
export function writeFileAtomic(file: string, data: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', mode);
  try {
    fs.writeSync(fd, data);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

let tmpSerial = 0;

/**
 * Writes a file atomically and durably (fsync before the rename), without blocking: in the step
 * worker many creates run at once, and a synchronous fsync
 * (which waits for the file system's journal, behind the engine's own state writes) held up every
 * other step; here the fsyncs of concurrent steps overlap.
 */
export async function writeFileAtomicAsync(file: string, data: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpSerial}.tmp`;
  const fh = await fs.promises.open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fs.promises.chmod(tmp, mode);
  await fs.promises.rename(tmp, file);
}

export class Journal {
  constructor(readonly dir: string) {}

  private ensureDir(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  private entryPath(tokenId: string): string {
    return path.join(this.dir, `${tokenId}.journal.json`);
  }

  read(tokenId: string): JournalEntry | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.entryPath(tokenId), 'utf8')) as JournalEntry;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`cannot read the journal ${this.entryPath(tokenId)}: ${(e as Error).message}`);
    }
  }

  async write(entry: JournalEntry): Promise<void> {
    this.ensureDir();
    await writeFileAtomicAsync(this.entryPath(entry.tokenId), `${JSON.stringify(entry)}\n`, 0o600);
  }

  remove(tokenId: string): void {
    fs.rmSync(this.entryPath(tokenId), { force: true });
  }

  resultPath(tokenId: string, createId: string): string {
    return path.join(this.dir, resultFileName(tokenId, createId));
  }

  /** Writes the password for the capture to read; mode 0600, atomically. */
  async writeResult(tokenId: string, createId: string, password: string): Promise<string> {
    this.ensureDir();
    const file = this.resultPath(tokenId, createId);
    await writeFileAtomicAsync(file, `${JSON.stringify({ tokenId, password })}\n`, 0o600);
    return file;
  }

  /** Leaves the marker that lets the shell skip the `spec` step right after this create. */
  async writeFreshMarker(tokenId: string, createId: string, digest: string): Promise<string> {
    this.ensureDir();
    const file = path.join(this.dir, freshMarkerName(tokenId, createId, digest));
    await fs.promises.writeFile(file, '', { mode: 0o600 });
    return file;
  }

  /** Removes result files and markers of this token left by earlier, interrupted creates. */
  removeStaleResults(tokenId: string): number {
    let removed = 0;
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const name of names) {
      const ours = name.startsWith(`${tokenId}.`) && (name.endsWith(RESULT_FILE_SUFFIX) || name.endsWith(FRESH_MARKER_SUFFIX));
      if (ours) {
        fs.rmSync(path.join(this.dir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }
}
