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

/** Where a workspace keeps its state: the local file (default), or a backend (tokens.json's `backend`, see test/fixtures/spec-app.js). */
export interface BackendDecl {
  /** Terraform's built-in `pg` backend (cdktf PgBackend). */
  type: 'pg';
  /** postgres:// URL, e.g. RunningPostgres.connStr(db) (test/helper/postgres.ts). */
  connStr: string;
  /** @default terraform_remote_state */
  schemaName?: string;
}

export interface DeclareOptions {
  /** Keep the state in this backend. Once given, later declare() calls keep it unless they name another. */
  backend?: BackendDecl;
}

/** A Terraform state, as the local file or `terraform state pull` has it. */
export interface TfState {
  outputs: Record<string, { value: unknown; sensitive?: boolean }>;
  resources: any[];
  [key: string]: unknown;
}

/** A command started in its own process group (see Workspace.spawnDeploy). */
export interface SpawnedRun {
  /** The child's pid, which is also its process group id. */
  readonly pid: number;
  /** Resolves when the child has exited and its output is closed (after killGroup too). */
  readonly done: Promise<RunResult>;
  /** Output so far (stdout and stderr together). */
  output(): string;
  /** Sends the signal (default SIGKILL) to the whole process group: cdktf, the engine, provisioners, the step worker. */
  killGroup(signal?: NodeJS.Signals): void;
}

const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

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
  /** The backend of the last declare() that named one (undefined: local state). */
  backend?: BackendDecl;

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

  declare(tokens: TokenDecl[], options: DeclareOptions = {}): void {
    if (options.backend) this.backend = options.backend;
    const spec = this.backend ? { stack: this.stack, backend: this.backend, tokens } : { stack: this.stack, tokens };
    fs.writeFileSync(path.join(this.dir, 'tokens.json'), JSON.stringify(spec, null, 2));
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
      // INTEG_RT_LIB: run the tests against another build (an older release, to show a test fails there)
      RT_LIB: process.env.INTEG_RT_LIB ?? path.join(REPO, 'dist', 'lib'),
      NODE_PATH: path.join(REPO, 'node_modules'),
      ...extra,
    };
    if (this.engine.name === 'tofu') env.TERRAFORM_BINARY_NAME = 'tofu';
    else delete env.TERRAFORM_BINARY_NAME;
    return env;
  }

  /** Runs a command in the workspace (in a process group of its own, see spawnGroup) and collects its output. */
  run(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunResult> {
    return this.spawnGroup(cmd, args, opts).done;
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

  /**
   * A command the library printed for the user, run as they would paste it: by sh in the project
   * directory, with the CDK CLIs and the engine on PATH, plus the approval flag a CI job passes.
   */
  runPrinted(command: string, env: Record<string, string> = {}): Promise<RunResult> {
    const approve = /\b(cdktf|cdktn) deploy\b/.test(command) ? ' --auto-approve' : / apply\b/.test(command) ? ' -auto-approve -input=false' : '';
    const PATH = `${path.join(REPO, 'node_modules', '.bin')}:${path.dirname(this.engine.binary)}:${process.env.PATH}`;
    return this.run('/bin/sh', ['-c', `${command}${approve}`], { env: { ...env, PATH } });
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

  /**
   * The state as the engine reads it (`state pull` in the stack directory, which needs a deploy or
   * `init` there first): for a workspace with a backend, where there is no local state file. A
   * stack with no state yet gives no outputs and no resources.
   */
  async statePull(env: Record<string, string> = {}): Promise<TfState> {
    const res = await this.tf(['state', 'pull'], env);
    if (res.code !== 0) throw new Error(`${this.engine.name} state pull failed (${res.code}):\n${res.all.slice(-3000)}`);
    if (res.stdout.trim() === '') return { outputs: {}, resources: [] };
    const state = JSON.parse(res.stdout) as TfState;
    return { ...state, outputs: state.outputs ?? {}, resources: state.resources ?? [] };
  }

  /**
   * Starts a command in its own process group (detached), collecting its output like run(); the
   * caller can SIGKILL the whole group (the command and everything it started) with killGroup().
   * After timeoutMs (default 300 s) the group is killed.
   */
  spawnGroup(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): SpawnedRun {
    const started = Date.now();
    const child = spawn(cmd, args, { cwd: opts.cwd ?? this.dir, env: this.childEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    let all = '';
    // Listeners first, before anything can be missed.
    child.stdout.on('data', (d) => {
      stdout += d;
      all += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      all += d;
    });
    const pid = child.pid;
    const killGroup = (signal: NodeJS.Signals = 'SIGKILL') => {
      if (pid === undefined) return;
      try {
        process.kill(-pid, signal);
      } catch {
        // the group is gone already
      }
    };
    const done = new Promise<RunResult>((resolve, reject) => {
      const timer = setTimeout(() => killGroup('SIGKILL'), opts.timeoutMs ?? 300_000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (pid !== undefined) liveGroups.delete(pid);
        resolve({ code: code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : -1), stdout, stderr, all, ms: Date.now() - started });
      });
    });
    if (pid === undefined) return { pid: -1, done, output: () => all, killGroup };
    liveGroups.add(pid);
    return { pid, done, output: () => all, killGroup };
  }

  /** `cdktf deploy` in its own process group (see spawnGroup), e.g. to SIGKILL it and all it started mid-apply. */
  spawnDeploy(env: Record<string, string> = {}, extraArgs: string[] = [], opts: { timeoutMs?: number } = {}): SpawnedRun {
    return this.spawnGroup(CDKTF, ['deploy', this.stack, '--auto-approve', ...extraArgs], { env, timeoutMs: opts.timeoutMs });
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

/**
 * What our handler printed in a deploy's output, each line once, in order, without the
 * `registry-token: ` before it and without the notice of a non-default API URL.
 */
export function ourLines(output: string): string[] {
  const said = output
    .replace(/\x1b\[[0-9;]*[A-Za-z]/g, '')
    .split('\n')
    .filter((l) => !l.includes('│'))
    .flatMap((l) => {
      const m = /\(local-exec\): registry-token: (.*)$/.exec(l);
      return m && !m[1].startsWith('using the IONOS API at ') ? [m[1].trim()] : [];
    });
  return [...new Set(said)];
}

/**
 * The one command a failed deploy names to create tokens again: the specs step's last line when it
 * names several, else the one token's line. Undefined when there is none.
 */
export function recreateCommandIn(output: string): string | undefined {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, '').split('\n').filter((l) => !l.includes('│'));
  for (const l of lines) {
    const m = /one deploy does it for all: (.*)$/.exec(l);
    if (m) return m[1].trim();
  }
  for (const l of lines) {
    const m = /: ((?:TF_CLI_ARGS_apply=|terraform -chdir=|tofu -chdir=)\S.*)$/.exec(l);
    if (m) return m[1].trim();
  }
  return undefined;
}

/** `res`, when its command exited 0; else an error naming `what`, with the end of its output. */
export function ok(res: RunResult, what: string, tailChars = 3000): RunResult {
  if (res.code !== 0) throw new Error(`${what} failed (${res.code}):\n${res.all.slice(-tailChars)}`);
  return res;
}

/** What a failed deploy tells the user to do: its failure lines, the take-over, and the one re-create command. */
export interface Repair {
  readonly lines: string[];
  /** The ids of the tokens refused for want of a record of creating them. */
  readonly takeOver: string[];
  /** The one command those lines name to take them over (IONOS_REGISTRY_TOKEN_TAKE_OVER=stack:<name> ...). */
  readonly takeOverCommand?: string;
  /** The re-create command, when one is named (recreateCommandIn). */
  readonly command?: string;
/** The `create` resources that command replaces. */
  readonly replace: string[];
}

export function repairOf(res: RunResult): Repair {
  // (Terraform repeats a failed step's output in its error box, wrapped: the lines as printed are ours.)
  const lines = res.all.split('\n').filter((l) => /registry-token: [a-z-]+( of .*)? failed/.test(l) && !l.includes('│'));
  const refused = lines.filter((l) => l.includes('IONOS_REGISTRY_TOKEN_TAKE_OVER='));
  const takeOver = [...new Set(refused.map((l) => /\(id ([0-9a-f-]{36})/.exec(l)?.[1] ?? l))];
  const takeOverCommands = [...new Set(refused.map((l) => /: (IONOS_REGISTRY_TOKEN_TAKE_OVER=\S+ .*)$/.exec(l.trim())?.[1]))];
  if (takeOverCommands.length > 1) throw new Error(`more than one take-over command:\n${refused.join('\n')}`);
  const command = recreateCommandIn(res.all);
  const replace = command ? [...command.matchAll(/-replace=terraform_data\.'?([A-Za-z0-9_-]+)'?/g)].map((m) => `terraform_data.${m[1]}`) : [];
  return { lines, takeOver, replace, ...(takeOverCommands[0] ? { takeOverCommand: takeOverCommands[0] } : {}), ...(command ? { command } : {}) };
}

/** Does what `repair` says, once, as printed: the take-over command, else the re-create command, else a plain deploy. */
export function runRepair(ws: Workspace, repair: Repair): Promise<RunResult> {
  const printed = repair.takeOverCommand ?? repair.command;
  return printed ? ws.runPrinted(printed) : ws.deploy();
}
