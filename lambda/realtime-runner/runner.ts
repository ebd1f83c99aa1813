/**
 * Starts and stops the stream analytics application (Amazon Managed Service for Apache Flink) for a CDK
 * `custom_resources.Provider`: onEvent begins the change, isComplete (called every 30 s) reports when the
 * application got there. CloudFormation creates an `AWS::KinesisAnalyticsV2::Application` READY and never
 * starts it ("After creating an application, you must exclusively call this operation to start your
 * application", https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_StartApplication.html).
 *
 * - Create: StartApplication; complete when RUNNING. An application already STARTING or RUNNING is left as it is;
 *   one UPDATING, AUTOSCALING or in MAINTENANCE is started by isComplete once it is READY, or left if it runs.
 * - Update: only a new application name (CloudFormation replaced the application) starts the new one; any other
 *   change of the application CloudFormation makes on the running application itself.
 * - Delete: StopApplication with Force false, which takes a snapshot first; complete when READY. An application
 *   already READY, being deleted or gone is done. One STARTING, UPDATING or AUTOSCALING (no snapshot can be taken
 *   there), or a stop not done after FORCE_STOP_AFTER_MS, is stopped with Force true, so a rollback of a start
 *   that hangs does not hang too.
 *
 * No AWS call here is made directly: `Msf` is the four calls, with the SDK's own request and response shapes.
 */
import type {
  DescribeApplicationCommandInput,
  DescribeApplicationCommandOutput,
  ListApplicationSnapshotsCommandInput,
  ListApplicationSnapshotsCommandOutput,
  StartApplicationCommandInput,
  StopApplicationCommandInput,
} from '@aws-sdk/client-kinesis-analytics-v2';

/** The Managed Service for Apache Flink calls the runner makes (index.ts sends them with the SDK client). */
export interface Msf {
  describeApplication(input: DescribeApplicationCommandInput): Promise<Pick<DescribeApplicationCommandOutput, 'ApplicationDetail'>>;
  listApplicationSnapshots(
    input: ListApplicationSnapshotsCommandInput,
  ): Promise<Pick<ListApplicationSnapshotsCommandOutput, 'SnapshotSummaries' | 'NextToken'>>;
  startApplication(input: StartApplicationCommandInput): Promise<unknown>;
  stopApplication(input: StopApplicationCommandInput): Promise<unknown>;
}

/** What the runner's resource is given: the application's name and, for the messages, its log group. */
export interface RunnerProperties {
  readonly applicationName: string;
  readonly logGroupName?: string;
}

/**
 * What onEvent started, handed to every isComplete call (the Provider passes onEvent's extra fields on):
 * `start-when-ready` is a start onEvent could not make yet, the application being in a change of its own.
 */
export type RunnerOperation = 'start' | 'start-when-ready' | 'stop' | 'none';

/** The Provider's onEvent request, as much of it as the runner reads. */
export interface OnEventRequest {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
}

export interface OnEventResponse {
  readonly PhysicalResourceId: string;
  readonly RunnerOperation: RunnerOperation;
  /** Epoch milliseconds of onEvent: isComplete measures its window from here. */
  readonly RunnerStartedAt: number;
}

export type IsCompleteRequest = OnEventRequest & Partial<OnEventResponse>;

export interface IsCompleteResponse {
  readonly IsComplete: boolean;
}

/** The Provider's isComplete interval and total timeout (lib/constructs/realtime/application-runner.ts). */
export const QUERY_INTERVAL_SECONDS = 30;
export const TOTAL_TIMEOUT_MINUTES = 30;
/**
 * The runner's own window, a few polls inside the Provider's total timeout: past it, isComplete fails with the
 * application's name, status and what to do, rather than the framework's bare "Operation timed out".
 */
export const WINDOW_MS = (TOTAL_TIMEOUT_MINUTES - 3) * 60_000;
/**
 * A start may not show in DescribeApplication at once: READY this soon after StartApplication is waited on;
 * READY later means the start failed and MSF put the application back.
 */
export const START_GRACE_MS = 2 * 60_000;
/**
 * A start left to isComplete (`start-when-ready`) is made from READY up to this long after onEvent; a READY after it
 * means the start failed (or the change never settled), so the runner stops trying.
 */
export const PENDING_START_MS = 10 * 60_000;
/** A stop without force not done after this long is made again with force (it may be stuck on its snapshot). */
export const FORCE_STOP_AFTER_MS = 10 * 60_000;

/** An application name as MSF accepts it (StartApplication's ApplicationName: 1-128 of [a-zA-Z0-9_.-]). */
const APPLICATION_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

/** On the way to RUNNING: a start waits it out. */
const STARTING = 'STARTING';
/** A change under way, from READY or from RUNNING: a start waits to see which (it may end READY). */
const IN_A_CHANGE = new Set(['UPDATING', 'AUTOSCALING', 'MAINTENANCE']);
/**
 * Statuses StopApplication stops only with Force true; without it, only RUNNING ("StopApplication",
 * https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_StopApplication.html: force "from STARTING,
 * UPDATING, STOPPING, AUTOSCALING, or RUNNING").
 */
const FORCE_ONLY = new Set(['STARTING', 'UPDATING', 'AUTOSCALING']);

/** Thrown for a resource whose properties cannot be used; the message says which property and what it must be. */
export class RunnerPropertiesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerPropertiesError';
  }
}

/** Thrown when the application is not where the operation needs it; the message names it, its status and what to do. */
export class RunnerStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunnerStateError';
  }
}

/** The resource's properties, or a RunnerPropertiesError naming what is wrong. */
export function runnerProperties(properties: Record<string, unknown> | undefined): RunnerProperties {
  const name = properties?.ApplicationName;
  if (typeof name !== 'string' || !APPLICATION_NAME.test(name)) {
    throw new RunnerPropertiesError(
      `ResourceProperties.ApplicationName must be a Managed Service for Apache Flink application name, 1-128 of [a-zA-Z0-9_.-] (got ${JSON.stringify(name)})`,
    );
  }
  const logGroupName = properties?.LogGroupName;
  if (logGroupName !== undefined && (typeof logGroupName !== 'string' || logGroupName.length === 0)) {
    throw new RunnerPropertiesError(
      `ResourceProperties.LogGroupName must be a log group name when set (got ${JSON.stringify(logGroupName)})`,
    );
  }
  return { applicationName: name, logGroupName };
}

/** ResourceNotFoundException by name, as the SDK's service exceptions carry it. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'ResourceNotFoundException';
}

interface ApplicationState {
  readonly status: string;
  readonly snapshotsEnabled: boolean;
}

/** The application's status and whether snapshots are on; undefined when it does not exist. */
async function describe(msf: Msf, applicationName: string): Promise<ApplicationState | undefined> {
  try {
    const { ApplicationDetail: detail } = await msf.describeApplication({ ApplicationName: applicationName });
    if (!detail?.ApplicationStatus) throw new Error(`DescribeApplication returned no status for application ${applicationName}`);
    return {
      status: detail.ApplicationStatus,
      snapshotsEnabled: detail.ApplicationConfigurationDescription?.ApplicationSnapshotConfigurationDescription?.SnapshotsEnabled === true,
    };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * The restore of a start: from the latest snapshot when snapshots are on and one is READY, else none.
 * ApplicationRestoreType is SKIP_RESTORE_FROM_SNAPSHOT, RESTORE_FROM_LATEST_SNAPSHOT or RESTORE_FROM_CUSTOM_SNAPSHOT
 * ("ApplicationRestoreConfiguration", https://docs.aws.amazon.com/managed-flink/latest/apiv2/API_ApplicationRestoreConfiguration.html);
 * the latest snapshot is asked for only when there is one, so a new application (none yet) starts empty.
 */
export async function restoreTypeFor(
  msf: Msf,
  applicationName: string,
  snapshotsEnabled: boolean,
): Promise<'RESTORE_FROM_LATEST_SNAPSHOT' | 'SKIP_RESTORE_FROM_SNAPSHOT'> {
  if (!snapshotsEnabled) return 'SKIP_RESTORE_FROM_SNAPSHOT';
  let nextToken: string | undefined;
  do {
    const page = await msf.listApplicationSnapshots({ ApplicationName: applicationName, Limit: 50, NextToken: nextToken });
    if ((page.SnapshotSummaries ?? []).some((snapshot) => snapshot.SnapshotStatus === 'READY')) return 'RESTORE_FROM_LATEST_SNAPSHOT';
    nextToken = page.NextToken;
  } while (nextToken);
  return 'SKIP_RESTORE_FROM_SNAPSHOT';
}

function logsHint(props: RunnerProperties): string {
  return props.logGroupName ? `its log group ${props.logGroupName}` : 'its CloudWatch log group';
}

/**
 * Starts the application unless it is already on its way to RUNNING; refuses a status it cannot start from.
 * Resolves to `start`, or `start-when-ready` for an application in a change of its own (IN_A_CHANGE).
 */
async function beginStart(msf: Msf, props: RunnerProperties): Promise<'start' | 'start-when-ready'> {
  const name = props.applicationName;
  const state = await describe(msf, name);
  if (state === undefined) {
    throw new RunnerStateError(
      `application ${name} does not exist, so it cannot be started: check that the stack's AWS::KinesisAnalyticsV2::Application was created and not deleted outside CloudFormation`,
    );
  }
  if (state.status === 'RUNNING' || state.status === STARTING) return 'start';
  if (IN_A_CHANGE.has(state.status)) return 'start-when-ready';
  if (state.status !== 'READY') {
    throw new RunnerStateError(
      `application ${name} is ${state.status}, and only a READY application can be started: wait until it is READY (aws kinesisanalyticsv2 describe-application --application-name ${name}), then deploy again`,
    );
  }
  const restoreType = await restoreTypeFor(msf, name, state.snapshotsEnabled);
  try {
    await msf.startApplication({
      ApplicationName: name,
      RunConfiguration: { ApplicationRestoreConfiguration: { ApplicationRestoreType: restoreType } },
    });
  } catch (error) {
    // Started meanwhile by someone else: isComplete waits for RUNNING as it would have.
    if (error instanceof Error && error.name === 'ResourceInUseException') return 'start';
    throw error;
  }
  return 'start';
}

/**
 * Moves a stop on, `elapsed` ms after onEvent: a RUNNING application is stopped with Force false (MSF takes a
 * snapshot first); one STARTING, UPDATING or AUTOSCALING, or RUNNING or STOPPING after FORCE_STOP_AFTER_MS, with
 * Force true. MAINTENANCE is waited out (no stop is allowed there).
 */
async function moveStop(msf: Msf, name: string, elapsed: number): Promise<ApplicationState | undefined> {
  const state = await describe(msf, name);
  if (state === undefined) return undefined;
  const late = elapsed >= FORCE_STOP_AFTER_MS;
  const force = FORCE_ONLY.has(state.status) || (late && (state.status === 'RUNNING' || state.status === 'STOPPING'));
  if (!force && state.status !== 'RUNNING') return state;
  try {
    await msf.stopApplication({ ApplicationName: name, Force: force });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    if (!(error instanceof Error && error.name === 'ResourceInUseException')) throw error;
  }
  return { ...state, status: 'STOPPING' };
}

/** A Delete is done once the application is READY, being deleted, or gone. */
function stopped(state: ApplicationState | undefined): boolean {
  return state === undefined || state.status === 'READY' || state.status === 'DELETING';
}

/** The Provider's onEvent: begins the start or the stop and says which, for isComplete. */
export async function onEvent(msf: Msf, event: OnEventRequest, now: number): Promise<OnEventResponse> {
  if (!['Create', 'Update', 'Delete'].includes(event.RequestType)) {
    throw new RunnerPropertiesError(`RequestType must be Create, Update or Delete (got ${JSON.stringify(event.RequestType)})`);
  }
  const props = runnerProperties(event.ResourceProperties);
  // Stable for the stack's resource: an application replaced on Update is not a new runner (CloudFormation
  // deletes the old application itself), so no Delete reaches the old one.
  const physicalId = event.PhysicalResourceId ?? `realtime-runner:${event.LogicalResourceId}`;
  const respond = (operation: RunnerOperation): OnEventResponse => ({
    PhysicalResourceId: physicalId,
    RunnerOperation: operation,
    RunnerStartedAt: now,
  });

  if (event.RequestType === 'Delete') {
    return respond(stopped(await moveStop(msf, props.applicationName, 0)) ? 'none' : 'stop');
  }
  if (event.RequestType === 'Update') {
    const oldName = event.OldResourceProperties?.ApplicationName;
    if (oldName === props.applicationName) return respond('none');
  }
  return respond(await beginStart(msf, props));
}

/** The Provider's isComplete: whether the application got where onEvent sent it; a clear failure when it cannot. */
export async function isComplete(msf: Msf, event: IsCompleteRequest, now: number): Promise<IsCompleteResponse> {
  const props = runnerProperties(event.ResourceProperties);
  const operation = event.RunnerOperation;
  if (operation === 'none') return { IsComplete: true };
  if (operation !== 'start' && operation !== 'start-when-ready' && operation !== 'stop') {
    throw new RunnerPropertiesError(
      `RunnerOperation must be start, start-when-ready, stop or none, as onEvent returns it (got ${JSON.stringify(operation)})`,
    );
  }
  if (typeof event.RunnerStartedAt !== 'number') {
    throw new RunnerPropertiesError(
      `RunnerStartedAt must be onEvent's time in epoch milliseconds (got ${JSON.stringify(event.RunnerStartedAt)})`,
    );
  }
  const name = props.applicationName;
  const elapsed = now - event.RunnerStartedAt;
  const minutes = Math.round(WINDOW_MS / 60_000);

  if (operation === 'stop') {
    const state = await moveStop(msf, name, elapsed);
    if (stopped(state)) return { IsComplete: true };
    if (elapsed < WINDOW_MS) return { IsComplete: false };
    throw new RunnerStateError(
      `application ${name} did not stop within ${minutes} minutes (status ${state?.status}), with force after ${Math.round(FORCE_STOP_AFTER_MS / 60_000)}; ` +
        `see ${logsHint(props)}. aws kinesisanalyticsv2 describe-application --application-name ${name} shows where it is; ` +
        'wait for READY, then delete the stack again',
    );
  }

  const state = await describe(msf, name);
  if (operation === 'start-when-ready' && state?.status === 'READY' && elapsed < PENDING_START_MS) {
    // The change onEvent saw has settled READY: start now, and wait for RUNNING as after onEvent's start.
    await beginStart(msf, props);
    return { IsComplete: false };
  }
  if (state === undefined) {
    throw new RunnerStateError(
      `application ${name} disappeared while starting: it was deleted outside CloudFormation; deploy again to recreate it`,
    );
  }
  if (state.status === 'RUNNING') return { IsComplete: true };
  const tooLate = elapsed >= WINDOW_MS;
  const goingToRun = state.status === STARTING || IN_A_CHANGE.has(state.status);
  if (goingToRun && !tooLate) return { IsComplete: false };
  if (state.status === 'READY' && elapsed < START_GRACE_MS) return { IsComplete: false };
  if (state.status === 'READY') {
    throw new RunnerStateError(
      `application ${name} went back to READY after StartApplication: its start failed. See ${logsHint(props)} for the job's error, fix it, then deploy again`,
    );
  }
  if (goingToRun) {
    throw new RunnerStateError(
      `application ${name} did not reach RUNNING within ${minutes} minutes (status ${state.status}). See ${logsHint(props)}; ` +
        `aws kinesisanalyticsv2 describe-application --application-name ${name} shows where it is. Deploy again once it is RUNNING or READY`,
    );
  }
  throw new RunnerStateError(
    `application ${name} is ${state.status} while starting, so it will not reach RUNNING: see ${logsHint(props)}, wait until it is READY, then deploy again`,
  );
}
