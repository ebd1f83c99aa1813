/**
 * The realtime runner (lambda/realtime-runner/runner.ts) driven as aws-cdk-lib's Provider framework drives it:
 * onEvent once, then isComplete at once and every 30 s until it answers true, throws, or 30 minutes pass.
 *
 * Managed Service for Apache Flink here is an in-memory fake of the four calls the runner makes, with the status
 * machine the API documents: READY → STARTING → RUNNING on StartApplication (only from READY), RUNNING → STOPPING →
 * READY on StopApplication without Force (only from RUNNING, taking a snapshot when snapshots are on), → READY with
 * Force (from STARTING, UPDATING, STOPPING, AUTOSCALING or RUNNING, no snapshot), and the SDK's own
 * ResourceNotFoundException / ResourceInUseException. A fake is the only option: the AWS API emulator moto
 * has `kinesisanalyticsv2` without StartApplication or StopApplication, and no emulator runs a Flink job.
 */
import {
  ResourceInUseException,
  ResourceNotFoundException,
  type DescribeApplicationCommandInput,
  type ListApplicationSnapshotsCommandInput,
  type StartApplicationCommandInput,
  type StopApplicationCommandInput,
} from '@aws-sdk/client-kinesis-analytics-v2';
import type { Context } from 'aws-lambda';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleFunction } from '../../lib/lambda-bundling';
import {
  isComplete,
  onEvent,
  QUERY_INTERVAL_SECONDS,
  START_GRACE_MS,
  TOTAL_TIMEOUT_MINUTES,
  WINDOW_MS,
  type Msf,
  type OnEventRequest,
} from '../../lambda/realtime-runner/runner';

interface FakeApplication {
  status: string;
  snapshotsEnabled: boolean;
  snapshots: Array<{ SnapshotName: string; SnapshotStatus: 'READY' | 'CREATING' | 'FAILED'; ApplicationVersionId: number }>;
  /** When the current transition (STARTING, STOPPING) ends, and in which status. */
  transition?: { at: number; to: string; forced?: boolean };
}

/** The MSF status machine over a clock the test moves. */
class FakeMsf implements Msf {
  now = 0;
  readonly apps = new Map<string, FakeApplication>();
  readonly calls: Array<{ op: string; input: unknown }> = [];
  /** How long a start and a stop take, and what a start ends in (READY: the job failed to start). */
  startMs = 90_000;
  stopMs = 120_000;
  forceStopMs = 30_000;
  startEndsIn = 'RUNNING';

  add(name: string, app: Partial<FakeApplication> = {}): FakeApplication {
    const created: FakeApplication = { status: 'READY', snapshotsEnabled: true, snapshots: [], ...app };
    this.apps.set(name, created);
    return created;
  }

  private app(name: string | undefined): FakeApplication {
    const app = name === undefined ? undefined : this.apps.get(name);
    if (!app) throw new ResourceNotFoundException({ message: `Application ${name} not found`, $metadata: {} });
    if (app.transition && this.now >= app.transition.at) {
      if (app.status === 'STOPPING' && app.snapshotsEnabled && !app.transition.forced) {
        app.snapshots.push({ SnapshotName: `stop-${app.transition.at}`, SnapshotStatus: 'READY', ApplicationVersionId: 1 });
      }
      app.status = app.transition.to;
      app.transition = undefined;
    }
    return app;
  }

  async describeApplication(input: DescribeApplicationCommandInput) {
    this.calls.push({ op: 'DescribeApplication', input });
    const app = this.app(input.ApplicationName);
    return {
      ApplicationDetail: {
        ApplicationARN: `arn:aws:kinesisanalytics:eu-west-1:123456789012:application/${input.ApplicationName}`,
        ApplicationName: input.ApplicationName,
        ApplicationStatus: app.status as 'READY',
        ApplicationVersionId: 1,
        RuntimeEnvironment: 'FLINK-2_2' as const,
        ApplicationConfigurationDescription: { ApplicationSnapshotConfigurationDescription: { SnapshotsEnabled: app.snapshotsEnabled } },
      },
    };
  }

  async listApplicationSnapshots(input: ListApplicationSnapshotsCommandInput) {
    this.calls.push({ op: 'ListApplicationSnapshots', input });
    const app = this.app(input.ApplicationName);
    // One snapshot a page, so the runner's paging is exercised.
    const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
    const page = app.snapshots.slice(start, start + 1);
    return { SnapshotSummaries: page, NextToken: start + 1 < app.snapshots.length ? String(start + 1) : undefined };
  }

  async startApplication(input: StartApplicationCommandInput) {
    this.calls.push({ op: 'StartApplication', input });
    const app = this.app(input.ApplicationName);
    if (app.status !== 'READY') throw new ResourceInUseException({ message: `Application is in ${app.status} status`, $metadata: {} });
    app.status = 'STARTING';
    app.transition = { at: this.now + this.startMs, to: this.startEndsIn };
    return {};
  }

  async stopApplication(input: StopApplicationCommandInput) {
    this.calls.push({ op: 'StopApplication', input });
    const app = this.app(input.ApplicationName);
    if (input.Force === true) {
      if (!['STARTING', 'UPDATING', 'STOPPING', 'AUTOSCALING', 'RUNNING'].includes(app.status))
        throw new ResourceInUseException({ message: `Application is in ${app.status} status`, $metadata: {} });
      app.status = 'STOPPING';
      app.transition = { at: this.now + this.forceStopMs, to: 'READY', forced: true };
      return {};
    }
    if (input.Force !== false) throw new Error('the runner must say Force true or false');
    if (app.status !== 'RUNNING') throw new ResourceInUseException({ message: `Application is in ${app.status} status`, $metadata: {} });
    app.status = 'STOPPING';
    app.transition = { at: this.now + this.stopMs, to: 'READY' };
    return {};
  }

  ops(): string[] {
    return this.calls.map((c) => c.op).filter((op) => op !== 'DescribeApplication');
  }
}

interface ProviderOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason?: string;
  readonly physicalId?: string;
  /** Minutes from onEvent to the answer. */
  readonly minutes: number;
}

/** What aws-cdk-lib's Provider framework does with the two handlers (custom-resources/lib/provider-framework/runtime/framework.js). */
async function provider(msf: FakeMsf, event: OnEventRequest): Promise<ProviderOutcome> {
  const began = msf.now;
  const minutes = () => (msf.now - began) / 60_000;
  let response;
  try {
    response = await onEvent(msf, event, msf.now);
  } catch (error) {
    return { status: 'FAILED', reason: (error as Error).message, minutes: minutes() };
  }
  const deadline = began + TOTAL_TIMEOUT_MINUTES * 60_000;
  while (msf.now <= deadline) {
    try {
      if ((await isComplete(msf, { ...event, ...response }, msf.now)).IsComplete) {
        return { status: 'SUCCESS', physicalId: response.PhysicalResourceId, minutes: minutes() };
      }
    } catch (error) {
      return { status: 'FAILED', reason: (error as Error).message, physicalId: response.PhysicalResourceId, minutes: minutes() };
    }
    msf.now += QUERY_INTERVAL_SECONDS * 1000;
  }
  return { status: 'FAILED', reason: 'Operation timed out', minutes: minutes() };
}

const NAME = 'RealtimeApplication-AbC123xYz';
const base = {
  LogicalResourceId: 'RealtimeRunner',
  ResourceProperties: { ServiceToken: 'arn:x', ApplicationName: NAME, LogGroupName: 'app-logs' },
};
const create: OnEventRequest = { ...base, RequestType: 'Create' };
const del: OnEventRequest = { ...base, RequestType: 'Delete', PhysicalResourceId: 'realtime-runner:RealtimeRunner' };
const restoreOf = (msf: FakeMsf) =>
  (msf.calls.find((c) => c.op === 'StartApplication')?.input as StartApplicationCommandInput).RunConfiguration
    ?.ApplicationRestoreConfiguration?.ApplicationRestoreType;

describe('create', () => {
  test('starts a new application (no snapshot yet: skip restore) and completes when it is RUNNING', async () => {
    const msf = new FakeMsf();
    msf.add(NAME);
    const outcome = await provider(msf, create);
    expect(outcome).toEqual({ status: 'SUCCESS', physicalId: 'realtime-runner:RealtimeRunner', minutes: 1.5 });
    expect(msf.ops()).toEqual(['ListApplicationSnapshots', 'StartApplication']);
    expect(restoreOf(msf)).toBe('SKIP_RESTORE_FROM_SNAPSHOT');
    expect(msf.apps.get(NAME)?.status).toBe('RUNNING');
  });

  test('restores from the latest snapshot when snapshots are on and one is READY (found on a later page)', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, {
      snapshots: [
        { SnapshotName: 'failed', SnapshotStatus: 'FAILED', ApplicationVersionId: 1 },
        { SnapshotName: 'good', SnapshotStatus: 'READY', ApplicationVersionId: 1 },
      ],
    });
    expect((await provider(msf, create)).status).toBe('SUCCESS');
    expect(msf.ops()).toEqual(['ListApplicationSnapshots', 'ListApplicationSnapshots', 'StartApplication']);
    expect(restoreOf(msf)).toBe('RESTORE_FROM_LATEST_SNAPSHOT');
  });

  test('with snapshots off it skips the restore without listing snapshots', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { snapshotsEnabled: false, snapshots: [{ SnapshotName: 'old', SnapshotStatus: 'READY', ApplicationVersionId: 1 }] });
    expect((await provider(msf, create)).status).toBe('SUCCESS');
    expect(msf.ops()).toEqual(['StartApplication']);
    expect(restoreOf(msf)).toBe('SKIP_RESTORE_FROM_SNAPSHOT');
  });

  test.each(['RUNNING', 'STARTING'])(
    'an application already %s is not started again, and the create succeeds once it runs',
    async (status) => {
      const msf = new FakeMsf();
      const app = msf.add(NAME, { status });
      if (status === 'STARTING') app.transition = { at: 60_000, to: 'RUNNING' };
      const outcome = await provider(msf, create);
      expect(outcome.status).toBe('SUCCESS');
      expect(outcome.minutes).toBe(status === 'RUNNING' ? 0 : 1);
      expect(msf.ops()).toEqual([]);
    },
  );

  test.each(['UPDATING', 'AUTOSCALING', 'MAINTENANCE'])(
    'an application %s (e.g. its logging option being attached) is started by isComplete once it is READY',
    async (status) => {
      const msf = new FakeMsf();
      msf.add(NAME, { status, transition: { at: 45_000, to: 'READY' } });
      const outcome = await provider(msf, create);
      expect(outcome).toMatchObject({ status: 'SUCCESS', minutes: 2.5 });
      expect(msf.ops()).toEqual(['ListApplicationSnapshots', 'StartApplication']);
      expect(msf.apps.get(NAME)?.status).toBe('RUNNING');
    },
  );

  test.each(['UPDATING', 'AUTOSCALING', 'MAINTENANCE'])(
    'an application %s that was running (it ends RUNNING) is not started again',
    async (status) => {
      const msf = new FakeMsf();
      msf.add(NAME, { status, transition: { at: 45_000, to: 'RUNNING' } });
      expect(await provider(msf, create)).toMatchObject({ status: 'SUCCESS', minutes: 1 });
      expect(msf.ops()).toEqual([]);
    },
  );

  test('an application that does not exist fails the create, named', async () => {
    const outcome = await provider(new FakeMsf(), create);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.reason).toMatch(new RegExp(`^application ${NAME} does not exist, so it cannot be started`));
  });

  test('an application STOPPING cannot be started: the failure says to wait for READY and deploy again', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'STOPPING' });
    const outcome = await provider(msf, create);
    expect(outcome.reason).toBe(
      `application ${NAME} is STOPPING, and only a READY application can be started: wait until it is READY (aws kinesisanalyticsv2 describe-application --application-name ${NAME}), then deploy again`,
    );
    expect(msf.ops()).toEqual([]);
  });

  test('a start that falls back to READY fails after the grace period, pointing at the log group', async () => {
    const msf = new FakeMsf();
    msf.add(NAME);
    msf.startEndsIn = 'READY';
    msf.startMs = 30_000;
    const outcome = await provider(msf, create);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.minutes).toBe(START_GRACE_MS / 60_000);
    expect(outcome.reason).toBe(
      `application ${NAME} went back to READY after StartApplication: its start failed. See its log group app-logs for the job's error, fix it, then deploy again`,
    );
  });

  test("a start stuck in STARTING fails with the runner's own message, before the framework's bare timeout", async () => {
    const msf = new FakeMsf();
    msf.add(NAME);
    msf.startMs = 60 * 60_000;
    const outcome = await provider(msf, create);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.minutes).toBe(WINDOW_MS / 60_000);
    expect(outcome.minutes).toBeLessThan(TOTAL_TIMEOUT_MINUTES);
    expect(outcome.reason).toMatch(
      new RegExp(`^application ${NAME} did not reach RUNNING within 27 minutes \\(status STARTING\\)\\. See its log group app-logs`),
    );
  });
});

describe('delete', () => {
  test('stops a RUNNING application without force (a snapshot is taken) and completes when it is READY', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'RUNNING' });
    const outcome = await provider(msf, del);
    expect(outcome).toEqual({ status: 'SUCCESS', physicalId: 'realtime-runner:RealtimeRunner', minutes: 2 });
    expect(msf.calls.filter((c) => c.op === 'StopApplication').map((c) => c.input)).toEqual([{ ApplicationName: NAME, Force: false }]);
    expect(msf.apps.get(NAME)).toMatchObject({ status: 'READY', snapshots: [{ SnapshotStatus: 'READY' }] });
  });

  test('an application already READY, or gone, is done at once with no stop', async () => {
    const ready = new FakeMsf();
    ready.add(NAME);
    expect(await provider(ready, del)).toEqual({ status: 'SUCCESS', physicalId: del.PhysicalResourceId, minutes: 0 });
    expect(ready.ops()).toEqual([]);
    const gone = new FakeMsf();
    expect(await provider(gone, del)).toEqual({ status: 'SUCCESS', physicalId: del.PhysicalResourceId, minutes: 0 });
    expect(gone.calls.map((c) => c.op)).toEqual(['DescribeApplication']);
  });

  test.each(['STARTING', 'UPDATING', 'AUTOSCALING'])(
    'an application %s (e.g. a rollback of a start that hangs) is stopped with force at once',
    async (status) => {
      const msf = new FakeMsf();
      msf.add(NAME, { status, transition: { at: 60 * 60_000, to: 'RUNNING' } });
      const outcome = await provider(msf, del);
      expect(outcome).toMatchObject({ status: 'SUCCESS', minutes: 0.5 });
      expect(msf.calls.filter((c) => c.op === 'StopApplication').map((c) => c.input)).toEqual([{ ApplicationName: NAME, Force: true }]);
    },
  );

  test('a stop without force not done in 10 minutes is made again with force', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'RUNNING' });
    msf.stopMs = 45 * 60_000;
    const outcome = await provider(msf, del);
    expect(outcome).toMatchObject({ status: 'SUCCESS', minutes: 10.5 });
    expect(msf.calls.filter((c) => c.op === 'StopApplication').map((c) => (c.input as StopApplicationCommandInput).Force)).toEqual([
      false,
      true,
    ]);
  });

  test('an application deleted while stopping is done', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'RUNNING' });
    const response = await onEvent(msf, del, 0);
    msf.apps.delete(NAME);
    expect(await isComplete(msf, { ...del, ...response }, 30_000)).toEqual({ IsComplete: true });
  });

  test('a stop that does not finish in the window, even with force, says so', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'RUNNING' });
    msf.stopMs = 45 * 60_000;
    msf.forceStopMs = 45 * 60_000;
    const outcome = await provider(msf, del);
    expect(outcome.status).toBe('FAILED');
    expect(outcome.minutes).toBe(27);
    expect(outcome.reason).toBe(
      `application ${NAME} did not stop within 27 minutes (status STOPPING), with force after 10; see its log group app-logs. ` +
        `aws kinesisanalyticsv2 describe-application --application-name ${NAME} shows where it is; wait for READY, then delete the stack again`,
    );
  });
});

describe('update', () => {
  const update = (oldName: string): OnEventRequest => ({
    ...base,
    RequestType: 'Update',
    PhysicalResourceId: 'realtime-runner:RealtimeRunner',
    OldResourceProperties: { ...base.ResourceProperties, ApplicationName: oldName },
  });

  test('the same application: nothing to do (CloudFormation updates the running application itself)', async () => {
    const msf = new FakeMsf();
    msf.add(NAME, { status: 'RUNNING' });
    expect(await provider(msf, update(NAME))).toEqual({ status: 'SUCCESS', physicalId: 'realtime-runner:RealtimeRunner', minutes: 0 });
    expect(msf.calls).toEqual([]);
  });

  test('a replaced application: the new one is started; the physical id stays, so no Delete reaches the old one', async () => {
    const msf = new FakeMsf();
    msf.add('RealtimeApplication-Old', { status: 'RUNNING' });
    msf.add(NAME);
    const outcome = await provider(msf, update('RealtimeApplication-Old'));
    expect(outcome).toEqual({ status: 'SUCCESS', physicalId: 'realtime-runner:RealtimeRunner', minutes: 1.5 });
    expect(msf.apps.get(NAME)?.status).toBe('RUNNING');
    expect(msf.calls.every((c) => (c.input as { ApplicationName: string }).ApplicationName === NAME)).toBe(true);
  });
});

describe('bad properties', () => {
  test.each([
    [
      { ServiceToken: 'x' },
      'ResourceProperties.ApplicationName must be a Managed Service for Apache Flink application name, 1-128 of [a-zA-Z0-9_.-] (got undefined)',
    ],
    [
      { ApplicationName: 'my app' },
      'ResourceProperties.ApplicationName must be a Managed Service for Apache Flink application name, 1-128 of [a-zA-Z0-9_.-] (got "my app")',
    ],
    [{ ApplicationName: 'a'.repeat(129) }, /^ResourceProperties\.ApplicationName must be .* \(got "a{129}"\)$/],
    [{ ApplicationName: NAME, LogGroupName: '' }, 'ResourceProperties.LogGroupName must be a log group name when set (got "")'],
  ])('%j is refused with what to change', async (properties, message) => {
    const msf = new FakeMsf();
    msf.add(NAME);
    const outcome = await provider(msf, { ...create, ResourceProperties: properties });
    expect(outcome.status).toBe('FAILED');
    if (typeof message === 'string') expect(outcome.reason).toBe(message);
    else expect(outcome.reason).toMatch(message);
    expect(msf.calls).toEqual([]);
  });

  test('a delete with bad properties fails too, rather than leave an application running unseen', async () => {
    const outcome = await provider(new FakeMsf(), { ...del, ResourceProperties: {} });
    expect(outcome.reason).toMatch(/^ResourceProperties\.ApplicationName must be/);
  });

  test('an unknown request type, or an isComplete without what onEvent returned, is refused by name', async () => {
    const msf = new FakeMsf();
    msf.add(NAME);
    await expect(onEvent(msf, { ...create, RequestType: 'Replace' as 'Create' }, 0)).rejects.toThrow(
      'RequestType must be Create, Update or Delete (got "Replace")',
    );
    await expect(isComplete(msf, { ...create, RunnerOperation: 'restart' as 'start', RunnerStartedAt: 0 }, 0)).rejects.toThrow(
      'RunnerOperation must be start, start-when-ready, stop or none, as onEvent returns it (got "restart")',
    );
    await expect(isComplete(msf, { ...create, RunnerOperation: 'start' }, 0)).rejects.toThrow(
      "RunnerStartedAt must be onEvent's time in epoch milliseconds (got undefined)",
    );
  });

  test('an MSF error other than not-found or in-use fails the operation with its own message', async () => {
    const msf = new FakeMsf();
    msf.add(NAME);
    msf.startApplication = async () => {
      throw Object.assign(new Error('User is not authorized to perform: kinesisanalytics:StartApplication'), {
        name: 'AccessDeniedException',
      });
    };
    expect(await provider(msf, create)).toMatchObject({
      status: 'FAILED',
      reason: 'User is not authorized to perform: kinesisanalytics:StartApplication',
    });
  });
});

describe('the bundle Lambda runs', () => {
  test('exports onEvent and isComplete (the two handlers the construct names), which refuse bad properties before any AWS call', async () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'realtime-runner-'));
    bundleFunction('realtime-runner', outdir);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_REGION: 'eu-west-1', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_SERVICE_NAME: 'realtime-runner' });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const bundle = require(path.join(outdir, 'index.js')) as Record<string, (event: unknown, context: Context) => Promise<unknown>>;
      expect(Object.keys(bundle).sort()).toEqual(['isComplete', 'onEvent']);
      const context = { functionName: 'runner', awsRequestId: 'r-1' } as Context;
      await expect(bundle.onEvent({ ...create, ResourceProperties: {} }, context)).rejects.toMatchObject({
        name: 'RunnerPropertiesError',
        message: expect.stringMatching(/^ResourceProperties\.ApplicationName must be/),
      });
      await expect(bundle.isComplete({ ...create, RunnerOperation: 'start' }, context)).rejects.toMatchObject({
        name: 'RunnerPropertiesError',
      });
    } finally {
      process.env = saved;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
