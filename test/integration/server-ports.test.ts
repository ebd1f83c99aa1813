/**
 * The local servers' start when a port they chose is taken before they bind it: another server, or a client's
 * outgoing connection, drew the same port from the ephemeral range (local/server-ports.ts). They start again on
 * new ports, not fail.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { LOCAL_BUILD_DIR } from '../../local/bundle';
import { freeLoopbackPort } from '../../local/child-process';
import { startKafkaBroker } from '../../local/kafka/broker';
import { startMoto } from '../../local/moto';
import { ensurePythonEnv } from './helpers/python-env';

jest.mock('../../local/child-process', () => {
  const actual = jest.requireActual<typeof import('../../local/child-process')>('../../local/child-process');
  return { ...actual, freeLoopbackPort: jest.fn(actual.freeLoopbackPort) };
});

const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-broker-ports');

/** A port held by this process, which the next freeLoopbackPort returns as if it were free. */
async function takenPort(): Promise<{ port: number; release: () => void }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  jest.mocked(freeLoopbackPort).mockResolvedValueOnce(port);
  return { port, release: () => blocker.close() };
}

beforeAll(() => fs.rmSync(WORK_DIR, { recursive: true, force: true }));

test('a port taken between choosing it and binding it: the broker starts on another one, and says so', async () => {
  const { port: taken, release } = await takenPort();
  const lines: string[] = [];
  try {
    const broker = await startKafkaBroker({
      dir: path.join(WORK_DIR, 'broker'),
      name: 'ports-test Kafka broker',
      log: (l) => lines.push(l),
    });
    try {
      expect(broker.bootstrap).not.toBe(`127.0.0.1:${taken}`);
      expect(lines).toContain('ports-test Kafka broker: a port was taken before the broker bound it; starting again on new ports');
      expect(broker.pid).toBeDefined();
    } finally {
      await broker.stop();
    }
  } finally {
    release();
  }
});

test('a port taken between choosing it and binding it: moto starts on another one', async () => {
  ensurePythonEnv();
  const { port: taken, release } = await takenPort();
  try {
    const moto = await startMoto({ logFile: path.join(WORK_DIR, 'moto.log') });
    try {
      expect(moto.port).not.toBe(taken);
      expect(moto.state()).not.toMatch(/^dead/);
    } finally {
      await moto.stop();
    }
  } finally {
    release();
  }
});
