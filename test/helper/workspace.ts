/**
 * A cdktf project in a temp dir, deployed with the real `cdktf` CLI and the real engine set up by
 * `npm run engine` (.engine/). Used by the integration tests.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
const CDKTF = path.join(REPO, 'node_modules', '.bin', 'cdktf');

export interface Engine {
  readonly name: 'terraform' | 'tofu';
  readonly binary: string;
}

/** The engines `npm run engine` found (.engine/engines); INTEG_ENGINES=terraform,tofu narrows them. */
export function engines(): Engine[] {
  const file = path.join(REPO, '.engine', 'engines');
  if (!fs.existsSync(file)) throw new Error('no .engine/engines: run "npm run engine" first');
  const wanted = process.env.INTEG_ENGINES?.split(',').map((s) => s.trim());
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [name, binary] = line.split(' ');
      return { name: name as Engine['name'], binary };
    })
    .filter((e) => !wanted || wanted.includes(e.name));
}

export interface TokenDecl {
  id: string;
  registryId: string;
  name: string;
  scopes: { type: string; name: string; actions: string[] }[];
  status?: string;
  expiryDate?: string;
  /** Props passed through Terraform variables, so they are unresolved at synth. */
  viaVariable?: string[];
  [key: string]: unknown;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr together, for scanning. */
  all: string;
  ms: number;
}

export class Workspace {
  readonly dir: string;
  readonly stack: string;

  constructor(
    readonly engine: Engine,
    readonly env: Record<string, string>,
    stack = 'integ',
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `rt-${engine.name}-`));
    this.stack = stack;
    fs.writeFileSync(
      path.join(this.dir, 'cdktf.json'),
      JSON.stringify({ language: 'javascript', app: `node ${path.join(REPO, 'test', 'fixtures', 'spec-app.js')}`, sendCrashReports: false, terraformProviders: [] }),
    );
  }

  get stackDir(): string {
    return path.join(this.dir, 'cdktf.out', 'stacks', this.stack);
  }

  get stateFile(): string {
    return path.join(this.dir, `terraform.${this.stack}.tfstate`);
  }

  declare(tokens: TokenDecl[]): void {
    fs.writeFileSync(path.join(this.dir, 'tokens.json'), JSON.stringify({ stack: this.stack, tokens }, null, 2));
  }

  private childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...this.env,
      CI: 'true',
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_CLI_CONFIG_FILE: path.join(REPO, '.engine', 'terraformrc'),
      PATH: `${path.dirname(this.engine.binary)}:${process.env.PATH}`,
      RT_LIB: path.join(REPO, 'dist', 'lib'),
      NODE_PATH: path.join(REPO, 'node_modules'),
      ...extra,
    };
    if (this.engine.name === 'tofu') env.TERRAFORM_BINARY_NAME = 'tofu';
    else delete env.TERRAFORM_BINARY_NAME;
    return env;
  }

  /** Runs a command in the workspace and collects its output. */
  run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd ?? this.dir, env: this.childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      let all = '';
      child.stdout.on('data', (d) => {
        stdout += d;
        all += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
        all += d;
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr, all, ms: Date.now() - started });
      });
    });
  }

  cdktf(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return this.run(CDKTF, args, { env });
  }

  deploy(env: Record<string, string> = {}, extraArgs: string[] = []): Promise<RunResult> {
    return this.cdktf(['deploy', this.stack, '--auto-approve', ...extraArgs], env);
  }

  destroy(env: Record<string, string> = {}): Promise<RunResult> {
    return this.cdktf(['destroy', this.stack, '--auto-approve'], env);
  }

  /** The engine itself in the synthesized stack directory (plan, show, state). */
  tf(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    return this.run(this.engine.binary, args, { cwd: this.stackDir, env });
  }

  state(): { outputs: Record<string, { value: unknown; sensitive?: boolean }>; resources: any[] } {
    return JSON.parse(fs.readFileSync(this.stateFile, 'utf8'));
  }

  outputValue(name: string): string {
    const out = this.state().outputs[name];
    if (!out) throw new Error(`no output ${name} in ${this.stateFile}`);
    return String(out.value);
  }

  /** Every file below the workspace except the state (which is where the password belongs). */
  filesOtherThanState(): string[] {
    const out: string[] = [];
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          if (e.name !== 'node_modules') walk(p);
        } else if (e.isFile() && !/\.tfstate(\.backup)?$/.test(e.name) && !e.name.endsWith('.tfstate.backup')) {
          // (regular files only: a step's named pipe, which holds nothing, would block a read)
          out.push(p);
        }
      }
    };
    walk(this.dir);
    return out;
  }

  cleanup(): void {
    if (!process.env.KEEP_WORKSPACES) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
