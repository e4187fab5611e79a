/**
 * @roamhq/wrtc keeps native threads that stop a finished Node process from
 * exiting (and may crash it in teardown), whatever is closed first. Files
 * that use it call this: once their tests are done and reported, the
 * process exits explicitly, with the exit code node:test chose.
 */
import { after } from 'node:test';

export function exitWhenDone(): void {
  after(() => {
    setTimeout(() => process.exit(), 300);
  });
}
