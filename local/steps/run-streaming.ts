/** Runs a command and hands each line of its output to `log` as it is printed, not when it ends. */
import { spawn } from 'node:child_process';
import * as readline from 'node:readline';

export interface StreamedRun {
  /** Exit code, or the signal's name when it was killed. */
  readonly status: number | string;
  /** Every line printed, stdout and stderr interleaved as they arrived. */
  readonly output: readonly string[];
}

export function runStreaming(command: string, args: readonly string[], log: (line: string) => void): Promise<StreamedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
    const output: string[] = [];
    let open = 2;
    let exit: number | string | undefined;
    const finish = () => {
      if (open === 0 && exit !== undefined) resolve({ status: exit, output });
    };
    for (const stream of [child.stdout, child.stderr]) {
      const lines = readline.createInterface({ input: stream, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (line.trim() === '') return;
        output.push(line);
        log(line);
      });
      lines.on('close', () => {
        open -= 1;
        finish();
      });
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exit = code ?? signal ?? 'unknown';
      finish();
    });
  });
}
