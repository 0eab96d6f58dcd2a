import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cachedCliPath, ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_VERSION } from '../../scripts/temporalCli';

/** The lookup order, with real files: TEMPORAL_CLI_PATH, then PATH, then the tool cache. */
describe('Temporal CLI lookup', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'cli-lookup-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function executable(file: string, mode = 0o755): string {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\necho fake temporal\n');
    chmodSync(file, mode);
    return file;
  }

  const env = (extra: Record<string, string> = {}) => ({ PATH: path.join(root, 'empty-bin'), XDG_CACHE_HOME: path.join(root, 'cache'), ...extra });

  it('keeps the cache outside the clone, per pinned version', () => {
    expect(cachedCliPath(env())).toBe(path.join(root, 'cache', 'ping-orchestrator', 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal'));
  });

  it('prefers TEMPORAL_CLI_PATH over PATH and the cache', () => {
    const explicit = executable(path.join(root, 'explicit', 'temporal'));
    executable(path.join(root, 'bin', 'temporal'));
    executable(cachedCliPath(env()));
    expect(findTemporalCli(env({ TEMPORAL_CLI_PATH: explicit, PATH: path.join(root, 'bin') }))).toEqual({ source: 'TEMPORAL_CLI_PATH', path: explicit });
  });

  it('names TEMPORAL_CLI_PATH when it points at nothing usable', () => {
    const notExecutable = executable(path.join(root, 'plain', 'temporal'), 0o644);
    expect(() => findTemporalCli(env({ TEMPORAL_CLI_PATH: notExecutable }))).toThrow(/TEMPORAL_CLI_PATH is set to .* not an executable file/);
    expect(() => findTemporalCli(env({ TEMPORAL_CLI_PATH: path.join(root, 'missing') }))).toThrow(/TEMPORAL_CLI_PATH/);
  });

  it('uses `temporal` on PATH before the cache, skipping non-executables', () => {
    executable(path.join(root, 'first', 'temporal'), 0o644);
    const onPath = executable(path.join(root, 'second', 'temporal'));
    executable(cachedCliPath(env()));
    const PATH = [path.join(root, 'first'), path.join(root, 'second')].join(path.delimiter);
    expect(findTemporalCli(env({ PATH }))).toEqual({ source: 'PATH', path: onPath });
  });

  it('falls back to the tool cache', () => {
    const cached = executable(cachedCliPath(env()));
    expect(findTemporalCli(env())).toEqual({ source: 'cache', path: cached });
  });

  it('finds nothing, and says so, when building is off', async () => {
    expect(findTemporalCli(env())).toBeUndefined();
    await expect(ensureTemporalCli({ env: env(), allowBuild: false })).rejects.toThrow(/No Temporal CLI found/);
  });
});
