/**
 * The course's bias/variance reading of the live errors, from the library's
 * `diagnose`: avoidable bias = train - optimal, variance = dev - train, and
 * the basic recipe's next step.
 */
import { diagnose, type Diagnosis } from './lib.js';
import type { SetScores } from './protocol.js';

export type Reading = { kind: 'diagnosis'; trainError: number; devError: number; diagnosis: Diagnosis } | { kind: 'regression'; trainLoss: number; devLoss: number } | { kind: 'problem'; message: string };

export function readBiasVariance(s: { train: SetScores; dev: SetScores }, optimalPercent: number | null): Reading {
  if (s.train.error === null || s.dev.error === null) return { kind: 'regression', trainLoss: s.train.loss, devLoss: s.dev.loss };
  const optimalError = optimalPercent === null ? undefined : optimalPercent / 100;
  try {
    const diagnosis = diagnose({ trainError: s.train.error, devError: s.dev.error, optimalError });
    return { kind: 'diagnosis', trainError: s.train.error, devError: s.dev.error, diagnosis };
  } catch (e) {
    // diagnose refuses a training error below the optimal one; its message explains why.
    return { kind: 'problem', message: e instanceof Error ? e.message.replace(/^diagnose: /, '') : String(e) };
  }
}
