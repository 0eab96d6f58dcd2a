import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type BundleOptions, type Logger, type WorkerOptions } from '@temporalio/worker';
import { FAILURE_CONVERTER_PATH } from '../common/payloadCodec';

/**
 * The workflow code as one webpack bundle, built once and kept by content. Bundling takes seconds of
 * CPU, which a worker used to spend at every start (Worker.create with workflowsPath): after a crash
 * it could not poll again for several seconds. Now a worker reads a file and polls within about a
 * second; only a change to what goes into the bundle costs a new build.
 *
 * The cache is dist/workflow-bundle/ (git-ignored): `<key>.js` is the bundle, `<key>.json` lists every
 * file webpack read for it with its hash. The key covers every file under workflows/ and domain/ (so a file
 * added there, imported or not, always misses), the converter modules bundled into the sandbox and
 * the versions of the SDK packages that bundle or are bundled. On a hit, every other file the last
 * build read (a value imported from elsewhere in the repository, the SDK's and other packages' files,
 * package.json) must still hash the same, or it is built again.
 *
 * Run from source (tsx, jest) the files are the TypeScript ones; compiled (the image) they are those
 * of dist/. worker/buildWorkflowBundle.ts fills the cache ahead of the worker: in the Dockerfile's
 * build stage, and before `npm run worker`.
 */

/** The tree this module runs from: the project root from source, dist/ when compiled. */
const ROOT = path.resolve(__dirname, '..');
const COMPILED = !__filename.endsWith('.ts');
/** dist/workflow-bundle/ both ways: next to the compiled code in the image, git-ignored from source. */
export const WORKFLOW_BUNDLE_DIR = COMPILED ? path.join(ROOT, 'workflow-bundle') : path.join(ROOT, 'dist', 'workflow-bundle');
export const WORKFLOWS_PATH = require.resolve('../workflows');

/** Every file under these is part of the key. */
const KEYED_DIRS = ['workflows', 'domain'];
/** The bundler and what it bundles from the SDK; other modules it reads are checked by content. */
const SDK_PACKAGES = ['@temporalio/worker', '@temporalio/workflow', '@temporalio/common'];
/** Bumped when the way we bundle changes (the options below), which no input file shows. */
const FORMAT = 1;
/** Entries kept; older ones are removed after a build (every edit of a workflow makes one). */
const KEEP = 8;

export interface WorkflowConverters {
  /** As in the worker's DataConverter: bundled into the workflow sandbox. */
  failureConverterPath?: string;
  payloadConverterPath?: string;
}

/** The converters of every worker of this project (`dataConverterFor` in common/payloadCodec). */
export const PROJECT_CONVERTERS: WorkflowConverters = { failureConverterPath: FAILURE_CONVERTER_PATH };

export interface ProjectWorkflowBundle {
  /** For `WorkerOptions.workflowBundle`. */
  bundle: NonNullable<WorkerOptions['workflowBundle']>;
  from: 'cache' | 'build';
  key: string;
  ms: number;
  /** Why a fresh build is only in memory (e.g. a read-only dist/ in the image); undefined if cached. */
  notCached?: string;
}

interface Manifest {
  key: string;
  /** Path relative to ROOT → sha256 of its content: every file the build read. */
  inputs: Record<string, string>;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

async function sdkVersion(pkg: string): Promise<string> {
  const manifest = JSON.parse(await readFile(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string };
  return manifest.version;
}

/** The key of the bundle the current files would make, with the converters given. */
export async function workflowBundleKey(converters: WorkflowConverters = PROJECT_CONVERTERS): Promise<string> {
  const lines = [`format ${FORMAT}`];
  for (const dir of KEYED_DIRS) {
    for (const file of await filesUnder(path.join(ROOT, dir))) lines.push(`${relative(file)} ${sha256(await readFile(file))}`);
  }
  for (const [name, file] of Object.entries(converters)) {
    if (file) lines.push(`${name} ${relative(file)} ${sha256(await readFile(file))}`);
  }
  for (const pkg of SDK_PACKAGES) lines.push(`${pkg} ${await sdkVersion(pkg)}`);
  return sha256(lines.join('\n')).slice(0, 32);
}

const inKeyedDir = (rel: string) => KEYED_DIRS.some((dir) => rel.startsWith(`${dir}/`));

async function unchanged(inputs: Record<string, string>): Promise<boolean> {
  const checks = Object.entries(inputs)
    .filter(([rel]) => !inKeyedDir(rel)) // already in the key
    .map(async ([rel, hash]) => {
      const content = await readFile(path.join(ROOT, rel)).catch(() => undefined);
      return content !== undefined && sha256(content) === hash;
    });
  return (await Promise.all(checks)).every(Boolean);
}

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** Builds the bundle and lists every file webpack read for it (its own file dependencies), hashed. */
async function build(converters: WorkflowConverters, logger: Logger): Promise<{ code: string; inputs: Record<string, string> }> {
  const read = new Set<string>();
  const recordInputs = (config: WebpackConfig): WebpackConfig => ({
    ...config,
    plugins: [
      ...(config.plugins ?? []),
      (compiler) => {
        compiler.hooks.done.tap('record-workflow-bundle-inputs', (stats) => {
          for (const file of stats.compilation.fileDependencies) read.add(file);
        });
      },
    ],
  });
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...converters, logger, webpackConfigHook: recordInputs });
  const hashed = await Promise.all(
    [...read].sort().map(async (file) => {
      // The generated entry lives in webpack's memory, not on disk; directories are not inputs.
      const content = await readFile(file).catch(() => undefined);
      return content ? [[relative(file), sha256(content)] as const] : [];
    }),
  );
  return { code, inputs: Object.fromEntries(hashed.flat()) };
}

async function writeAtomically(file: string, data: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, file);
}

async function pruneCache(keep: string): Promise<void> {
  const entries = await Promise.all(
    (await readdir(WORKFLOW_BUNDLE_DIR))
      .filter((name) => name.endsWith('.json'))
      .map(async (name) => ({ key: name.slice(0, -'.json'.length), mtimeMs: (await stat(path.join(WORKFLOW_BUNDLE_DIR, name))).mtimeMs })),
  );
  const old = entries.filter((e) => e.key !== keep).sort((a, b) => b.mtimeMs - a.mtimeMs).slice(KEEP - 1);
  for (const { key } of old) {
    // Manifest first: without it the entry is a miss, never a half-deleted hit.
    await rm(path.join(WORKFLOW_BUNDLE_DIR, `${key}.json`), { force: true });
    await rm(path.join(WORKFLOW_BUNDLE_DIR, `${key}.js`), { force: true });
  }
}

async function resolve(key: string, converters: WorkflowConverters, logger: Logger, started: number): Promise<ProjectWorkflowBundle> {
  const codePath = path.join(WORKFLOW_BUNDLE_DIR, `${key}.js`);
  const manifestPath = path.join(WORKFLOW_BUNDLE_DIR, `${key}.json`);
  const manifest = await readFile(manifestPath, 'utf8').then((text) => JSON.parse(text) as Manifest, () => undefined);
  const codeExists = await stat(codePath).then(() => true, () => false);
  if (manifest?.key === key && codeExists && (await unchanged(manifest.inputs))) {
    // Most recently used, so pruning keeps it (fails harmlessly on a read-only dist/).
    const now = new Date();
    await utimes(manifestPath, now, now).catch(() => undefined);
    return { bundle: { codePath }, from: 'cache', key, ms: Date.now() - started };
  }
  const { code, inputs } = await build(converters, logger);
  try {
    if (!Object.keys(inputs).some(inKeyedDir)) throw new Error('webpack reported none of the workflow files as read');
    await mkdir(WORKFLOW_BUNDLE_DIR, { recursive: true });
    // The code before its manifest: a reader that finds the manifest finds the code.
    await writeAtomically(codePath, code);
    await writeAtomically(manifestPath, `${JSON.stringify({ key, inputs } satisfies Manifest, null, 1)}\n`);
    await pruneCache(key).catch(() => undefined);
    return { bundle: { codePath }, from: 'build', key, ms: Date.now() - started };
  } catch (err) {
    return { bundle: { code }, from: 'build', key, ms: Date.now() - started, notCached: err instanceof Error ? err.message : String(err) };
  }
}

/** One build per key per process, however many workers start at once. */
const pending = new Map<string, Promise<ProjectWorkflowBundle>>();

/**
 * This project's workflows (workflows/index) as a bundle for `WorkerOptions.workflowBundle`, from the
 * cache or built (and cached) now. Pass the converters of the worker's DataConverter: they are
 * compiled into the sandbox, so a bundle made without the failure converter would leave failures
 * raised in workflow code in plain text.
 */
export async function projectWorkflowBundle(options: WorkflowConverters & { logger?: Logger } = PROJECT_CONVERTERS): Promise<ProjectWorkflowBundle> {
  const started = Date.now();
  const converters: WorkflowConverters = { failureConverterPath: options.failureConverterPath, payloadConverterPath: options.payloadConverterPath };
  const key = await workflowBundleKey(converters);
  let result = pending.get(key);
  if (!result) {
    result = resolve(key, converters, options.logger ?? new DefaultLogger('WARN'), started);
    pending.set(key, result);
    // A failed build (workflow code that does not compile) is tried again by the next caller.
    result.catch(() => pending.delete(key));
  }
  return result;
}
