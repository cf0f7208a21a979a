import type { IpvsRealServer, IpvsService } from '@/lib/models/ipvsadm';
import { serviceKey } from '@/lib/models/keys';

// Pure, and free of server-only imports (the listing worker uses it).

/**
 * Finds, in another listing of the same kernel table (or in the previous reading), the copy of a
 * service and of its real servers. Such listings are almost always in the same order (the kernel's
 * table changes rarely between two reads): the copy at the same index is taken when it is the same
 * service (or real server), and only otherwise an index by key is built (once per listing, or per
 * service). No key strings are built for a table that did not change.
 */
export class Counterpart {
  private byKey: Map<string, IpvsService> | null = null;
  private readonly rsIndex = new Map<IpvsService, Map<string, IpvsRealServer>>();
  constructor(private readonly services: readonly IpvsService[] | null) {}

  service(i: number, s: IpvsService): IpvsService | undefined {
    if (this.services === null) return undefined;
    const same = this.services[i];
    if (same !== undefined && sameService(same, s)) return same;
    if (this.byKey === null) {
      this.byKey = new Map();
      for (const x of this.services) {
        const k = serviceKey(x);
        if (!this.byKey.has(k)) this.byKey.set(k, x);
      }
    }
    return this.byKey.get(serviceKey(s));
  }

  realServer(other: IpvsService | undefined, j: number, rs: IpvsRealServer): IpvsRealServer | undefined {
    if (other === undefined) return undefined;
    const same = other.realServers[j];
    if (same !== undefined && same.address === rs.address && same.port === rs.port) return same;
    let index = this.rsIndex.get(other);
    if (index === undefined) {
      index = new Map();
      for (const x of other.realServers) {
        const k = `${x.address}|${x.port}`;
        if (!index.has(k)) index.set(k, x);
      }
      this.rsIndex.set(other, index);
    }
    return index.get(`${rs.address}|${rs.port}`);
  }
}

function sameService(a: IpvsService, b: IpvsService): boolean {
  return a.protocol === b.protocol && a.address === b.address && a.port === b.port && a.fwmark === b.fwmark && a.family === b.family;
}

