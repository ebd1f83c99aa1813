/**
 * Starting a local server (moto, the Kafka broker) on free loopback ports. A port free when chosen may be taken
 * before the server binds it: another server, or a client's outgoing connection, draws from the same ephemeral
 * range. A start that fails with "Address already in use" is made again on new ports.
 */
import { freeLoopbackPort } from './child-process';

/** Starts on new ports when the chosen ones were taken before the server bound them, up to this many times. */
export const START_ATTEMPTS = 3;

/** `count` distinct free loopback ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freeLoopbackPort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

/**
 * Runs `start` on `count` free ports; when it fails because a port was taken (its error says "Address already in
 * use"), calls `onRetry` and runs it again on new ones, up to START_ATTEMPTS starts. `start` must clean up after a
 * failed attempt (stop what it spawned).
 */
export async function startOnFreePorts<T>(count: number, start: (ports: number[]) => Promise<T>, onRetry?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start(await freePorts(count));
    } catch (error) {
      const portTaken = error instanceof Error && /Address already in use/.test(error.message);
      if (!portTaken || attempt >= START_ATTEMPTS) throw error;
      onRetry?.();
    }
  }
}
