import type { WebClient } from '@slack/web-api';
import type { Catalog } from '../config/catalog.js';
import type { RoleMembers } from '../policy/authority.js';

/**
 * Resolves catalog roles to Slack user ids: listed users plus current members of listed user
 * groups (usergroups.users.list), cached briefly so a removal takes effect within `ttlMs`.
 */
export class RoleDirectory {
  private readonly cache = new Map<string, { at: number; users: Promise<string[]> }>();

  constructor(
    private readonly catalog: Catalog,
    private readonly client: WebClient,
    private readonly ttlMs = 60_000,
  ) {}

  async members(roles: string[]): Promise<RoleMembers> {
    const entries = await Promise.all(
      roles.map(async (role) => {
        const def = this.catalog.roles[role];
        if (!def) return [role, new Set<string>()] as const;
        const groups = await Promise.all(def.usergroups.map((g) => this.usergroup(g)));
        return [role, new Set([...def.users, ...groups.flat()])] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  private usergroup(id: string): Promise<string[]> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.users;
    const users = this.client.usergroups.users
      .list({ usergroup: id })
      .then((res) => res.users ?? [])
      .catch((error: unknown) => {
        this.cache.delete(id);
        throw error;
      });
    this.cache.set(id, { at: Date.now(), users });
    return users;
  }
}
