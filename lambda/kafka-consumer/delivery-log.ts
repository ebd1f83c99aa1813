/**
 * What the Kafka functions (the consumer and realtime-rows) log after delivering a plan: the messages kept under
 * the error prefix, and the lake writes that failed and are left to the mapping's retry.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { DeliveryOutcome } from './consume';
import { failureSample } from '../shared/failure-log';

/** A plan's partitions as far as their outcomes go: one per message, `failed` ones with their reason. */
export interface OutcomePartition {
  readonly partitionKey: string;
  readonly outcomes: readonly { readonly kind: string; readonly reason?: string; readonly detail?: string }[];
}

export function logDeliveryFailures(
  logger: Logger,
  partitions: readonly OutcomePartition[],
  delivery: Pick<DeliveryOutcome, 'writeFailures' | 'response'>,
  keptMessage: string,
): void {
  const failures = partitions.flatMap((p) =>
    p.outcomes.flatMap((o, index) =>
      o.kind === 'failed' ? [{ partitionKey: p.partitionKey, index, reason: o.reason, detail: o.detail }] : [],
    ),
  );
  if (failures.length > 0) logger.warn(keptMessage, failureSample(failures));
  if (delivery.writeFailures.length > 0) {
    logger.error('Lake writes failed; reported as batch item failures for the mapping to retry', {
      writeFailures: delivery.writeFailures,
      batchItemFailures: delivery.response.batchItemFailures,
    });
  }
}
