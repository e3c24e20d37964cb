/**
 * What a trainer needs besides data: a seeded random source, and a checkpoint that reports
 * progress, lets the event loop run (so an abort arriving from a BullMQ sandbox parent can be
 * delivered) and stops training once the signal is aborted.
 */
import { Random } from './random.ts';
import type { TrainOptions } from './types.ts';

export class TrainingContext {
  readonly random: Random;
  private lastFraction = 0;
  private lastYield = Date.now();

  constructor(private readonly options: TrainOptions) {
    this.random = new Random(options.seed);
  }

  /** @throws the signal's reason (an `AbortError` DOMException by default) once aborted. */
  throwIfAborted(): void {
    this.options.signal?.throwIfAborted();
  }

  /**
   * Reports `fraction` (clamped to be non-decreasing, at most 1) and, at most every 50 ms, yields
   * to the event loop. Call between epochs; cheap enough to call often.
   * @throws the signal's reason once aborted.
   */
  async checkpoint(fraction: number): Promise<void> {
    this.throwIfAborted();
    const f = Math.min(1, Math.max(this.lastFraction, fraction));
    if (f !== this.lastFraction) {
      this.lastFraction = f;
      this.options.onProgress?.(f);
    }
    if (Date.now() - this.lastYield >= 50) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      this.lastYield = Date.now();
      this.throwIfAborted();
    }
  }
}
