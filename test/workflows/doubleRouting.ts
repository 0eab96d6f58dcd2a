import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';

/** What a double learns of the attempt it answers: retries and local activities behave differently at Ping. */
export interface DoubleCall {
  attempt: number;
  local: boolean;
}

/**
 * One activity function per name, each handing the call to the test double of the workflow that made
 * it (the map is keyed by workflow id), so the cases of a suite share one worker without sharing
 * doubles. A workflow without a double fails its activity at once: a case that forgot one says so.
 */
export function routeToDoubles<D>(
  names: readonly string[],
  doubles: Map<string, D>,
  call: (double: D, name: string, args: never[], context: DoubleCall) => Promise<unknown>,
): Record<string, (...args: never[]) => Promise<unknown>> {
  return Object.fromEntries(
    names.map((name) => [
      name,
      async (...args: never[]) => {
        const { info } = Context.current();
        const workflowId = info.workflowExecution?.workflowId;
        const double = workflowId === undefined ? undefined : doubles.get(workflowId);
        if (!double) throw ApplicationFailure.nonRetryable(`No test double for workflow ${workflowId}`, 'NoTestDouble');
        return call(double, name, args, { attempt: info.attempt, local: info.isLocal });
      },
    ]),
  );
}
