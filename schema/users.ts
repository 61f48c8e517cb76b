import { builder } from './builder.ts';
import { uuidWhere } from './uuid-where.ts';
import { RoleEnum } from './enums.ts';

builder.prismaNode('User', {
  nullable: true,
  id: { field: 'id' },
  findUnique: (id) => uuidWhere(id),
  fields: (t) => ({
    username: t.exposeString('username'),
    displayName: t.exposeString('displayName'),
    role: t.expose('role', { type: RoleEnum }),
    disabled: t.exposeBoolean('disabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

/** Who is calling: an operator, a service token (worker, Grafana), or a read-only token of every environment (monitor). */
export const ViewerRef = builder.objectRef<{ kind: 'user' | 'service' | 'monitor'; name: string; displayName: string; role: string | null; environment: string | null }>('Viewer').implement({
  fields: (t) => ({
    kind: t.exposeString('kind'),
    name: t.exposeString('name'),
    displayName: t.exposeString('displayName'),
    role: t.exposeString('role', { nullable: true }),
    environment: t.exposeString('environment', { nullable: true, description: 'The environment a service token is scoped to (null for an operator, and for a read-only token of every environment, kind "monitor").' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.field({
    type: ViewerRef,
    resolve: (_root, _args, { viewer }) =>
      viewer!.kind === 'user'
        ? { kind: 'user' as const, name: viewer!.username, displayName: viewer!.displayName, role: viewer!.role, environment: null }
        : { kind: viewer!.kind, name: viewer!.name, displayName: viewer!.name, role: null, environment: viewer!.kind === 'service' ? viewer!.environmentName : null },
  }));
