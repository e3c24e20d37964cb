import type { Db } from '../db/client.ts';
import { Prisma } from '../db/client.ts';
import { BadInputError, ConflictError, NotFoundError } from '../errors.ts';

/**
 * Experiments: unique names, string tags, and a lifecycle (active or archived). An archived
 * experiment takes no new runs (startRun refuses) and its runs leave the default run search;
 * they stay readable, and searchable by naming the experiment.
 */

export type Lifecycle = 'active' | 'archived';

export interface ExperimentView {
  id: string;
  name: string;
  lifecycleStage: Lifecycle;
  tags: Record<string, string>;
  createdAt: Date;
  runs: number;
  lastRunAt: Date | null;
}

const NAME = /^[^\s\u0000-\u001f][^\u0000-\u001f]{0,199}$/;
const TAG_KEY = /^[A-Za-z0-9_.\-:/ ]{1,250}$/;

/** Throws BadInputError unless `name` is 1–200 printable characters not starting with a space. */
export function checkExperimentName(name: string): void {
  if (!NAME.test(name)) throw new BadInputError(`experiment name "${name}" must be 1 to 200 printable characters`);
}

/** Throws BadInputError for a tag key the API could not address (letters, digits, `_ . - : /` and spaces). */
export function checkTagKey(key: string): void {
  if (!TAG_KEY.test(key)) throw new BadInputError(`tag key "${key}" must be 1 to 250 letters, digits, spaces or _ . - : /`);
}

async function view(db: Db, where: Prisma.ExperimentWhereInput): Promise<ExperimentView[]> {
  const experiments = await db.experiment.findMany({ where, orderBy: { name: 'asc' }, include: { _count: { select: { runs: true } } } });
  const last = experiments.length
    ? await db.run.groupBy({ by: ['experimentId'], where: { experimentId: { in: experiments.map((e) => e.id) } }, _max: { startTime: true } })
    : [];
  const lastBy = new Map(last.map((l) => [l.experimentId, l._max.startTime]));
  return experiments.map((e) => ({
    id: e.id,
    name: e.name,
    lifecycleStage: e.lifecycleStage as Lifecycle,
    tags: (e.tags ?? {}) as Record<string, string>,
    createdAt: e.createdAt,
    runs: e._count.runs,
    lastRunAt: lastBy.get(e.id) ?? null,
  }));
}

/** Experiments by name; `view` chooses active (default), archived or all. */
export async function listExperiments(db: Db, lifecycle: Lifecycle | 'all' = 'active'): Promise<ExperimentView[]> {
  return view(db, lifecycle === 'all' ? {} : { lifecycleStage: lifecycle });
}

/** One experiment; NotFoundError when unknown. */
export async function getExperiment(db: Db, name: string): Promise<ExperimentView> {
  const [e] = await view(db, { name });
  if (!e) throw new NotFoundError(`experiment "${name}" not found`);
  return e;
}

/** Create an experiment. ConflictError when the name is taken (the unique index decides races). */
export async function createExperiment(db: Db, name: string, tags: Record<string, string> = {}): Promise<ExperimentView> {
  checkExperimentName(name);
  for (const k of Object.keys(tags)) checkTagKey(k);
  try {
    await db.experiment.create({ data: { name, tags } });
  } catch (e) {
    if (e instanceof Prisma.PrismaClientKnownRequestError && e.code === 'P2002') throw new ConflictError(`experiment "${name}" already exists`);
    throw e;
  }
  return getExperiment(db, name);
}

/** Set one tag. Atomic (one UPDATE merging the key), so concurrent writers of other keys lose nothing. */
export async function setExperimentTag(db: Db, name: string, key: string, value: string): Promise<ExperimentView> {
  checkTagKey(key);
  const n = await db.$executeRaw`UPDATE "Experiment" SET "tags" = "tags" || jsonb_build_object(${key}::text, ${value}::text) WHERE "name" = ${name}`;
  if (n === 0) throw new NotFoundError(`experiment "${name}" not found`);
  return getExperiment(db, name);
}

/** Delete one tag; NotFoundError when the experiment or the tag does not exist. */
export async function deleteExperimentTag(db: Db, name: string, key: string): Promise<ExperimentView> {
  const n = await db.$executeRaw`UPDATE "Experiment" SET "tags" = "tags" - ${key}::text WHERE "name" = ${name} AND ("tags" -> ${key}::text) IS NOT NULL`;
  if (n === 0) {
    await getExperiment(db, name);
    throw new NotFoundError(`experiment "${name}" has no tag "${key}"`);
  }
  return getExperiment(db, name);
}

/** Archive or restore. Idempotent: archiving an archived experiment changes nothing. */
export async function setExperimentLifecycle(db: Db, name: string, lifecycle: Lifecycle): Promise<ExperimentView> {
  const n = await db.experiment.updateMany({ where: { name }, data: { lifecycleStage: lifecycle } });
  if (n.count === 0) throw new NotFoundError(`experiment "${name}" not found`);
  return getExperiment(db, name);
}
