/** Small process and folder helpers the step worker and the specs steps share. */
import * as fs from 'node:fs';

/** True when a process with this pid exists (also when it is another user's). */
export function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The names in a folder, or none when it cannot be read (not there yet, or removed). */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
