/**
 * The workspace journal: a small record per token, kept beside the Terraform working directory, that
 * survives a killed handler or a killed Terraform. It holds no secret. It answers one question the
 * API cannot: "did this workspace start creating the token at this id?". The result files (the one
 * place a password is written) live in the same folder, mode 0600, until the capture removes them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../write-file-atomic';
import { FRESH_MARKER_SUFFIX, freshMarkerName, RESULT_FILE_SUFFIX, resultFileName } from './consts';
import { journalUnreadable } from './errors';

export interface JournalEntry {
  readonly tokenId: string;
  readonly registryId: string;
  readonly name: string;
  /** Set when the token was adopted (prop `adoptTokenId`) rather than created: its password is unknown. */
  readonly adopted?: boolean;
  /** When this workspace first tried to create (or adopted) it. */
  readonly at: string;
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
      throw journalUnreadable(this.entryPath(tokenId), (e as Error).message);
    }
  }

  async write(entry: JournalEntry): Promise<void> {
    this.ensureDir();
    await writeFileAtomic(this.entryPath(entry.tokenId), `${JSON.stringify(entry)}\n`, { mode: 0o600, durable: true });
  }

  remove(tokenId: string): void {
    fs.rmSync(this.entryPath(tokenId), { force: true });
  }

  resultPath(tokenId: string, createId: string): string {
    return path.join(this.dir, resultFileName(tokenId, createId));
  }

  /** Writes the password (and the looked-up registry hostname) for the capture to read; mode 0600, atomically. */
  async writeResult(tokenId: string, createId: string, password: string, hostname?: string): Promise<string> {
    this.ensureDir();
    const file = this.resultPath(tokenId, createId);
    const result = hostname === undefined ? { tokenId, password } : { tokenId, password, hostname };
    await writeFileAtomic(file, `${JSON.stringify(result)}\n`, { mode: 0o600, durable: true });
    return file;
  }

  /** Leaves the marker that tells the specs step of this run that the token was just created with this spec. */
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
