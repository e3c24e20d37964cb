import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/**
 * The code version recorded on every run: `GIT_COMMIT` when the deployment sets it (container
 * images have no .git), else the checkout's HEAD commit (with `-dirty` when the work tree has
 * changes), else null.
 */
export function codeVersion(): string | null {
  if (cached !== undefined) return cached;
  const fromEnv = process.env.GIT_COMMIT?.trim();
  if (fromEnv) return (cached = fromEnv);
  try {
    const cwd = fileURLToPath(new URL('..', import.meta.url));
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    cached = dirty ? `${head}-dirty` : head;
  } catch {
    cached = null;
  }
  return cached;
}
