// A whole AccessKey as the store returns it (src/store/access-keys.ts), for unit tests that stand in for the store:
// an active secret key of tenant-1 with no owner, workspace, expiry or parent, dated at `createdAt`, changed by
// `overrides`.
import type { AccessKey } from '../../src/store/access-keys.ts'

export function accessKeyRow(
  overrides: Partial<AccessKey> & Pick<AccessKey, 'id'>,
  createdAt = new Date(0),
): AccessKey {
  return {
    prefix: 'pcl',
    kind: 'secret',
    publicKeyThumbprint: null,
    publicKeyAlg: null,
    name: `key ${overrides.id}`,
    tenantId: 'tenant-1',
    workspaceId: null,
    userId: null,
    scopes: ['read'],
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    parentId: null,
    createdAt,
    ...overrides,
  }
}
