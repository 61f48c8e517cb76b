// The rules slice's face: cross-parameter rules (CEL over `params`), their
// service (writes and the live check) and their read model.
export { createRuleService, type CreateRuleInput, type RuleCheck, type RuleService, type RuleServiceDeps, type UpdateRuleInput } from './rule-service.ts';
export { createRuleReads, type RuleReads } from './rule-reads.ts';
