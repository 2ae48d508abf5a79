import { metrics } from './metrics';

/**
 * Busy answers (a command still contended after every retry) write nothing, so only the process
 * that gave them knows: this instance's count since it started, summed over command types. Each
 * instance of a cluster counts its own (`idem_commands_total{outcome="busy"}`).
 */
export async function busyAnswersHere(): Promise<number> {
  const { values } = await metrics().commands.get();
  return values.filter((v) => v.labels.outcome === 'busy').reduce((sum, v) => sum + v.value, 0);
}
