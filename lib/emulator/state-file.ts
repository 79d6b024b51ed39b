/**
 * The state file (`--state-file`): a JSON snapshot of registries, tokens (password hashes only) and
 * the clock offset, written atomically (temporary file in the same directory, fsync, rename) with
 * mode 0600. Reading it never resets silently: a file that is unreadable, not JSON or not a snapshot
 * is a {@link StateFileError} naming the file and what is wrong.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createAjv, describeAjvErrors } from '../api-schemas';
import { writeFileAtomic } from '../write-file-atomic';
import { UUID_PATTERN } from '../validation';
import { PASSWORD_HASH_PATTERN } from './password';
import type { StoreSnapshot } from './store';

export class StateFileError extends Error {
  constructor(readonly path: string, reason: string) {
    super(`cannot load state file ${path}: ${reason}; fix the file or remove it to start empty`);
    this.name = 'StateFileError';
  }
}

const str = { type: 'string' };
const uuid = { type: 'string', pattern: UUID_PATTERN.source };
const SNAPSHOT_SCHEMA = {
  type: 'object',
  required: ['version', 'clockOffsetMs', 'registries', 'tokens'],
  additionalProperties: false,
  properties: {
    version: { const: 1 },
    clockOffsetMs: { type: 'number' },
    registries: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'location', 'hostname', 'createdBy', 'createdByUserId', 'createdDate'],
        additionalProperties: false,
        properties: { id: uuid, name: str, location: str, hostname: str, createdBy: str, createdByUserId: str, createdDate: str },
      },
    },
    tokens: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'registryId', 'name', 'scopes', 'status', 'expiryDate', 'passwordHash', 'createdBy', 'createdByUserId', 'createdDate'],
        additionalProperties: false,
        properties: {
          id: uuid,
          registryId: uuid,
          name: str,
          scopes: {
            type: ['array', 'null'],
            items: {
              type: 'object',
              required: ['type', 'name', 'actions'],
              additionalProperties: false,
              properties: { type: str, name: str, actions: { type: 'array', items: str } },
            },
          },
          status: str,
          expiryDate: { type: ['string', 'null'], format: 'date-time' },
          passwordHash: { type: 'string', pattern: PASSWORD_HASH_PATTERN.source },
          createdBy: str,
          createdByUserId: str,
          createdDate: str,
          lastModifiedBy: str,
          lastModifiedByUserId: str,
          lastModifiedDate: str,
        },
      },
    },
  },
};

const validateSnapshot = createAjv().compile(SNAPSHOT_SCHEMA);

/** The snapshot in `path`, or undefined when there is no file yet. Throws {@link StateFileError} otherwise. */
export function loadStateFile(path: string): StoreSnapshot | undefined {
  if (!existsSync(path)) return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new StateFileError(path, `unreadable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(path, `not valid JSON (${(err as Error).message})`);
  }
  if (!validateSnapshot(value)) {
    const first = describeAjvErrors(validateSnapshot.errors).slice(0, 3).join(', ');
    throw new StateFileError(path, `not an emulator state file (${first})`);
  }
  const snapshot = value as unknown as StoreSnapshot;
  const registryIds = new Set(snapshot.registries.map((r) => r.id));
  const orphan = snapshot.tokens.find((t) => !registryIds.has(t.registryId));
  if (orphan) throw new StateFileError(path, `token ${orphan.id} belongs to registry ${orphan.registryId}, which the file does not list`);
  return snapshot;
}

/** Writes the snapshot atomically and durably, with mode 0600. */
export function saveStateFile(path: string, snapshot: StoreSnapshot): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o600, durable: true });
}
