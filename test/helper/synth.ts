/** Helpers to synthesize a stack in a test and read its resources. */
import { TerraformStack, Testing } from 'cdktf';

export interface Synthesized {
  resource: Record<string, Record<string, any>>;
  output?: Record<string, any>;
  [key: string]: unknown;
}

/** A stack in a fresh app, the way a user's main.ts builds one. */
export function newStack(name = 'ci'): TerraformStack {
  const app = Testing.app();
  return new TerraformStack(app, name);
}

export function synth(stack: TerraformStack): Synthesized {
  return JSON.parse(Testing.synth(stack)) as Synthesized;
}
