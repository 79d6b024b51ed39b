import { isRecord } from '../is-record';

/**
 * `terraform_data` keeps its dynamic attributes in the raw state as `{ value, type }`; `show -json`
 * and plans give the value itself.
 */
export function unwrapDynamic(v: unknown): unknown {
  if (isRecord(v) && 'value' in v && 'type' in v && Object.keys(v).length === 2) return v.value;
  return v;
}
