import 'server-only';
import { formatEndpoint } from '@/lib/address';
import { builder, defineCommand, fixedCommand, CommandArgumentError, type CatalogueCommand } from './command';
import {
  bool,
  family,
  forwardMethod,
  fwmark,
  ipAddress,
  ipFamilyOf,
  plainObject,
  port,
  protocol,
  threshold,
  weight,
  type ForwardMethodArg,
  type IpFamily,
} from './validators';

// ipvsadm commands. Always numeric (-n): names would be resolved and cut. All need root.

export const IPVSADM_LIST_MODES = ['list', 'stats', 'rate', 'thresholds', 'persistent-conn', 'tun-info'] as const;
export type IpvsadmListMode = (typeof IPVSADM_LIST_MODES)[number];

const MODE_FLAG: Record<IpvsadmListMode, string | null> = {
  list: null,
  stats: '--stats',
  rate: '--rate',
  thresholds: '--thresholds',
  'persistent-conn': '--persistent-conn',
  'tun-info': '--tun-info',
};

/** A virtual service: by protocol + address + port, or by firewall mark (+ family). */
export type IpvsServiceRef =
  | { protocol: 'tcp' | 'udp' | 'sctp'; address: string; port: number }
  | { protocol?: 'fwm'; fwmark: number; family: IpFamily };

export interface IpvsadmListArgs {
  /** --exact: full counters instead of abbreviated K/M/G values. */
  exact: boolean;
  mode: IpvsadmListMode;
}

export interface IpvsRealServerRef {
  address: string;
  /** 0 only for fwmark services (keep the packet's port). */
  port: number;
}

export interface IpvsadmEditRealServerArgs {
  service: IpvsServiceRef;
  realServer: IpvsRealServerRef;
  forward: ForwardMethodArg;
  weight: number;
  upperThreshold?: number;
  lowerThreshold?: number;
}

function listMode(field: string, value: unknown): IpvsadmListMode {
  if (typeof value !== 'string' || !(IPVSADM_LIST_MODES as readonly string[]).includes(value)) {
    throw new CommandArgumentError(field, value, `must be one of ${IPVSADM_LIST_MODES.join(', ')}`);
  }
  return value as IpvsadmListMode;
}

interface ServiceArgv {
  argv: string[];
  family: IpFamily;
  isFwmark: boolean;
}

/** Validate a service reference and turn it into ipvsadm's service options. */
export function serviceArgv(field: string, value: unknown): ServiceArgv {
  const o = plainObject(field, value);
  if ('fwmark' in o) {
    if (o.protocol !== undefined && o.protocol !== 'fwm') {
      throw new CommandArgumentError(`${field}.protocol`, o.protocol, 'must be "fwm" (or absent) for a fwmark service');
    }
    const mark = fwmark(`${field}.fwmark`, o.fwmark);
    const fam = family(`${field}.family`, o.family);
    return { argv: ['-f', String(mark), ...(fam === 'inet6' ? ['-6'] : [])], family: fam, isFwmark: true };
  }
  const proto = protocol(`${field}.protocol`, o.protocol);
  if (proto === 'fwm') throw new CommandArgumentError(`${field}.fwmark`, undefined, 'a fwm service needs fwmark and family');
  const addr = ipAddress(`${field}.address`, o.address);
  const p = port(`${field}.port`, o.port);
  const flag = proto === 'tcp' ? '-t' : proto === 'udp' ? '-u' : '--sctp-service';
  return { argv: [flag, formatEndpoint(addr, p)], family: ipFamilyOf(addr), isFwmark: false };
}

function listArgv(field: string, args: unknown): string[] {
  const o = plainObject(field || 'args', args);
  const prefix = field ? `${field}.` : '';
  const exact = bool(`${prefix}exact`, o.exact);
  const mode = listMode(`${prefix}mode`, o.mode);
  const flag = MODE_FLAG[mode];
  return [...(exact ? ['--exact'] : []), ...(flag ? [flag] : [])];
}

/** `ipvsadm -Ln [--exact] [--stats|--rate|--thresholds|--persistent-conn|--tun-info]` */
export const ipvsadmList = builder('ipvsadmList', (args: IpvsadmListArgs): CatalogueCommand =>
  defineCommand({
    name: 'ipvsadmList',
    argv: ['ipvsadm', '-Ln', ...listArgv('', args)],
    sudo: true,
    description: 'List the IPVS table (read-only)',
  }),
);

/** `ipvsadm -Ln [--exact] [mode] -t|-u|--sctp-service ADDR:PORT | -f MARK [-6]` */
export const ipvsadmListService = builder(
  'ipvsadmListService',
  (service: IpvsServiceRef, args: IpvsadmListArgs = { exact: true, mode: 'list' }): CatalogueCommand =>
    defineCommand({
      name: 'ipvsadmListService',
      argv: ['ipvsadm', '-Ln', ...listArgv('args', args), ...serviceArgv('service', service).argv],
      sudo: true,
      description: 'List one IPVS virtual service (read-only)',
    }),
);

/**
 * `ipvsadm -Ln -c` (= -Lnc, spelled as the directors' sudoers allows it): the connection
 * table. Can be millions of lines: use execStream.
 */
export const ipvsadmConnections = fixedCommand('ipvsadmConnections', {
  argv: ['ipvsadm', '-Ln', '-c'],
  sudo: true,
  description: 'List IPVS connection entries (read-only; stream it)',
});

/** `ipvsadm -Sn`: the table in restore format. */
export const ipvsadmSave = fixedCommand('ipvsadmSave', { argv: ['ipvsadm', '-Sn'], sudo: true, description: 'Dump the IPVS table in save format (read-only)' });

/** `ipvsadm -Ln --daemon`: the connection sync daemons running (master, backup), with their interface and syncid. */
export const ipvsadmDaemon = fixedCommand('ipvsadmDaemon', {
  argv: ['ipvsadm', '-Ln', '--daemon'],
  sudo: true,
  description: 'Show the IPVS connection sync daemons (read-only)',
});

/** `ipvsadm -Ln --timeout` */
export const ipvsadmTimeout = fixedCommand('ipvsadmTimeout', {
  argv: ['ipvsadm', '-Ln', '--timeout'],
  sudo: true,
  description: 'Show IPVS tcp/tcpfin/udp timeouts (read-only)',
});

const FORWARD_FLAG: Record<ForwardMethodArg, string> = { route: '-g', masq: '-m', tunnel: '-i' };

/** `ipvsadm -e SERVICE -r ADDR:PORT -g|-m|-i -w W [-x U] [-y L]`: change a real server (e.g. weight 0 = drain). */
export const ipvsadmEditRealServer = builder('ipvsadmEditRealServer', (args: IpvsadmEditRealServerArgs): CatalogueCommand => {
  const o = plainObject('args', args);
  const svc = serviceArgv('service', o.service);
  const rs = plainObject('realServer', o.realServer);
  const fwd = forwardMethod('forward', o.forward);
  const rsAddr = ipAddress('realServer.address', rs.address);
  const rsPort = port('realServer.port', rs.port, svc.isFwmark);
  if (fwd !== 'tunnel' && ipFamilyOf(rsAddr) !== svc.family) {
    throw new CommandArgumentError('realServer.address', rsAddr, `must be ${svc.family === 'inet' ? 'IPv4' : 'IPv6'} like the service (mixed families only with tunnel)`);
  }
  const w = weight('weight', o.weight);
  const extra: string[] = [];
  if (o.upperThreshold !== undefined) extra.push('-x', String(threshold('upperThreshold', o.upperThreshold)));
  if (o.lowerThreshold !== undefined) extra.push('-y', String(threshold('lowerThreshold', o.lowerThreshold)));
  return defineCommand({
    name: 'ipvsadmEditRealServer',
    argv: ['ipvsadm', '-e', ...svc.argv, '-r', formatEndpoint(rsAddr, rsPort), FORWARD_FLAG[fwd], '-w', String(w), ...extra],
    sudo: true,
    description: `Set weight ${w} on real server ${formatEndpoint(rsAddr, rsPort)}`,
  });
});
