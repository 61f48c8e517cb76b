import type { PrismaClient, Rule } from '../../generated/prisma/client.ts';
import { Prisma } from '../../generated/prisma/client.ts';
import { isUuid } from '../../../contract/is-uuid.ts';
import { inTransaction, type Db, type Tx } from '../../db/transaction.ts';
import { AppError, notFound, revisionConflict } from '../../errors/index.ts';
import type { Logger } from '../../logging/create-logger.ts';
import { CEL_LIMITS, RULE_VARIABLES, type ConfigValidator, type RuleShape, type Violation } from '../../../contract/validation/index.ts';
import { requireRole, type Viewer } from '../../auth/index.ts';
import { appendAudit } from '../audit/index.ts';
import type { CatalogCache } from '../catalog/index.ts';
import { assertReason } from '../audit/index.ts';
import { readSnapshot } from '../configuration/index.ts';

export interface CreateRuleInput {
  name: string;
  expression: string;
  message: string;
  /** Default true. A disabled rule can be created while values still violate it, then enabled once they are fixed. */
  enabled?: boolean | null;
  reason: string;
}

export interface UpdateRuleInput {
  id: string;
  expectedRevision: number;
  expression?: string | null;
  message?: string | null;
  enabled?: boolean | null;
  reason: string;
}

/** How one environment's active values fare against a rule. */
export interface RuleCheck {
  environment: string;
  passed: boolean;
  violation: Violation | null;
}

const NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const MAX_NAME = 100;
// The CEL limit (contract/validation/cel-limits.ts): the longest seeded rule has 699 characters,
// and the console's live check parses every new text, at 10 to 20 µs a character.
const MAX_EXPRESSION = CEL_LIMITS.maxLength;
const MAX_MESSAGE = 1_000;
const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

function validationFailed(violations: (Violation & { field?: string; environment?: string })[]): AppError {
  return new AppError('VALIDATION_FAILED', violations.map((v) => v.message).join(' '), { violations });
}

/** Name, expression and message checks that need no database; one violation per bad field. */
function shapeViolations(rule: { name: string; expression: string; message: string }, compile: (source: string) => Violation | null) {
  const violations: (Violation & { field: string })[] = [];
  if (!NAME_PATTERN.test(rule.name) || rule.name.length > MAX_NAME) {
    violations.push({
      code: 'NOT_ALLOWED', field: 'name', rule: rule.name,
      message: `A rule name is lowercase letters, digits and dashes, starting with a letter or digit (at most ${MAX_NAME}), e.g. pte-take-profit-above-stop-loss; got ${JSON.stringify(rule.name)}.`,
    });
  }
  if (rule.expression.length > MAX_EXPRESSION) {
    violations.push({ code: 'INVALID_EXPRESSION', field: 'expression', rule: rule.name, message: `Keep the expression under ${MAX_EXPRESSION.toLocaleString('en-US')} characters.` });
  } else {
    const invalid = compile(rule.expression);
    if (invalid) violations.push({ ...invalid, field: 'expression', rule: rule.name, message: invalid.message.replace('The expression', `Rule ${rule.name}`) });
  }
  if (rule.message.trim() === '' || rule.message.length > MAX_MESSAGE) {
    violations.push({
      code: 'REQUIRED', field: 'message', rule: rule.name,
      message: rule.message.trim() === '' ? 'Give the rule the message operators see when their save breaks it.' : `Keep the message under ${MAX_MESSAGE.toLocaleString('en-US')} characters.`,
    });
  }
  return violations;
}

export interface RuleServiceDeps {
  prisma: PrismaClient;
  logger: Logger;
  /** The catalog types the values a rule reads. */
  catalogCache: CatalogCache;
  validator: ConfigValidator;
}

/**
 * Cross-parameter rules (CEL over `params`). A rule is never deleted, only
 * disabled, so the audit trail keeps naming rules that exist. Creating or
 * enabling a rule that today's values already break is refused: it would
 * block every save of that environment until someone fixed values they did
 * not touch.
 */
export function createRuleService({ prisma, logger, catalogCache, validator }: RuleServiceDeps) {
  const compile = (source: string) => validator.checkExpression(source, RULE_VARIABLES);

  /** Evaluates a rule against each environment's active values (sorted by name). */
  async function checkEnvironments(db: Db, rule: RuleShape): Promise<RuleCheck[]> {
    const catalog = await catalogCache.load(db);
    const environments = await db.environment.findMany({ select: { id: true, name: true, activeVersion: true }, orderBy: { name: 'asc' } });
    return Promise.all(environments.map(async (env) => {
      const violation = validator.checkRule({ ...rule, enabled: true }, catalog.shapes, await readSnapshot(db, env));
      return { environment: env.name, passed: violation === null, violation };
    }));
  }

  /** Failing environments as violations that name the environment. */
  async function liveViolations(tx: Tx, rule: RuleShape) {
    // Held until commit: a save waits and then meets the rule, and one already
    // under way commits first and its values are among those checked here.
    await tx.$queryRaw`SELECT name FROM environments ORDER BY name FOR SHARE`;
    const checks = await checkEnvironments(tx, rule);
    return checks.filter((c) => !c.passed).map((c) => ({
      code: c.violation!.code,
      rule: rule.name,
      environment: c.environment,
      message: `${c.environment} does not satisfy rule ${rule.name} today: ${c.violation!.message}`,
    }));
  }

  async function lockRule(tx: Tx, id: string): Promise<Rule> {
    const rows = isUuid(id) ? await tx.$queryRaw<{ id: string }[]>`SELECT id::text FROM cross_parameter_rules WHERE id = ${id}::uuid FOR UPDATE` : [];
    if (!rows[0]) throw notFound('Rule', id);
    return tx.rule.findUniqueOrThrow({ where: { id } });
  }

  return {
    /**
     * The console's live check of a rule being written: compile errors (as
     * INVALID_EXPRESSION, reported for every environment) or how each
     * environment's active values fare.
     */
    async check(input: { expression: string; message?: string | null; name?: string | null }): Promise<RuleCheck[]> {
      const rule: RuleShape = { name: input.name?.trim() || 'new-rule', expression: input.expression, message: input.message ?? '', enabled: true };
      const invalid = input.expression.length > MAX_EXPRESSION
        ? { code: 'INVALID_EXPRESSION' as const, message: `Keep the expression under ${MAX_EXPRESSION.toLocaleString('en-US')} characters.` }
        : compile(input.expression);
      if (invalid) {
        const environments = await prisma.environment.findMany({ select: { name: true }, orderBy: { name: 'asc' } });
        return environments.map((env) => ({ environment: env.name, passed: false, violation: invalid }));
      }
      return checkEnvironments(prisma, rule);
    },

    async create(viewer: Viewer, input: CreateRuleInput): Promise<Rule> {
      const admin = requireRole(viewer, 'ADMIN', 'add rules');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const draft = { name: input.name.trim(), expression: input.expression.trim(), message: input.message.trim(), enabled: input.enabled ?? true };
      const invalid = shapeViolations(draft, compile);
      if (invalid.length) throw validationFailed(invalid);
      const conflict = () => new AppError('CONFLICT', `A rule named ${draft.name} already exists: change it, or disable it and choose another name.`, { name: draft.name });
      let rule: Rule;
      try {
        rule = await inTransaction(prisma, async (tx) => {
          if (await tx.rule.findUnique({ where: { name: draft.name }, select: { id: true } })) throw conflict();
          if (draft.enabled) {
            const failing = await liveViolations(tx, draft);
            if (failing.length) throw validationFailed(failing);
          }
          const created = await tx.rule.create({ data: draft });
          await appendAudit(tx, [{
            action: 'rule_created', actor: admin.username, subjectId: created.id, reason,
            details: { name: created.name, expression: created.expression, message: created.message, enabled: created.enabled, revision: created.revision },
          }]);
          return created;
        });
      } catch (error) {
        // Two admins adding the same name at once: the unique index decides.
        if (isUniqueViolation(error)) throw conflict();
        throw error;
      }
      logger.info({ event: 'rule_created', rule: rule.name, enabled: rule.enabled, changed_by: admin.username, change_reason: reason }, 'rule created');
      return rule;
    },

    async update(viewer: Viewer, input: UpdateRuleInput): Promise<Rule> {
      const admin = requireRole(viewer, 'ADMIN', 'change rules');
      assertReason(input.reason);
      const reason = input.reason.trim();
      const { rule, changes } = await inTransaction(prisma, async (tx) => {
        const current = await lockRule(tx, input.id);
        if (current.revision !== input.expectedRevision) {
          throw revisionConflict(
            { subject: 'Rule', id: current.id, currentRevision: current.revision, expectedRevision: input.expectedRevision },
            `Rule ${current.name} was changed (revision ${current.revision}) since you read revision ${input.expectedRevision}. Review it and save again.`,
          );
        }
        const next = {
          name: current.name,
          expression: input.expression?.trim() ?? current.expression,
          message: input.message?.trim() ?? current.message,
          enabled: input.enabled ?? current.enabled,
        };
        const changes = Object.fromEntries((['expression', 'message', 'enabled'] as const)
          .filter((field) => next[field] !== current[field])
          .map((field) => [field, { before: current[field], after: next[field] }]));
        if (Object.keys(changes).length === 0) {
          throw new AppError('VALIDATION_FAILED', `Nothing to save: rule ${current.name} already reads like this.`, { violations: [] });
        }
        // The name is not editable, and a seeded one may predate today's pattern: check only what changes.
        const invalid = shapeViolations(next, compile).filter((v) => v.field !== 'name');
        if (invalid.length) throw validationFailed(invalid);
        // A disabled rule binds nothing, so only an enabled result is held against today's values.
        if (next.enabled && (changes.expression || changes.enabled)) {
          const failing = await liveViolations(tx, next);
          if (failing.length) throw validationFailed(failing);
        }
        const revision = current.revision + 1;
        const updated = await tx.rule.update({ where: { id: current.id }, data: { ...next, revision, updatedAt: new Date() } });
        await appendAudit(tx, [{
          action: 'rule_updated', actor: admin.username, subjectId: current.id, reason,
          details: { name: current.name, revision, changes } as Prisma.InputJsonValue,
        }]);
        return { rule: updated, changes };
      });
      logger.info({ event: 'rule_updated', rule: rule.name, revision: rule.revision, fields: Object.keys(changes), changed_by: admin.username, change_reason: reason }, 'rule updated');
      return rule;
    },
  };
}

export type RuleService = ReturnType<typeof createRuleService>;
