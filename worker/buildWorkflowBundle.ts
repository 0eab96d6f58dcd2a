import { projectWorkflowBundle, WORKFLOW_BUNDLE_DIR } from './workflowBundle';

/**
 * Builds the workflow bundle into its cache (worker/workflowBundle.ts) ahead of the worker, so the
 * worker's first start is as quick as its restarts: before `npm run worker` (and as
 * `npm run build:workflows`) from source, `node dist/worker/buildWorkflowBundle.js` in the image's
 * build stage. A hit costs milliseconds and prints nothing, so `npm run worker`'s own output (a bad
 * variable's one line, test/integration/npmStart.test.ts) stays its own. Exits 1 if the workflow
 * code does not bundle.
 */
projectWorkflowBundle().then(
  ({ from, key, ms, notCached }) => {
    if (notCached) {
      process.stderr.write(`workflow bundle ${key} built in ${ms} ms but not written to ${WORKFLOW_BUNDLE_DIR}: ${notCached}\n`);
      process.exit(1);
    }
    if (from === 'build') process.stdout.write(`workflow bundle ${key} built in ${ms} ms (${WORKFLOW_BUNDLE_DIR})\n`);
  },
  (err: unknown) => {
    process.stderr.write(`workflow bundle failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
