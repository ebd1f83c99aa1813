/** Starts moto (Kinesis, S3) for the steps that follow and points the AWS SDK in this process at it. */
import * as path from 'node:path';
import { localKinesisClient, localS3Client, startMoto } from '../moto';
import type { LocalStep } from './step';
import { displayPath } from '../display-path';

export const motoStep: LocalStep = {
  name: 'moto',
  async run(context) {
    const started = Date.now();
    const moto = await startMoto({ logFile: path.join(context.workDir, 'moto.log') });
    context.cleanups.push(() => moto.stop());
    // Handlers loaded in this process build their SDK clients from these (endpoint, region, credentials).
    Object.assign(process.env, moto.sdkEnvironment);
    context.moto = moto;
    const clientOptions = { timeoutMs: context.options.emulatorTimeoutMs, server: moto };
    context.kinesis = localKinesisClient(moto.endpoint, clientOptions);
    context.s3 = localS3Client(moto.endpoint, clientOptions);
    context.log(
      `moto_server (pid ${moto.pid}) on ${moto.endpoint} (ready in ${Date.now() - started} ms, log: ${displayPath(path.join(context.workDir, 'moto.log'))}; calls time out after ${context.options.emulatorTimeoutMs / 1000} s)`,
    );
    return { report: [], failures: [] };
  },
};
