/**
 * A plan JSON holds sensitive values in clear (the captured password is in `before`/`after` of the
 * password resource and in the outputs). The summary never reads those fields, and as a second line
 * of defence every string found at a sensitive path of the plan is collected and cut out of anything
 * the CLI prints.
 */
import { REDACTED } from '../client/redact';
import { isRecord } from '../is-record';

/** Every string below `value` (object values, array items). */
function allStrings(value: unknown, out: Set<string>): void {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => allStrings(v, out));
  else if (isRecord(value)) Object.values(value).forEach((v) => allStrings(v, out));
}

/** Strings of `value` at the paths `mask` marks `true` (Terraform's `*_sensitive` shape). */
function masked(value: unknown, mask: unknown, out: Set<string>): void {
  if (mask === true) return allStrings(value, out);
  if (Array.isArray(mask) && Array.isArray(value)) mask.forEach((m, i) => masked(value[i], m, out));
  else if (isRecord(mask) && isRecord(value)) for (const k of Object.keys(mask)) masked(value[k], mask[k], out);
}

function moduleResources(mod: unknown, out: Set<string>): void {
  if (!isRecord(mod)) return;
  if (Array.isArray(mod.resources)) {
    for (const r of mod.resources) if (isRecord(r)) masked(r.values, r.sensitive_values, out);
  }
  if (Array.isArray(mod.child_modules)) mod.child_modules.forEach((c) => moduleResources(c, out));
}

function outputs(outs: unknown, out: Set<string>): void {
  if (!isRecord(outs)) return;
  for (const o of Object.values(outs)) if (isRecord(o) && o.sensitive === true) allStrings(o.value, out);
}

/**
 * The sensitive strings of a plan (`terraform show -json <planfile>`) or a state (`show -json`, or a
 * raw `.tfstate`, whose `sensitive_attributes` name whole attributes).
 */
export function sensitiveStrings(doc: unknown): string[] {
  const out = new Set<string>();
  if (!isRecord(doc)) return [];
  if (Array.isArray(doc.resource_changes)) {
    for (const rc of doc.resource_changes) {
      if (!isRecord(rc) || !isRecord(rc.change)) continue;
      masked(rc.change.before, rc.change.before_sensitive, out);
      masked(rc.change.after, rc.change.after_sensitive, out);
    }
  }
  if (isRecord(doc.output_changes)) {
    for (const oc of Object.values(doc.output_changes)) {
      if (!isRecord(oc)) continue;
      masked(oc.before, oc.before_sensitive, out);
      masked(oc.after, oc.after_sensitive, out);
    }
  }
  for (const values of [doc.planned_values, isRecord(doc.prior_state) ? doc.prior_state.values : undefined, doc.values]) {
    if (!isRecord(values)) continue;
    moduleResources(values.root_module, out);
    outputs(values.outputs, out);
  }
  // Raw state (format version 4).
  outputs(doc.outputs, out);
  if (Array.isArray(doc.resources)) {
    for (const r of doc.resources) {
      if (!isRecord(r) || !Array.isArray(r.instances)) continue;
      for (const inst of r.instances) {
        if (!isRecord(inst) || !isRecord(inst.attributes) || !Array.isArray(inst.sensitive_attributes)) continue;
        for (const p of inst.sensitive_attributes) {
          const first = Array.isArray(p) ? p[0] : undefined;
          if (isRecord(first) && typeof first.value === 'string') allStrings(inst.attributes[first.value], out);
        }
      }
    }
  }
  // Sensitive input variables.
  const config = isRecord(doc.configuration) && isRecord(doc.configuration.root_module) ? doc.configuration.root_module : undefined;
  if (config && isRecord(config.variables) && isRecord(doc.variables)) {
    for (const [name, v] of Object.entries(config.variables)) {
      if (isRecord(v) && v.sensitive === true && isRecord(doc.variables[name])) allStrings((doc.variables[name] as Record<string, unknown>).value, out);
    }
  }
  // Short strings ("", "true") cannot be told from ordinary words; a password is never that short.
  return [...out].filter((s) => s.length >= 6).sort((a, b) => b.length - a.length);
}

/** Replaces every secret in `text` (longest first). */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}
