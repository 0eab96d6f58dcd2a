import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FAILURE_CONVERTER_PATH } from '../../common/payloadCodec';
import { PROJECT_CONVERTERS, projectWorkflowBundle, WORKFLOW_BUNDLE_DIR, workflowBundleKey } from '../../worker/workflowBundle';

// The first call may build the bundle (globalSetup usually has), which takes seconds of CPU.
jest.setTimeout(120_000);

describe('the workflow bundle cache', () => {
  it('keys the bundle by its inputs, converters included', async () => {
    const key = await workflowBundleKey(PROJECT_CONVERTERS);
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(await workflowBundleKey({ failureConverterPath: FAILURE_CONVERTER_PATH })).toBe(key);
    expect(await workflowBundleKey({})).not.toBe(key);
  });

  it('serves the bundle from dist/workflow-bundle/, built with the failure converter and listing what webpack read', async () => {
    await projectWorkflowBundle();
    const { bundle, from, key } = await projectWorkflowBundle();
    expect(from).toBe('cache');
    expect(WORKFLOW_BUNDLE_DIR).toBe(path.resolve(__dirname, '../../dist/workflow-bundle'));
    expect(bundle).toEqual({ codePath: path.join(WORKFLOW_BUNDLE_DIR, `${key}.js`) });
    const code = readFileSync(path.join(WORKFLOW_BUNDLE_DIR, `${key}.js`), 'utf8');
    // Failures raised in workflow code are encoded (and so encrypted) only if the converter is inside.
    expect(code).toContain('encodeCommonAttributes: true');
    const manifest = JSON.parse(readFileSync(path.join(WORKFLOW_BUNDLE_DIR, `${key}.json`), 'utf8')) as { key: string; inputs: Record<string, string> };
    expect(manifest.key).toBe(key);
    expect(Object.keys(manifest.inputs)).toEqual(expect.arrayContaining(['workflows/index.ts', 'common/failureConverter.ts']));
    for (const file of Object.keys(manifest.inputs)) expect([file, existsSync(path.resolve(__dirname, '../..', file))]).toEqual([file, true]);
  });
});
