/**
 * The local broker's first start when a port it chose is taken before it binds it: another broker, or a client's
 * outgoing connection, drew the same port from the ephemeral range. It starts again on new ports, not fail.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { LOCAL_BUILD_DIR } from '../../local/bundle';
import { freeLoopbackPort } from '../../local/child-process';
import { startKafkaBroker } from '../../local/kafka/broker';

jest.mock('../../local/child-process', () => {
  const actual = jest.requireActual<typeof import('../../local/child-process')>('../../local/child-process');
  return { ...actual, freeLoopbackPort: jest.fn(actual.freeLoopbackPort) };
});

const WORK_DIR = path.join(LOCAL_BUILD_DIR, '..', 'integration-broker-ports');

test('a port taken between choosing it and binding it: the broker starts on another one, and says so', async () => {
  fs.rmSync(WORK_DIR, { recursive: true, force: true });
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as net.AddressInfo).port;
  jest.mocked(freeLoopbackPort).mockResolvedValueOnce(taken);
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
    blocker.close();
  }
});
