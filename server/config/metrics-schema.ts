import { z } from 'zod';
import { isIP } from '@/lib/address';

// The `metrics:` section of the configuration (GET /metrics), strict like the rest.

/** An address or CIDR block: 10.0.0.0/8, 192.0.2.7, 2001:db8::/32. */
const Cidr = z.string().refine(
  (v) => {
    const [addr = '', bits, extra] = v.split('/');
    const family = isIP(addr);
    if (family === 0 || extra !== undefined) return false;
    if (bits === undefined) return true;
    return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  },
  { message: 'an IP address or CIDR block like 10.0.0.0/8 or 2001:db8::/32' },
);

/** GET /metrics (Prometheus). Anyone logged in as viewer or above may read it; so may these. */
export const MetricsConfig = z
  .object({
    /** Per-real-server series (one set per real server per service): off to bound label cardinality. */
    perRealServer: z.boolean().default(true),
    /** A scrape token, sent as `Authorization: Bearer TOKEN`; only as "env:NAME" so it never sits in the file. */
    token: z.string().regex(/^env:[A-Za-z_][A-Za-z0-9_]*$/, 'a reference to an environment variable: "env:NAME"').optional(),
    /** Source addresses (the console's client address, trusted proxies honoured) allowed to scrape without a token. */
    allow: z.array(Cidr).default([]),
  })
  .strict();
export type MetricsConfig = z.infer<typeof MetricsConfig>;
