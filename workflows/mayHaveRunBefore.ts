import { workflowInfo } from '@temporalio/workflow';

/**
 * Whether a create run as a local activity must first look for what an earlier run made. A local
 * activity's result reaches history only with its workflow task, so after a crash the task runs
 * again and the activity with it, at attempt 1. The first attempt of the first task (history:
 * started, task scheduled, task started) is the one run that cannot have made anything before;
 * anything else looks first. Only the activity's argument depends on this, never which commands the
 * workflow issues, so replay is safe.
 */
export function mayHaveRunBefore(): boolean {
  const info = workflowInfo();
  return info.unsafe.isReplaying || info.historyLength > 3;
}
