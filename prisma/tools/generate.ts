// `prisma generate` that works offline.
//
// The prisma CLI makes sure the native schema engine binary is present (downloading it if not)
// before `generate`, although generate does not use it: the client generator runs on the
// WebAssembly builds shipped in the prisma package. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing executable skips that download. prisma.config.ts needs no DATABASE_URL (it has a
// default), but it is defaulted here too for configs that would.
//
//   tsx prisma/tools/generate.ts [extra prisma generate args]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/arxiv_radar';

/** An executable that does nothing, to stand in for the schema engine generate never runs. */
function placeholderEngine(): string {
  const given = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (given && existsSync(given)) return given;
  for (const candidate of ['/usr/bin/true', '/bin/true']) if (existsSync(candidate)) return candidate;
  return process.execPath; // any executable will do (Windows: no `true`)
}

const result = spawnSync(process.execPath, [prismaCli, 'generate', ...process.argv.slice(2)], {
  cwd: repoRoot,
  stdio: 'inherit',
  env: {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL || DEFAULT_DATABASE_URL,
    PRISMA_SCHEMA_ENGINE_BINARY: placeholderEngine(),
    // No update check / telemetry round trip (it would only time out here).
    CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE ?? '1',
    PRISMA_HIDE_UPDATE_MESSAGE: process.env.PRISMA_HIDE_UPDATE_MESSAGE ?? '1',
  },
});
if (result.error) {
  console.error(result.error);
  process.exit(1);
}
process.exit(result.status ?? 1);
