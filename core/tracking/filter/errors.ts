import { BadInputError } from '../../errors.ts';

/**
 * A run filter or orderBy that cannot be parsed or does not type-check. A 400 in the API: the
 * message names the position (0-based character offset) and the details carry it with a caret
 * line under the input, so a person sees at once where the problem is.
 */
export class FilterSyntaxError extends BadInputError {
  readonly position: number;
  constructor(what: 'filter' | 'orderBy', input: string, position: number, message: string) {
    const at = Math.max(0, Math.min(position, input.length));
    super(`${what}: ${message} at position ${at}`, {
      [what]: input,
      position: at,
      pointer: `${' '.repeat(at)}^`,
    });
    this.position = at;
  }
}
