import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import { HELD_LOGS_KEY, type HeldLogsScope } from './heldLogs';

/**
 * jest's node environment, plus: the logs a test file holds back (./heldLogs.ts) are printed when a
 * test or a hook fails, under its name, and dropped when it passes. They are printed through the
 * file's console so that they show with the file's result, not in the middle of another file's.
 */
export default class HeldLogsEnvironment extends TestEnvironment {
  private readonly held: string[] = [];

  override async setup(): Promise<void> {
    await super.setup();
    (this.global as unknown as HeldLogsScope)[HELD_LOGS_KEY] = this.held;
  }

  private release(what: string): void {
    const lines = this.held.splice(0);
    if (lines.length === 0) return;
    this.global.console.error(`Logs held back during ${what} (${lines.length} lines):\n${lines.join('\n')}`);
  }

  async handleTestEvent(event: Circus.Event, state: Circus.State): Promise<void> {
    switch (event.name) {
      case 'test_done':
        // What ran before this test (beforeAll, the previous test's afterEach) counts as its own.
        if (event.test.errors.length > 0) this.release(`the failed test "${fullName(event.test)}"`);
        else this.held.length = 0;
        break;
      case 'hook_failure':
        this.release(`the failed ${event.hook.type} hook${event.test ? ` of "${fullName(event.test)}"` : ''}`);
        break;
      case 'run_finish':
        if (state.unhandledErrors.length > 0) this.release('a run with unhandled errors');
        break;
      default:
        break;
    }
  }
}

function fullName(test: Circus.TestEntry): string {
  const names: string[] = [test.name];
  for (let block = test.parent; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
}
