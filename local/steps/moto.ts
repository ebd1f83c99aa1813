/** Starts moto (Kinesis, S3) for the steps that follow and points the AWS SDK in this process at it. */
import * as path from 'node:path';
import { localKinesisClient, localS3Client, startMoto } from '../moto';
import type { LocalStep } from './step';

export const motoStep: LocalStep = {
  name: 'moto',
  async run(context) {
    const started = Date.now();
    const moto = await startMoto({ logFile: path.join(context.workDir, 'moto.log') });
    context.cleanups.push(() => moto.stop());
    // Handlers loaded in this process build their SDK clients from these (endpoint, region, credentials).
    Object.assign(process.env, moto.sdkEnvironment);
    context.moto = moto;
    context.kinesis = localKinesisClient(moto.endpoint);
    context.s3 = localS3Client(moto.endpoint);
    context.log(`moto_server on ${moto.endpoint} (ready in ${Date.now() - started} ms, log: ${path.relative(process.cwd(), path.join(context.workDir, 'moto.log'))})`);
    return { report: [], failures: [] };
  },
};
