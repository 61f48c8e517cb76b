import type { IssuedToken } from '../server/features/access/index.ts';
import { builder } from './builder.ts';
import { uuidWhere } from './uuid-where.ts';
import { localId } from './local-id.ts';
import { RoleEnum } from './enums.ts';

// Users and service tokens: admin business. No field here or on User ever
// carries a password hash or a token hash; a new token's secret appears once,
// in CreateServiceTokenPayload.

builder.prismaNode('ServiceToken', {
  // node(id:) reads a missing or malformed id as null (node-lookup.ts).
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  description: 'A machine credential (worker, orchestrator, Grafana) scoped to one environment, or read-only over every environment.',
  // Reachable through node(id:) too: only admins may see that a token exists.
  authScopes: { admin: true },
  fields: (t) => ({
    name: t.exposeString('name'),
    environment: t.relation('environment', { nullable: true, description: 'null: a read-only token of every environment (it can do nothing but read).' }),
    createdBy: t.relation('createdBy'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    revoked: t.boolean({ resolve: (token) => token.revokedAt !== null }),
    workers: t.relation('workers', { query: { orderBy: { name: 'asc' } } }),
  }),
});

builder.queryFields((t) => ({
  users: t.prismaField({
    type: ['User'],
    authScopes: { admin: true },
    resolve: (query, _root, _args, { reads, viewer }) => reads.access.users(query, viewer),
  }),
  serviceTokens: t.prismaField({
    type: ['ServiceToken'],
    authScopes: { admin: true },
    description: 'Newest first; revoked tokens only with includeRevoked.',
    args: {
      environment: t.arg.string({ required: false }),
      includeRevoked: t.arg.boolean({ required: false }),
    },
    resolve: (query, _root, args, { reads, viewer }) => reads.access.serviceTokens(query, viewer, args),
  }),
}));

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    username: t.string({ required: true, description: '^[a-z][a-z0-9._-]{2,31}$' }),
    displayName: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
    password: t.string({ required: true, description: 'At least 12 characters.' }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    role: t.field({ type: RoleEnum, required: false }),
    displayName: t.string({ required: false }),
    disabled: t.boolean({ required: false, description: 'A disabled user cannot sign in; their sessions end at once.' }),
  }),
});

const SetPasswordInput = builder.inputType('SetPasswordInput', {
  fields: (t) => ({
    id: t.id({ required: false, description: 'Another user (admins only); omitted: your own password.' }),
    currentPassword: t.string({ required: false, description: 'Required for your own password.' }),
    newPassword: t.string({ required: true, description: 'At least 12 characters.' }),
  }),
});

const CreateServiceTokenInput = builder.inputType('CreateServiceTokenInput', {
  fields: (t) => ({
    environment: t.string({ required: false, description: 'Omitted: a read-only token of every environment (Grafana), which can do nothing but read.' }),
    name: t.string({ required: true, description: 'Unique among the environment\'s live tokens; audit rows name the token by it.' }),
  }),
});

const CreateServiceTokenPayload = builder.objectRef<IssuedToken>('CreateServiceTokenPayload').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret, shown this once: only its hash is stored. Send it as `Authorization: Bearer <token>`.' }),
    serviceToken: t.prismaField({ type: 'ServiceToken', resolve: (_query, p) => p.serviceToken }),
  }),
});

builder.mutationFields((t) => ({
  createUser: t.prismaField({
    type: 'User',
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) => services.access.createUser(viewer!, input),
  }),
  updateUser: t.prismaField({
    type: 'User',
    // Approvers may confirm an account (its own role, nothing else: README,
    // Access); every other change is for admins (the service refuses the rest).
    authScopes: { approver: true },
    description: 'Role, display name, disabled flag. An admin cannot demote or disable themselves.',
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.access.updateUser(viewer!, { ...input, id: localId(input.id, 'User') }),
  }),
  setPassword: t.prismaField({
    type: 'User',
    authScopes: { viewer: true },
    description: 'Your own password (with the current one), or anyone\'s as an admin. Ends the user\'s other sessions.',
    args: { input: t.arg({ type: SetPasswordInput, required: true }) },
    resolve: (_query, _root, { input }, { services, viewer }) =>
      services.access.setPassword(viewer!, { ...input, id: input.id == null ? null : localId(input.id, 'User') }),
  }),
  createServiceToken: t.field({
    type: CreateServiceTokenPayload,
    authScopes: { admin: true },
    args: { input: t.arg({ type: CreateServiceTokenInput, required: true }) },
    resolve: (_root, { input }, { services, viewer }) => services.access.createServiceToken(viewer!, input),
  }),
  revokeServiceToken: t.prismaField({
    type: 'ServiceToken',
    authScopes: { admin: true },
    description: 'The token is refused (UNAUTHENTICATED) from its next request on.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_query, _root, { id }, { services, viewer }) => services.access.revokeServiceToken(viewer!, localId(id, 'ServiceToken')),
  }),
}));
