import { describe, expect, it } from 'vitest';
import { configToEnv, loadConfig } from '../../core/config.ts';

// Configuration is read once at boot; a bad value must stop the process with a message naming
// the variable, its value and what is allowed, not fail a night hours later.
describe('loadConfig', () => {
  it('accepts candidate kinds and the default and search sets, and round-trips them', () => {
    const c = loadConfig({ CANDIDATES: 'search, complement-nb' });
    expect(c.CANDIDATES).toEqual(['search', 'complement-nb']);
    expect(loadConfig(configToEnv(c)).CANDIDATES).toEqual(['search', 'complement-nb']);
    expect(loadConfig({}).CANDIDATES).toEqual([]);
  });

  it('refuses an unknown candidate, naming the variable and the known kinds and sets', () => {
    expect(() => loadConfig({ CANDIDATES: 'toString' })).toThrow(/unknown candidate "toString"/);
    expect(() => loadConfig({ CANDIDATES: 'linear-svm,forest' })).toThrow(
      /CANDIDATES="linear-svm,forest": unknown candidate "forest" \(kinds: linear-svm, .*; sets: default, search\)/,
    );
  });

  it('refuses malformed numbers and worker concurrency with the offending value', () => {
    expect(() => loadConfig({ TRAIN_SEED: '-1' })).toThrow(/TRAIN_SEED="-1"/);
    expect(() => loadConfig({ WORKER_CONCURRENCY: 'train=zero' })).toThrow(/WORKER_CONCURRENCY: "train=zero"/);
  });
});
