import 'server-only';
import { HaproxyName, HaproxySocketPath } from '@/lib/models/haproxy';
import { builder, CommandArgumentError, defineCommand, type CatalogueCommand } from './command';

// HAProxy's runtime API, only through the wrapper deploy/lvs-haproxy-cmd installed on the HAProxy
// host: `sudo -n -u lvs-haproxy -- /usr/local/sbin/lvs-haproxy-cmd SOCKET`, the one line on stdin.
// The console's SSH user cannot open the admin socket itself (its group is lvs-haproxy's): the
// wrapper forwards only `show stat`, `show servers state [B]` and `set server B/S state|weight`, so
// `set server ... addr`, `shutdown sessions` and the rest of `level admin` stay out of reach (README
// "Least privilege on directors"). The line is built here from validated names and goes on stdin:
// it is never part of a command line or a shell string.

/** Where the wrapper is installed on HAProxy hosts (deploy/lvs-haproxy-cmd). */
export const HAPROXY_WRAPPER = '/usr/local/sbin/lvs-haproxy-cmd';
/** The user the wrapper runs as: the only non-root member of the admin socket's group. */
export const HAPROXY_USER = 'lvs-haproxy';

function socketPath(path: string): string {
  const r = HaproxySocketPath.safeParse(path);
  if (!r.success) throw new CommandArgumentError('socket', path, 'an absolute path under /run, /var/run or /var/lib/haproxy (no . or ..)');
  return r.data;
}

function name(field: string, v: string): string {
  const r = HaproxyName.safeParse(v);
  if (!r.success) throw new CommandArgumentError(field, v, 'letters, digits and _ . : - (not first), at most 64');
  return r.data;
}

function viaSocket(cmdName: string, socket: string, line: string, description: string): CatalogueCommand {
  return defineCommand({ name: cmdName, argv: [HAPROXY_WRAPPER, socketPath(socket)], sudo: false, runAs: HAPROXY_USER, stdin: `${line}\n`, description });
}

/** `show stat` (CSV of frontends, backends and servers). */
export const haproxyShowStat = builder('haproxyShowStat', (socket: string): CatalogueCommand => viaSocket('haproxyShowStat', socket, 'show stat', 'HAProxy: show stat (read-only)'));

export type HaproxyState = 'drain' | 'maint' | 'ready';

/** `set server B/S state drain|maint|ready`. */
export const haproxySetState = builder('haproxySetState', (socket: string, backend: string, server: string, state: HaproxyState): CatalogueCommand => {
  if (state !== 'drain' && state !== 'maint' && state !== 'ready') throw new CommandArgumentError('state', state, 'drain, maint or ready');
  const target = `${name('backend', backend)}/${name('server', server)}`;
  return viaSocket('haproxySetState', socket, `set server ${target} state ${state}`, `HAProxy: ${target} -> ${state}`);
});

/** `set server B/S weight N` (0..256). */
export const haproxySetWeight = builder('haproxySetWeight', (socket: string, backend: string, server: string, weight: number): CatalogueCommand => {
  if (!Number.isInteger(weight) || weight < 0 || weight > 256) throw new CommandArgumentError('weight', weight, 'an integer 0..256');
  const target = `${name('backend', backend)}/${name('server', server)}`;
  return viaSocket('haproxySetWeight', socket, `set server ${target} weight ${weight}`, `HAProxy: ${target} weight ${weight}`);
});
