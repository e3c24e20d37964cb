import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { configToEnv } from '../../core/config.ts';
import type { TestEnv } from './env.ts';

const RADAR = fileURLToPath(new URL('../../producer/bin/radar.mjs', import.meta.url));

/** Run the real `radar` command in a child process with the test env's configuration. */
export function radar(env: TestEnv, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RADAR, ...args], { env: { ...process.env, ...configToEnv(env.config) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
