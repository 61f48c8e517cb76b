/**
 * Whether a plugin-prisma query (a field's `query` argument) asks for the
 * model's scalars only, no relation and no narrowed select: then a row read
 * or written by plain SQL answers it as Prisma's model would.
 */
export function scalarsOnly(query: { include?: object; select?: object }): boolean {
  return query.select === undefined && Object.keys(query.include ?? {}).length === 0;
}
