/**
 * The bias/variance reading as the page shows it (both modes): the errors,
 * avoidable bias = train - optimal, variance = dev - train, the verdict and
 * the basic recipe's next step.
 */
import type { Reading } from '../diagnosis.js';
import { el, formatNumber, percent } from './dom.js';

export function verdictElements(r: Reading, testError: number | null): HTMLElement[] {
  if (r.kind === 'regression') {
    return [
      el('p', { text: `Train loss ${formatNumber(r.trainLoss)}, dev loss ${formatNumber(r.devLoss)}.` }),
      el('p', { class: 'hint', text: 'The course’s bias/variance verdict reads classification error; for regression compare the two losses: a high train loss is bias, a dev loss well above it is variance.' }),
    ];
  }
  if (r.kind === 'problem') return [el('p', { class: 'warn', text: r.message })];
  const d = r.diagnosis;
  return [
    el('p', { class: 'errors', text: `Errors: train ${percent(r.trainError)} · dev ${percent(r.devError)}${testError !== null ? ` · test ${percent(testError)}` : ''}` }),
    el('p', { text: `Avoidable bias = train − optimal = ${percent(r.trainError)} − ${percent(d.optimalError)} = ${percent(d.avoidableBias)}` }),
    el('p', { text: `Variance = dev − train = ${percent(r.devError)} − ${percent(r.trainError)} = ${percent(d.variance)}` }),
    el('p', { class: `verdict-line ${d.verdict.replace(/\s+/g, '-')}` }, el('strong', { text: 'Verdict: ' }), d.verdict),
    el('p', { class: 'next' }, el('strong', { text: 'Next step: ' }), d.advice[0] ?? ''),
  ];
}
