/**
 * The alarm table of docs/operations.md, rendered from the runbook and each stage's thresholds, so the table cannot
 * drift from what is deployed (test/docs.test.ts compares; `npm run docs` rewrites it). No CDK here.
 */
import type { AlarmThresholds } from './monitoring-config';
import { RUNBOOK, type AlarmId } from './runbook';

/** The firing condition of each alarm in words, from a stage's thresholds. */
export function alarmCondition(id: AlarmId, t: AlarmThresholds): string {
  switch (id) {
    case 'agentSilent':
      return `no record for ${t.agentSilentMinutes} min`;
    case 'streamWriteThrottles':
      return `> ${t.streamWriteThrottles} throttled writes / 5 min`;
    case 'iteratorAge':
      return `> ${t.iteratorAgeSeconds} s behind for 10 min`;
    case 'transformErrors':
      return `> ${t.transformErrors} errors / 5 min`;
    case 'processingFailedShare':
      return `> ${t.processingFailedPercent}% of records / 5 min`;
    case 'dataFreshness':
      return `oldest record > ${t.dataFreshnessSeconds} s`;
    case 'glueJobFailed':
      return 'any failed run';
    case 'glueQuarantineShare':
      return `> ${t.glueQuarantinePercent}% of a run's lines`;
    case 'kafkaDiskUsed':
      return `a broker > ${t.kafkaDiskUsedPercent}% disk`;
    case 'kafkaUnderReplicated':
      return '> 0 for 15 min';
    case 'kafkaOffsetLag':
      return `> ${t.kafkaOffsetLag} messages for 15 min`;
    case 'kafkaConsumerErrors':
      return `> ${t.kafkaConsumerErrors} errors / 5 min`;
    case 'kafkaOnFailure':
      return 'any record sent or dropped';
    case 'realtimeShare5xx':
      return `an app's minute > ${percent(t.realtimeShare5xx)} 5xx`;
    case 'realtimeErrorBurst':
      return 'any new burst / 5 min';
    case 'realtimeDowntime':
      return 'downtime > 0 in a minute';
    case 'realtimeFailedCheckpoints':
      return 'any failed checkpoint / 5 min';
  }
}

/** A share (0 to 1) as a percentage, without binary-fraction noise: 0.07 → 7%. */
export function percent(share: number): string {
  return `${Number((share * 100).toFixed(4))}%`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** A Markdown table: alarm, dev and prod conditions, missing data, meaning and what to do. */
export function renderAlarmTable(stages: Readonly<Record<string, AlarmThresholds>>): string {
  const names = Object.keys(stages);
  const lines = [
    `| alarm | ${names.map((n) => `fires when (${n})`).join(' | ')} | missing data | means | what to do |`,
    `|---|${names.map(() => '---|').join('')}---|---|---|`,
  ];
  for (const id of Object.keys(RUNBOOK) as AlarmId[]) {
    const entry = RUNBOOK[id];
    const conditions = names.map((n) => cell(alarmCondition(id, stages[n])));
    lines.push(
      `| **${entry.title}** | ${conditions.join(' | ')} | ${entry.treatMissingData}: ${cell(entry.missingDataReason)} | ${cell(entry.means)} | ${cell(entry.todo)} |`,
    );
  }
  return lines.join('\n');
}
