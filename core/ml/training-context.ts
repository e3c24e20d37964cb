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
  private parent: { ctx: TrainingContext; from: number; to: number } | null = null;

  constructor(private readonly options: TrainOptions) {
    this.random = new Random(options.seed);
  }

  /**
   * A context for one step of a training run that has several (a blend trains its members in
   * turn): the step's progress 0..1 is reported as `from`..`to` of this run. Same signal; the
   * same random source, so the whole run stays one deterministic sequence.
   */
  part(from: number, to: number): TrainingContext {
    const child = new TrainingContext(this.options);
    (child as { random: Random }).random = this.random;
    child.parent = { ctx: this, from, to };
    return child;
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
    if (this.parent) {
      const { ctx, from, to } = this.parent;
      return ctx.checkpoint(from + Math.min(1, Math.max(0, fraction)) * (to - from));
    }
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
