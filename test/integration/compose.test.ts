import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usesLocalInbox } from '../../common/config/localServices';
import { loadConfig } from '../../common/config/processConfig';
import { REQUIRED_SECRETS } from '../../common/config/secrets';
import type { Env } from '../../common/config/values';
import { TEMPORAL_SERVER_VERSION } from '../../scripts/clusterBinaries';
import { findTemporalCli, TEMPORAL_CLI_VERSION } from '../../scripts/temporalCli';
import { createWorkerMetrics, serveMetrics } from '../../worker/metrics';
import { SEARCH_ATTRIBUTES } from '../../domain/searchAttributes';
import { startApi } from '../helpers/api';
import { startInbox } from '../helpers/inbox';
import { freePort } from '../helpers/ports';
import { startSandbox } from '../helpers/sandbox';

/**
 * docker-compose.yml and the Dockerfile cannot run here (no Docker daemon), so this reads them and
 * checks them against the code: the images against the pinned Temporal versions, the environment
 * against common/config/variables.ts and what api/main.ts and worker/main.ts require, .env.example against
 * both, ports and health checks against the running app (the health-check commands are executed
 * against the real servers), the search attributes against workflows/searchAttributes.ts, and every
 * path the files name against the repository.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/**
 * What each pinned Temporal CLI release contains (its `temporal --version`): the server and UI of
 * the compose stack must be these. Bumping TEMPORAL_CLI_VERSION fails this test until the row for
 * the new version is added and the images are moved with it.
 */
const CLI_RELEASES: Record<string, { server: string; ui: string }> = {
  '1.5.1': { server: '1.29.1', ui: '2.42.1' },
};

// --- docker-compose.yml ----------------------------------------------------------------------

interface Healthcheck {
  test: string[] | string;
}
interface Service {
  image?: string;
  build?: { context: string; target?: string; dockerfile?: string };
  profiles?: string[];
  entrypoint?: string[] | string;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: Healthcheck;
  network_mode?: string;
  stop_grace_period?: string;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_TEXT = read('docker-compose.yml');
// Merge keys (`<<: *app-environment`) as compose resolves them.
const compose = parseYaml(COMPOSE_TEXT, { merge: true }) as Compose;
const service = (name: string): Service => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
};
const dependsOn = (s: Service): string[] => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));
const dependsOnCondition = (s: Service, other: string): string | undefined =>
  Array.isArray(s.depends_on) ? (s.depends_on.includes(other) ? 'service_started' : undefined) : s.depends_on?.[other]?.condition;
/** The command as the container's shell gets it (compose has turned `$$` into `$`). */
const commandText = (s: Service): string => interpolate([s.command ?? []].flat().join('\n'), {});

/** Compose's variable substitution: `$$`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`. */
function interpolate(value: string, vars: Env): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, name?: string, op?: string, arg?: string, bare?: string) => {
    if (match === '$$') return '$';
    if (bare) return vars[bare] ?? '';
    const current = vars[name!];
    const unset = current === undefined || (op?.startsWith(':') === true && current === '');
    if (op?.endsWith('-')) return unset ? arg! : current!;
    if (op?.endsWith('?')) {
      if (unset) throw new Error(`required variable ${name} is missing a value: ${arg}`);
      return current!;
    }
    return current ?? '';
  });
}

/** Every `${VAR...}` compose substitutes in the file's values (not `$${...}`, which reaches the container's shell). */
function composeVariables(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const visit = (node: unknown): void => {
    if (typeof node === 'string') {
      for (const m of node.replace(/\$\$/g, '').matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)((?::?[-?])[^}]*)?\}/g)) {
        found.set(m[1]!, [...(found.get(m[1]!) ?? []), m[0]]);
      }
    } else if (node && typeof node === 'object') {
      Object.values(node).forEach(visit);
    }
  };
  visit(compose);
  return found;
}

/** A service's environment as its container would see it, after substitution with `vars` (the .env file). */
function resolvedEnvironment(s: Service, vars: Env): Env {
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, interpolate(String(v ?? ''), vars)]));
}

// --- .env.example ----------------------------------------------------------------------------

interface EnvExample {
  /** `NAME=value` lines: what `cp .env.example .env` gives compose. */
  active: Map<string, string>;
  /** Those plus `# NAME=value` lines: documented, not passed on. */
  documented: Set<string>;
}

function readEnvExample(): EnvExample {
  const active = new Map<string, string>();
  const documented = new Set<string>();
  for (const line of read('.env.example').split('\n')) {
    const on = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (on) {
      active.set(on[1]!, on[2]!.replace(/^(['"])(.*)\1$/, '$2'));
      documented.add(on[1]!);
      continue;
    }
    const off = /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (off) documented.add(off[1]!);
  }
  return { active, documented };
}

/** Values a person would put into the .env.example's empty secrets. */
const FILLED_SECRETS: Env = {
  API_KEYS: 'sk_compose_test_0123456789abcdef',
  WEBHOOK_SECRET: 'compose-webhook-secret-0123456789',
  NOTIFICATION_SIGNING_SECRET: 'compose-notification-secret-0123456789',
  PAYLOAD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  PING_API_SECRET: 'compose-ping-secret',
  POSTGRES_PASSWORD: 'compose-postgres-password',
};

/** The .env a person makes from .env.example, secrets filled in. */
function dotEnv(): Env {
  const vars: Env = Object.fromEntries(readEnvExample().active);
  for (const [name, value] of Object.entries(FILLED_SECRETS)) if (!vars[name]) vars[name] = value;
  return vars;
}

// --- the code --------------------------------------------------------------------------------

/** Every variable the app reads: the keys of the envSchema in common/config/variables.ts. */
function configVariables(): string[] {
  const source = read('common/config/variables.ts');
  const start = source.indexOf('const envSchema = z.object({');
  const end = source.indexOf('\n});', start);
  expect(start).toBeGreaterThan(0);
  const names = [...source.slice(start, end).matchAll(/^\s{2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]!);
  expect(names).toEqual(expect.arrayContaining(['API_PORT', 'API_KEYS', 'TEMPORAL_ADDRESS']));
  return names;
}

/** The variables an entry point refuses to start without (the config module's list, used by both main.ts files). */
function requiredBy(entry: 'api/main.ts' | 'worker/main.ts'): string[] {
  const processName = entry === 'api/main.ts' ? 'api' : 'worker';
  expect(read(entry)).toContain(`requireSecretsOrExit(config, '${processName}')`);
  return [...REQUIRED_SECRETS[processName]];
}

/** deploy/temporal-server.yaml, the server config the temporal service mounts (owned by the cluster work). */
const SERVER_CONFIG = 'deploy/temporal-server.yaml';

// --- Dockerfile ------------------------------------------------------------------------------

interface Instruction {
  stage: string;
  op: string;
  args: string;
}

function dockerfile(): { instructions: Instruction[]; stages: Map<string, string> } {
  const logical = read('Dockerfile')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const instructions: Instruction[] = [];
  const stages = new Map<string, string>();
  let stage = '';
  for (const line of logical) {
    const [, op, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    if (op.toUpperCase() === 'FROM') {
      const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args!.trim())!;
      stage = m[2] ?? `#${stages.size}`;
      stages.set(stage, m[1]!);
    }
    instructions.push({ stage, op: op.toUpperCase(), args: args!.trim() });
  }
  return { instructions, stages };
}

/** The argv of a stage's HEALTHCHECK or CMD, following `FROM <parent>` for what it inherits. */
function stageExec(stage: string, op: 'CMD' | 'HEALTHCHECK'): string[] {
  const { instructions, stages } = dockerfile();
  for (let current: string | undefined = stage; current; current = stages.get(current)) {
    const found = instructions.filter((i) => i.stage === current && i.op === op).pop();
    if (found) {
      const json = op === 'HEALTHCHECK' ? found.args.replace(/^.*?\bCMD\s+/, '') : found.args;
      return JSON.parse(json) as string[];
    }
  }
  throw new Error(`stage ${stage} has no ${op}`);
}

/** Runs a health-check command (node -e ...) as Docker would, without blocking this process's servers. */
function runCheck(argv: string[], env: Env): Promise<number | null> {
  expect(argv[0]).toBe('node');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv.slice(1), { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

// --- the checks ------------------------------------------------------------------------------

describe('docker-compose.yml against the code', () => {
  it('runs the Temporal server, UI and admin tools of the pinned CLI release, and PostgreSQL 12+', () => {
    const release = CLI_RELEASES[TEMPORAL_CLI_VERSION];
    if (!release) throw new Error(`CLI_RELEASES has no row for the pinned Temporal CLI ${TEMPORAL_CLI_VERSION}: add it and move the compose images`);

    // The pinned binary itself says which server and UI it embeds, when it is here (the harness has it).
    const cli = findTemporalCli();
    if (cli && 'path' in cli) {
      const version = spawnSync(cli.path, ['--version'], { encoding: 'utf8' }).stdout;
      const m = /\(Server ([\d.]+), UI ([\d.]+)\)/.exec(version);
      expect(m).not.toBeNull();
      expect({ server: m![1], ui: m![2] }).toEqual(release);
    }

    // The same server `npm run cluster` builds from source.
    expect(TEMPORAL_SERVER_VERSION).toBe(release.server);
    expect(service('temporal').image).toBe(`temporalio/server:${release.server}`);
    expect(service('temporal-ui').image).toBe(`temporalio/ui:${release.ui}`);
    for (const name of ['temporal-schema', 'temporal-setup']) {
      // Admin-tools tags carry the server version first, e.g. 1.29.1-tctl-1.18.4-cli-1.5.0.
      expect(service(name).image).toMatch(new RegExp(`^temporalio/admin-tools:${release.server.replace(/\./g, '\\.')}(-|$)`));
    }
    // The server's SQL plugin is postgres12 (PostgreSQL 12 or later).
    const pg = /^postgres:(\d+)/.exec(service('postgres').image ?? '');
    expect(Number(pg?.[1])).toBeGreaterThanOrEqual(12);
    expect(service('temporal').environment?.DB).toBe('postgres12');
    // Every image is pinned to a version.
    for (const [name, s] of Object.entries(compose.services)) {
      if (s.image) expect([name, s.image]).toEqual([name, expect.stringMatching(/:\d[\w.-]*$/)]);
      else expect([name, s.build?.target]).toEqual([name, expect.any(String)]);
    }
  });

  it(`starts the temporal service with the checked-in ${SERVER_CONFIG}, and sets every variable it requires`, () => {
    const temporal = service('temporal');
    // Written by the cluster work; compose mounts this exact path.
    expect(existsSync(path.join(ROOT, SERVER_CONFIG))).toBe(true);
    const config = read(SERVER_CONFIG);
    expect(config).toMatch(/^#.*enable-template/m); // rendered by the server itself, no entrypoint script

    const mount = (temporal.volumes ?? []).map((v) => v.split(':')).find(([source]) => source === `./${SERVER_CONFIG}`);
    expect(mount).toBeDefined();
    const target = mount![1]!;
    // temporal-server --root R --config C --env E reads R/C/E.yaml.
    const argv = [temporal.entrypoint ?? []].flat();
    const flag = (name: string) => argv[argv.indexOf(name) + 1]!;
    expect(argv[0]).toBe('temporal-server');
    expect(argv.at(-1)).toBe('start');
    expect(path.posix.join(flag('--root'), flag('--config'), `${flag('--env')}.yaml`)).toBe(target);

    const env = resolvedEnvironment(temporal, dotEnv());
    // The variables it has no default for: `env "X" | required ...` or `if not (env "X") }}{{ fail ...`.
    const required = [...config.matchAll(/env "([A-Z0-9_]+)" \| required|if not \(env "([A-Z0-9_]+)"\) \}\}\{\{ fail/g)].map((m) => (m[1] ?? m[2])!);
    expect(required).toContain('POSTGRES_PWD');
    for (const name of required) expect([name, env[name]]).toEqual([name, expect.stringMatching(/.+/)]);
    // Its database is the postgres service, with the password postgres was started with.
    expect(Object.keys(compose.services)).toContain(env.POSTGRES_SEEDS);
    expect(env.POSTGRES_PWD).toBe(resolvedEnvironment(service('postgres'), dotEnv()).POSTGRES_PASSWORD);
    expect(env.BIND_ON_IP).toBe('0.0.0.0'); // reachable from the other containers
  });

  it('sets up the schemas before the server, and the namespace and search attributes before the worker and api', () => {
    const server = service('temporal');
    expect(dependsOnCondition(server, 'temporal-schema')).toBe('service_completed_successfully');
    expect(dependsOnCondition(service('temporal-schema'), 'postgres')).toBe('service_healthy');
    expect(dependsOnCondition(service('temporal-setup'), 'temporal')).toBe('service_healthy');
    for (const app of ['worker', 'api']) expect(dependsOnCondition(service(app), 'temporal-setup')).toBe('service_completed_successfully');

    // The schema job sets up exactly the databases the server config is given.
    const serverEnv = resolvedEnvironment(server, dotEnv());
    const schema = commandText(service('temporal-schema'));
    expect(schema).toContain(`${serverEnv.DBNAME}:postgresql/v12/temporal`);
    expect(schema).toContain(`${serverEnv.VISIBILITY_DBNAME}:postgresql/v12/visibility`);
    const schemaEnv = resolvedEnvironment(service('temporal-schema'), dotEnv());
    expect(schemaEnv).toMatchObject({ SQL_PLUGIN: serverEnv.DB, SQL_HOST: serverEnv.POSTGRES_SEEDS, SQL_USER: serverEnv.POSTGRES_USER, SQL_PASSWORD: serverEnv.POSTGRES_PWD });

    // The setup job registers exactly workflows/searchAttributes.ts, with the CLI's type names.
    const cliType: Record<string, string> = { KEYWORD: 'Keyword', INT: 'Int', DATETIME: 'Datetime', TEXT: 'Text', DOUBLE: 'Double', BOOL: 'Bool', KEYWORD_LIST: 'KeywordList' };
    const registered = [...commandText(service('temporal-setup')).matchAll(/--name (\w+) --type (\w+)/g)].map((m) => `${m[1]}=${m[2]}`);
    expect(registered.sort()).toEqual(SEARCH_ATTRIBUTES.map((k) => `${k.name}=${cliType[k.type]}`).sort());

    // In the namespace the worker and api use.
    const setupEnv = resolvedEnvironment(service('temporal-setup'), dotEnv());
    expect(commandText(service('temporal-setup'))).toContain('"$TEMPORAL_NAMESPACE"');
    expect(resolvedEnvironment(service('temporal-setup'), {}).TEMPORAL_NAMESPACE).toBe(loadConfig({}).temporal.namespace);
    for (const app of ['worker', 'api']) {
      expect(loadConfig(resolvedEnvironment(service(app), dotEnv())).temporal.namespace).toBe(setupEnv.TEMPORAL_NAMESPACE);
      // The same expression, so the same namespace with any .env; unset, the config module's default.
      expect(service(app).environment?.TEMPORAL_NAMESPACE).toBe(service('temporal-setup').environment?.TEMPORAL_NAMESPACE);
    }
  });

  it('gives the api and the worker every variable their entry points require, and compose refuses to start without them', () => {
    const apiRequired = requiredBy('api/main.ts');
    const workerRequired = requiredBy('worker/main.ts');
    expect(apiRequired).toEqual(expect.arrayContaining(['API_KEYS', 'WEBHOOK_SECRET', 'PAYLOAD_ENCRYPTION_KEYS']));
    expect(workerRequired).toEqual(expect.arrayContaining(['WEBHOOK_SECRET', 'NOTIFICATION_SIGNING_SECRET', 'PAYLOAD_ENCRYPTION_KEYS']));
    // Against Ping itself (not the local sandbox) the config module requires its credentials too.
    workerRequired.push('PING_TENANT_ID', 'PING_API_SECRET');

    for (const [name, required] of [['api', apiRequired], ['worker', workerRequired]] as const) {
      const s = service(name);
      for (const variable of required) {
        // `${VAR:?message}`: set, or `docker compose up` stops with the message.
        expect([name, variable, String(s.environment?.[variable])]).toEqual([name, variable, expect.stringMatching(new RegExp(`^\\$\\{${variable}:\\?.+\\}$`))]);
        const vars = dotEnv();
        delete vars[variable];
        expect(() => resolvedEnvironment(s, vars)).toThrow(variable);
      }
    }

    // With the .env made from .env.example, each process's config loads and has what main.ts checks.
    const api = loadConfig(resolvedEnvironment(service('api'), dotEnv()));
    expect(api.api.keys.length).toBeGreaterThan(0);
    expect(api.api.webhookSecret).toBeDefined();
    expect(api.encryption.keys).toBeDefined();
    expect(api.api.host).toBe('0.0.0.0');
    const worker = loadConfig(resolvedEnvironment(service('worker'), dotEnv()));
    expect(worker.api.webhookSecret).toBe(api.api.webhookSecret);
    expect(worker.notifications.signingSecret).toBeDefined();
    expect(worker.encryption.keys).toEqual(api.encryption.keys);
    expect(worker.temporal.taskQueue).toBe(api.temporal.taskQueue);

    // Pointed at Ping (as in production), the worker's config still loads: the credentials are there.
    const production = { ...dotEnv(), PING_PAYMENTS_API_URL: 'https://sandbox.pingpayments.com/payments/', PING_PAYMENT_LINKS_API_URL: 'https://sandbox.pingpayments.com/payment_links/', PUBLIC_BASE_URL: 'https://payments.example.com' };
    expect(loadConfig(resolvedEnvironment(service('worker'), production)).ping.apiSecret).toBe(FILLED_SECRETS.PING_API_SECRET);

    // Both reach the temporal service on the port deploy/temporal-server.yaml gives its frontend.
    const frontendPort = /env "FRONTEND_GRPC_PORT" \| default "(\d+)"/.exec(read(SERVER_CONFIG))?.[1];
    expect(frontendPort).toBeDefined();
    for (const config of [api, worker]) {
      expect(config.temporal.address).toBe(`temporal:${frontendPort}`);
      expect(config.temporal.external).toBe(true);
    }
    expect(resolvedEnvironment(service('temporal-setup'), {}).TEMPORAL_ADDRESS).toBe(`temporal:${frontendPort}`);
    expect(resolvedEnvironment(service('temporal-ui'), {}).TEMPORAL_ADDRESS).toBe(`temporal:${frontendPort}`);
    expect(service('temporal').ports).toEqual([expect.stringMatching(new RegExp(`:${frontendPort}$`))]);
  });

  it('documents every config variable in .env.example, and nothing that is not one or that compose ignores', () => {
    const config = configVariables();
    const example = readEnvExample();
    const substituted = composeVariables();
    // Every variable of common/config/variables.ts is documented (set, or shown commented out).
    expect(config.filter((name) => !example.documented.has(name))).toEqual([]);
    // Every documented variable is a config variable or one that docker-compose.yml substitutes.
    expect([...example.documented].filter((name) => !config.includes(name) && !substituted.has(name))).toEqual([]);
    // A variable set in .env.example is used by compose (a commented one is documentation only).
    expect([...example.active.keys()].filter((name) => !substituted.has(name))).toEqual([]);
    // Everything compose substitutes is documented.
    expect([...substituted.keys()].filter((name) => !example.documented.has(name))).toEqual([]);
    // A variable compose requires is one .env.example leaves for the person to fill in, or gives a value.
    for (const [name, uses] of substituted) {
      if (uses.some((u) => u.includes(':?'))) expect([name, example.active.has(name)]).toEqual([name, true]);
    }
  });

  it('publishes the ports the processes listen on, and the URLs between the services agree', () => {
    const vars = dotEnv();
    const api = loadConfig(resolvedEnvironment(service('api'), vars));
    expect(service('api').ports?.map((p) => interpolate(p, vars))).toEqual([`${api.api.port}:${api.api.port}`]);
    // Another port in .env moves both sides of the mapping and the port the API listens on.
    const moved = { ...vars, API_PORT: '8123' };
    expect(loadConfig(resolvedEnvironment(service('api'), moved)).api.port).toBe(8123);
    expect(service('api').ports?.map((p) => interpolate(p, moved))).toEqual(['8123:8123']);
    const movedSandbox = { ...vars, SANDBOX_PORT: '4999' };
    expect(loadConfig(resolvedEnvironment(service('sandbox'), movedSandbox)).sandbox.port).toBe(4999);
    expect(service('sandbox').ports?.map((p) => interpolate(p, movedSandbox))).toEqual(['127.0.0.1:4999:4999']);
    // With no .env at all the published port is still the app's default.
    const defaults = loadConfig({});
    expect(service('api').ports?.map((p) => interpolate(p, {}))).toEqual([`${defaults.api.port}:${defaults.api.port}`]);

    // The Web UI: its container port, and the codec endpoint its browser calls is our API's /codec.
    const ui = resolvedEnvironment(service('temporal-ui'), vars);
    expect(service('temporal-ui').ports?.map((p) => interpolate(p, vars))).toEqual([`${vars.TEMPORAL_UI_BIND}:${vars.TEMPORAL_UI_PORT}:${ui.TEMPORAL_UI_PORT}`]);
    const codec = new URL(ui.TEMPORAL_CODEC_ENDPOINT!);
    expect([codec.port, codec.pathname]).toEqual([String(api.api.port), '/codec']);

    // The dev profile: the worker reaches the sandbox and the inbox, the sandbox reaches the api.
    const worker = loadConfig(resolvedEnvironment(service('worker'), vars));
    const sandbox = loadConfig(resolvedEnvironment(service('sandbox'), vars));
    expect(service('sandbox').profiles).toEqual(['dev']);
    expect(service('inbox').profiles).toEqual(['dev']);
    for (const url of [worker.ping.paymentsApiUrl, worker.ping.paymentLinksApiUrl]) {
      expect([new URL(url).hostname, Number(new URL(url).port)]).toEqual(['sandbox', sandbox.sandbox.port]);
    }
    expect(service('sandbox').ports?.map((p) => interpolate(p, vars))).toEqual([`127.0.0.1:${sandbox.sandbox.port}:${sandbox.sandbox.port}`]);
    expect(new URL(sandbox.sandbox.publicUrl).port).toBe(String(sandbox.sandbox.port)); // browsers open its pages on this machine
    expect(sandbox.ping.apiSecret).toBe(worker.ping.apiSecret); // the sandbox demands what the worker sends
    expect([new URL(worker.api.publicBaseUrl).hostname, Number(new URL(worker.api.publicBaseUrl).port)]).toEqual(['api', api.api.port]);
    // The inbox listens on loopback only, so it shares the worker's network, and the worker sends to it.
    expect(service('inbox').network_mode).toBe('service:worker');
    const inbox = loadConfig(resolvedEnvironment(service('inbox'), vars));
    expect(usesLocalInbox({ ...worker, mail: { ...worker.mail, inbox: inbox.mail.inbox } })).toBe(true);

    // No default service depends on a dev-profile one (compose would refuse to start without the profile).
    const dev = new Set(Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('dev')).map(([n]) => n));
    for (const [name, s] of Object.entries(compose.services)) {
      for (const dep of dependsOn(s)) {
        expect(Object.keys(compose.services)).toContain(dep);
        if (!dev.has(name)) expect([name, dev.has(dep)]).toEqual([name, false]);
      }
    }
    // A stopping worker gets longer than its own grace period before compose kills it.
    const grace = Number(/^(\d+)s$/.exec(service('worker').stop_grace_period ?? '')?.[1]) * 1000;
    expect(grace).toBeGreaterThan(worker.worker.shutdownGraceMs);
    // The worker's metrics listeners are reachable on the compose network (and its health check uses them).
    expect(worker.metrics.host).toBe('0.0.0.0');
    expect(worker.metrics.workerPort).toBeDefined();
  });
});

describe('Dockerfile against the code', () => {
  const { instructions, stages } = dockerfile();

  it('builds every compose app service from a stage of it, as a non-root user, with production dependencies only', () => {
    const runs = instructions.filter((i) => i.op === 'RUN').map((i) => `${i.stage}: ${i.args}`);
    expect(runs).toEqual(expect.arrayContaining([expect.stringMatching(/: npm ci --omit=dev\b/), expect.stringMatching(/: npm run build$/)]));
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; engines?: { node?: string } };
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');

    for (const [name, s] of Object.entries(compose.services)) {
      if (!s.build) continue;
      expect(s.build.context).toBe('.');
      expect([name, stages.has(s.build.target!)]).toEqual([name, true]);
      // The stage runs as a non-root user it inherits from the runtime stage.
      let user: string | undefined;
      for (let st: string | undefined = s.build.target; st && user === undefined; st = stages.get(st)) {
        user = instructions.filter((i) => i.stage === st && i.op === 'USER').pop()?.args;
      }
      expect([name, user]).toEqual([name, expect.stringMatching(/^(?!root$|0$).+/)]);
    }

    // Its Node.js satisfies package.json's engines (major version).
    const base = instructions.find((i) => i.op === 'ARG' && i.args.startsWith('NODE_IMAGE='))?.args;
    const major = Number(/node:(\d+)/.exec(base ?? '')?.[1]);
    const minimum = Number(/>=\s*(\d+)/.exec(pkg.engines?.node ?? '')?.[1]);
    expect(major).toBeGreaterThanOrEqual(minimum);
  });

  it('copies only paths that exist and that .dockerignore lets through', () => {
    const ignore = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    /** The last matching rule wins; only the top-level forms used here (`*`, `name`, `name/`, `!...`). */
    const allowed = (file: string) => {
      let ok = true;
      for (const rule of ignore) {
        const negate = rule.startsWith('!');
        const pattern = rule.replace(/^!/, '').replace(/\/$/, '');
        if (pattern === '*' || pattern === file) ok = negate;
      }
      return ok;
    };
    const copies = instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const parts = copy.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const source of parts.slice(0, -1)) {
        expect([source, existsSync(path.join(ROOT, source))]).toEqual([source, true]);
        expect([source, allowed(source.replace(/^\.\//, '').replace(/\/$/, ''))]).toEqual([source, true]);
      }
    }
    // Secrets and local state never reach the build.
    for (const file of ['.env', '.data', 'node_modules', '.git']) expect([file, allowed(file)]).toEqual([file, false]);
    // Everything the compiled code imports at run time is copied into the build stage.
    const build = JSON.parse(read('tsconfig.build.json')) as { include: string[] };
    const copied = new Set(copies.filter((c) => c.stage === 'build').flatMap((c) => c.args.split(/\s+/).slice(0, -1)).map((s) => s.replace(/^\.\//, '')));
    expect(build.include.filter((dir) => !copied.has(dir))).toEqual([]);
  });

  it('compiles with tsconfig.build.json to the files each stage runs', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'ping-build-'));
    try {
      const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT, encoding: 'utf8' });
      expect(tsc.stdout + tsc.stderr).toBe('');
      expect(tsc.status).toBe(0);
      for (const target of ['api', 'worker', 'sandbox', 'inbox']) {
        const cmd = stageExec(target, 'CMD');
        expect(cmd[0]).toBe('node');
        const script = cmd.find((a) => a.startsWith('dist/'))!;
        expect([target, existsSync(path.join(out, script.replace(/^dist\//, '')))]).toEqual([target, true]);
        // The TypeScript it was compiled from is the entry point npm runs locally.
        expect(existsSync(path.join(ROOT, script.replace(/^dist\//, '').replace(/\.js$/, '.ts')))).toBe(true);
      }
      // The worker bundles the compiled workflows at start (createWorker's default workflowsPath).
      expect(existsSync(path.join(out, 'workflows', 'index.js'))).toBe(true);
      expect(existsSync(path.join(out, 'common', 'failureConverter.js'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it("runs the api stage's health check against the app: /healthz on API_PORT", async () => {
    const check = stageExec('api', 'HEALTHCHECK');
    expect(instructions.find((i) => i.stage === 'api' && i.op === 'EXPOSE')?.args).toBe(String(loadConfig({}).api.port));
    expect(instructions.find((i) => i.stage === 'api' && i.op === 'ENV')?.args).toBe('API_HOST=0.0.0.0');
    const api = await startApi();
    try {
      const port = new URL(api.url).port;
      expect(await runCheck(check, { API_PORT: port })).toBe(0);
      expect(await runCheck(check, { API_PORT: String(await freePort()) })).toBe(1);
    } finally {
      await api.stop();
    }
  });

  it("runs the worker stage's health check: its metrics listener, or with metrics off its process", async () => {
    const check = stageExec('worker', 'HEALTHCHECK');
    const metrics = await serveMetrics(createWorkerMetrics().registry, { host: '127.0.0.1', port: 0 });
    try {
      expect(await runCheck(check, { WORKER_METRICS_PORT: String(metrics.port) })).toBe(0);
    } finally {
      await metrics.close();
    }
    expect(await runCheck(check, { WORKER_METRICS_PORT: String(await freePort()) })).toBe(1);
    // Metrics off: alive while a process runs dist/worker/main.js (a stand-in here), not after.
    expect(await runCheck(check, { WORKER_METRICS_PORT: '0' })).toBe(1);
    const standIn: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)', 'dist/worker/main.js'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      expect(await runCheck(check, { WORKER_METRICS_PORT: '' })).toBe(0);
    } finally {
      standIn.kill();
    }
  });

  it("runs the sandbox and inbox stages' health checks against them", async () => {
    const sandbox = await startSandbox();
    try {
      expect(await runCheck(stageExec('sandbox', 'HEALTHCHECK'), { SANDBOX_PORT: new URL(sandbox.url).port })).toBe(0);
    } finally {
      await sandbox.stop();
    }
    expect(instructions.find((i) => i.stage === 'sandbox' && i.op === 'EXPOSE')?.args).toBe(String(loadConfig({}).sandbox.port));
    const inbox = await startInbox();
    try {
      expect(await runCheck(stageExec('inbox', 'HEALTHCHECK'), { INBOX_HTTP_PORT: new URL(inbox.inboxUrl).port })).toBe(0);
    } finally {
      await inbox.stop();
    }
  });
});

describe('health checks of the compose-only services', () => {
  it('checks the temporal server with the CLI its image ships, on its frontend port, and postgres with pg_isready', () => {
    const test = (name: string) => [service(name).healthcheck?.test ?? []].flat().join(' ');
    const frontendPort = /env "FRONTEND_GRPC_PORT" \| default "(\d+)"/.exec(read(SERVER_CONFIG))?.[1];
    expect(test('temporal')).toContain(`temporal operator cluster health --address 127.0.0.1:${frontendPort}`);
    expect(test('postgres')).toContain('pg_isready');
  });
});
