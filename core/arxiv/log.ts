import { silentLogger, type Logger } from '../log.ts';

/** The logger the arXiv layer writes to: the part of the project's scoped logger it uses. */
export type ArxivLog = Pick<Logger, 'debug' | 'info' | 'warn'>;

/** Discards everything; the default when no logger is given. */
export const silentLog: ArxivLog = silentLogger;
